package motcua_test

import (
	"slices"
	"strings"
	"testing"

	"motcua"
)

// fieldNames returns the names of the fields in err, an *motcua.Error, or
// nil when err is nil.
func fieldNames(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := err.(*motcua.Error)
	if !ok || e.Code != motcua.EINVALID {
		t.Fatalf("error %v; want an *motcua.Error with code %s", err, motcua.EINVALID)
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field+":"+f.Reason)
	}
	return names
}

func TestApplicantValidate(t *testing.T) {
	citizen := func(id string) motcua.Applicant {
		return motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: id}
	}
	business := func(tax string) motcua.Applicant {
		return motcua.Applicant{Kind: motcua.ApplicantBusiness, Name: "Công ty TNHH Sen Vàng", TaxCode: tax}
	}
	foreigner := func(passport, nationality string) motcua.Applicant {
		return motcua.Applicant{Kind: motcua.ApplicantForeigner, Name: "John Smith", Passport: passport, Nationality: nationality}
	}
	withPhone := func(a motcua.Applicant, phone string) motcua.Applicant { a.Phone = phone; return a }
	withEmail := func(a motcua.Applicant, email string) motcua.Applicant { a.Email = email; return a }
	withRep := func(a motcua.Applicant, r motcua.Representative) motcua.Applicant { a.Representative = &r; return a }

	tests := []struct {
		name string
		a    motcua.Applicant
		want []string // bad fields as field:reason
	}{
		{"citizen", citizen("001090000001"), nil},
		{"citizen with spaces", citizen(" 001090000001 "), nil},
		{"citizen from province 096", citizen("096190000001"), nil},
		{"citizen 11 digits", citizen("00109000000"), []string{"x.id_number:format"}},
		{"citizen 13 digits", citizen("0010900000012"), []string{"x.id_number:format"}},
		{"citizen province 000", citizen("000090000001"), []string{"x.id_number:format"}},
		{"citizen province 097", citizen("097090000001"), []string{"x.id_number:format"}},
		{"citizen letters", citizen("00109000000A"), []string{"x.id_number:format"}},
		{"citizen without ID", citizen(""), []string{"x.id_number:format"}},
		{"business 10 digits", business("0101234567"), nil},
		{"business 13 digits with hyphen", business("0101234567-001"), nil},
		{"business 13 digits without hyphen", business("0101234567001"), nil},
		{"business with spaces", business("0101 234 567"), nil},
		{"business 9 digits", business("010123456"), []string{"x.tax_code:format"}},
		{"business 12 digits", business("010123456700"), []string{"x.tax_code:format"}},
		{"business short branch", business("0101234567-01"), []string{"x.tax_code:format"}},
		{"business letters", business("01012345AB"), []string{"x.tax_code:format"}},
		{"foreigner", foreigner("B1234567", "USA"), nil},
		{"foreigner lower case", foreigner("b1234567", "us"), nil},
		{"foreigner short passport", foreigner("B1234", "US"), []string{"x.passport:format"}},
		{"foreigner passport with space", foreigner("B12 34567", "US"), []string{"x.passport:format"}},
		{"foreigner bad nationality", foreigner("B1234567", "U"), []string{"x.nationality:format"}},
		{"foreigner missing both", foreigner("", ""), []string{"x.passport:format", "x.nationality:format"}},
		{"no kind", motcua.Applicant{Name: "An"}, []string{"x.kind:required"}},
		{"unknown kind", motcua.Applicant{Kind: "robot", Name: "An"}, []string{"x.kind:value"}},
		{"no name", motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: " ", IDNumber: "001090000001"}, []string{"x.name:required"}},
		{"mobile phone", withPhone(citizen("001090000001"), "0912 345 678"), nil},
		{"landline", withPhone(citizen("001090000001"), "(024) 3825-1234"), nil},
		{"international phone", withPhone(citizen("001090000001"), "+84 912.345.678"), nil},
		{"international phone with 0", withPhone(citizen("001090000001"), "+840912345678"), []string{"x.phone:format"}},
		{"phone without 0", withPhone(citizen("001090000001"), "912345678"), []string{"x.phone:format"}},
		{"phone with letters", withPhone(citizen("001090000001"), "09123456ab"), []string{"x.phone:format"}},
		{"email", withEmail(citizen("001090000001"), "an@example.vn"), nil},
		{"email with name", withEmail(citizen("001090000001"), "An <an@example.vn>"), []string{"x.email:format"}},
		{"email without domain dot", withEmail(citizen("001090000001"), "an@localhost"), []string{"x.email:format"}},
		{"email without at", withEmail(citizen("001090000001"), "an.example.vn"), []string{"x.email:format"}},
		{"representative", withRep(citizen("001090000001"), motcua.Representative{Name: "Trần Thị Bình", IDNumber: "001190000002", Relation: "mẹ"}), nil},
		{"representative with passport", withRep(citizen("001090000001"), motcua.Representative{Name: "John Smith", Passport: "B1234567"}), nil},
		{"representative without papers", withRep(citizen("001090000001"), motcua.Representative{Name: "Bình"}), []string{"x.representative.id_number:required"}},
		{"representative bad", withRep(citizen("001090000001"), motcua.Representative{IDNumber: "123", Passport: "x", Phone: "1"}),
			[]string{"x.representative.name:required", "x.representative.id_number:format", "x.representative.passport:format", "x.representative.phone:format"}},
		{"long name", motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: strings.Repeat("Ă", 201), IDNumber: "001090000001"}, []string{"x.name:too_long"}},
		{"longest name", motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: strings.Repeat("Ă", 200), IDNumber: "001090000001"}, nil},
		{"long address", motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "An", IDNumber: "001090000001", Address: strings.Repeat("đ", 501)}, []string{"x.address:too_long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			a.Normalize()
			var fs motcua.Fields
			a.Validate("x.", &fs)
			if got := fieldNames(t, fs.Err()); !slices.Equal(got, tt.want) {
				t.Errorf("bad fields %v; want %v", got, tt.want)
			}
		})
	}
}

