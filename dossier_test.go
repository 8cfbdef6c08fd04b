package motcua_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
)

var officer = motcua.Actor{Kind: motcua.ActorOfficer, ID: "officer-1", Name: "Lê Văn Cường"}

func procedure() *motcua.Procedure {
	return &motcua.Procedure{
		Code: "DEMO-HT-001", Version: 3, Name: "Đăng ký khai sinh",
		EffectiveFrom:  time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		ServiceLevel:   motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull},
		ProcessingTime: motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays},
		AgencyCodes:    []string{"000.01.31.H26"},
	}
}

func input(channel string) *motcua.DossierInput {
	return &motcua.DossierInput{
		ProcedureCode: "DEMO-HT-001", AgencyCode: "000.01.31.H26", Channel: channel,
		Applicant: motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: "001090000001"},
		Form:      json.RawMessage(`{"child_name":"Nguyễn Văn Bình"}`),
	}
}

func TestDossierInputValidate(t *testing.T) {
	tests := []struct {
		name string
		in   motcua.DossierInput
		want []string
	}{
		{"valid", *input(motcua.ChannelCounter), nil},
		{"empty", motcua.DossierInput{}, []string{
			"procedure:required", "agency:required", "channel:required",
			"applicant.name:required", "applicant.kind:required",
		}},
		{"everything wrong", motcua.DossierInput{
			ProcedureCode: "P", AgencyCode: "A", Channel: "fax",
			Applicant: motcua.Applicant{Kind: motcua.ApplicantBusiness, Name: "Sen Vàng", TaxCode: "123", Phone: "1", Email: "x"},
			Form:      json.RawMessage(`[1, 2]`),
			Attachments: []motcua.Attachment{
				{Name: "", Size: -1, SHA256: "abc"},
				{Name: strings.Repeat("a", 256), SHA256: strings.Repeat("A", 64)},
			},
		}, []string{
			"channel:value", "applicant.tax_code:format", "applicant.phone:format", "applicant.email:format", "form:format",
			"attachments[0].name:required", "attachments[0].size:value", "attachments[0].sha256:format",
			"attachments[1].name:too_long",
		}},
		{"form not JSON", motcua.DossierInput{ProcedureCode: "P", AgencyCode: "A", Channel: "post",
			Applicant: input("").Applicant, Form: json.RawMessage(`{`)}, []string{"form:format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Normalize()
			if got := fieldNames(t, in.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("bad fields %v; want %v", got, tt.want)
			}
		})
	}
}

func TestDossierInputNormalize(t *testing.T) {
	in := motcua.DossierInput{ProcedureCode: " DEMO-HT-001 ", AgencyCode: " 000.01.31.H26\n", Channel: " online ",
		Applicant: motcua.Applicant{Kind: " citizen ", Name: " An ", IDNumber: "001090000001"}, Form: json.RawMessage("null")}
	in.Normalize()
	if in.ProcedureCode != "DEMO-HT-001" || in.AgencyCode != "000.01.31.H26" || in.Channel != "online" ||
		in.Applicant.Kind != "citizen" || in.Applicant.Name != "An" || string(in.Form) != "{}" {
		t.Errorf("Normalize = %+v", in)
	}
	if err := in.Validate(); err != nil {
		t.Error(err)
	}
}

func TestDossierInputValidateWith(t *testing.T) {
	p := procedure()
	handling := &motcua.Agency{Code: "000.01.31.H26"}
	other := &motcua.Agency{Code: "000.02.31.H26"}
	tests := []struct {
		name string
		p    *motcua.Procedure
		a    *motcua.Agency
		want []string
	}{
		{"handled", p, handling, nil},
		{"unknown procedure", nil, handling, []string{"procedure:unknown"}},
		{"unknown agency", p, nil, []string{"agency:unknown"}},
		{"both unknown", nil, nil, []string{"procedure:unknown", "agency:unknown"}},
		{"agency not handling", p, other, []string{"agency:value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(motcua.ChannelCounter)
			in.Normalize()
			if got := fieldNames(t, in.ValidateWith(tt.p, tt.a, tt.p != nil && tt.a != nil && tt.p.HandledBy(tt.a.Code))); !slices.Equal(got, tt.want) {
				t.Errorf("bad fields %v; want %v", got, tt.want)
			}
		})
	}
	in := input("sms")
	if got, want := fieldNames(t, in.ValidateWith(nil, nil, false)), []string{"channel:value", "procedure:unknown", "agency:unknown"}; !slices.Equal(got, want) {
		t.Errorf("bad fields %v; want %v", got, want)
	}
}

func TestDossierID(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		id := motcua.NewDossierID()
		if !motcua.IsDossierID(id) || seen[id] {
			t.Fatalf("NewDossierID() = %q: not a fresh dossier ID", id)
		}
		seen[id] = true
	}
	for _, ref := range []string{
		"000.01.31.H26-261130-0001", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxy", "abcdefghijklmnopqrstuvwxy1",
	} {
		if motcua.IsDossierID(ref) {
			t.Errorf("IsDossierID(%q) = true", ref)
		}
	}
}