func TestApplicantNormalize(t *testing.T) {
	a := motcua.Applicant{
		Kind: " business ", Name: "  Công   ty\tSen  Vàng ", TaxCode: " 0101234567 001 ",
		Passport: " b123456 ", Nationality: " vn ", Phone: " 0912.345.678 ", Email: " an@example.vn ", Address: " Hà Nội ",
		Representative: &motcua.Representative{Name: " Trần  Bình ", IDNumber: " 001190000002 ", Passport: " c765432 ", Phone: "(024) 3825 1234", Relation: " giám đốc "},
	}
	a.Normalize()
	want := motcua.Applicant{
		Kind: "business", Name: "Công ty Sen Vàng", TaxCode: "0101234567-001",
		Passport: "B123456", Nationality: "VN", Phone: "0912345678", Email: "an@example.vn", Address: "Hà Nội",
	}
	wantRep := motcua.Representative{Name: "Trần Bình", IDNumber: "001190000002", Passport: "C765432", Phone: "02438251234", Relation: "giám đốc"}
	rep := a.Representative
	a.Representative = nil
	if a != want {
		t.Errorf("Normalize = %+v; want %+v", a, want)
	}
	if *rep != wantRep {
		t.Errorf("representative = %+v; want %+v", *rep, wantRep)
	}
}

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		in    string
		want  bool
	}{
		{"id", motcua.ValidIDNumber, "001090000001", true},
		{"id", motcua.ValidIDNumber, "", false},
		{"tax", motcua.ValidTaxCode, "0101234567", true},
		{"tax", motcua.ValidTaxCode, "0101234567-001", true},
		{"tax", motcua.ValidTaxCode, "0101234567001", false}, // not canonical
		{"tax", motcua.ValidTaxCode, "0101234567_001", false},
		{"passport", motcua.ValidPassport, "AB123456", true},
		{"passport", motcua.ValidPassport, "ab123456", false},
		{"passport", motcua.ValidPassport, strings.Repeat("A", 21), false},
		{"nationality", motcua.ValidNationality, "VN", true},
		{"nationality", motcua.ValidNationality, "VNM", true},
		{"nationality", motcua.ValidNationality, "V1", false},
		{"phone", motcua.ValidPhone, "0912345678", true},
		{"phone", motcua.ValidPhone, "02438251234", true},
		{"phone", motcua.ValidPhone, "+84912345678", true},
		{"phone", motcua.ValidPhone, "+8491234567", false},
		{"phone", motcua.ValidPhone, "091234567", false},
		{"email", motcua.ValidEmail, "a.b+c@x.gov.vn", true},
		{"email", motcua.ValidEmail, "a@b", false},
		{"email", motcua.ValidEmail, strings.Repeat("a", 250) + "@x.vn", false},
	}
	for _, tt := range tests {
		if got := tt.valid(tt.in); got != tt.want {
			t.Errorf("%s %q valid = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
}
