package report

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"motcua"
)

func TestOutcome(t *testing.T) {
	due := at(2026, time.March, 5, 9, 15)
	tests := []struct {
		name      string
		done, due time.Time
		want      string
	}{
		{"day before", at(2026, time.March, 4, 16, 0), due, Early},
		{"days before", at(2026, time.March, 2, 10, 0), due, Early},
		{"due day, earlier", at(2026, time.March, 5, 8, 0), due, OnTime},
		{"exactly due", due, due, OnTime},
		{"a minute late", due.Add(time.Minute), due, Late},
		{"next day", at(2026, time.March, 6, 8, 0), due, Late},
		{"open", time.Time{}, due, ""},
		{"no due time", due, time.Time{}, ""},
		// 23:30 UTC on 4 March is 06:30 on 5 March in Hanoi: the due day.
		{"zone of the day", time.Date(2026, time.March, 4, 23, 30, 0, 0, time.UTC), due, OnTime},
		// 16:59 UTC on 4 March is 23:59 on 4 March in Hanoi: the day before.
		{"zone of the day before", time.Date(2026, time.March, 4, 16, 59, 0, 0, time.UTC), due, Early},
	}
	for _, tt := range tests {
		if got := Outcome(tt.done, tt.due); got != tt.want {
			t.Errorf("%s: Outcome(%v, %v) = %q, want %q", tt.name, tt.done, tt.due, got, tt.want)
		}
		s := Step{Name: "x", DoneAt: tt.done, DueAt: tt.due}
		if got := s.Outcome(); got != tt.want {
			t.Errorf("%s: Step.Outcome() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		form   Form
		change func(d *Document)
		want   []string // the fields named by the error, nil for none
	}{
		{"receipt ok", Receipt, nil, nil},
		{"supplement ok", SupplementRequest, nil, nil},
		{"refusal ok", Refusal, nil, nil},
		{"apology ok", Apology, nil, nil},
		{"stop ok", StopNotice, nil, nil},
		{"control ok", ControlSlip, nil, nil},
		{"receipt without documents is fine", Receipt, func(d *Document) { d.Documents = nil }, nil},
		{"no verification address is fine", Receipt, func(d *Document) { d.VerifyURL = "" }, nil},
		{"unknown form", Form(7), nil, []string{"form"}},
		{"zero form", Form(0), nil, []string{"form"}},
		{"common fields", Refusal, func(d *Document) {
			d.Issuer, d.Place, d.IssuedAt, d.DossierCode, d.Procedure, d.Applicant.Name = " ", "", time.Time{}, "", "", ""
		}, []string{"issuer", "place", "issued_at", "dossier_code", "procedure", "applicant.name"}},
		{"receipt times", Receipt, func(d *Document) { d.ReceivedAt, d.DueAt = time.Time{}, time.Time{} },
			[]string{"received_at", "due_at"}},
		{"receipt document", Receipt, func(d *Document) { d.Documents[1].Name = ""; d.Documents[2].Copies = -1 },
			[]string{"documents[1].name", "documents[2].copies"}},
		{"supplement without items", SupplementRequest, func(d *Document) { d.Items = nil }, []string{"items"}},
		{"supplement blank item", SupplementRequest, func(d *Document) { d.Items[1] = "  " }, []string{"items[1]"}},
		{"supplement without receipt", SupplementRequest, func(d *Document) { d.ReceivedAt = time.Time{} }, []string{"received_at"}},
		{"refusal without reasons", Refusal, func(d *Document) { d.Reasons = nil }, []string{"reasons"}},
		{"refusal without receipt time is fine", Refusal, func(d *Document) { d.ReceivedAt = time.Time{} }, nil},
		{"apology fields", Apology, func(d *Document) { d.NewDueAt, d.Apology = time.Time{}, "" },
			[]string{"new_due_at", "apology"}},
		{"apology earlier appointment", Apology, func(d *Document) { d.NewDueAt = d.DueAt.Add(-time.Hour) },
			[]string{"new_due_at"}},
		{"apology without due", Apology, func(d *Document) { d.DueAt = time.Time{} }, []string{"due_at"}},
		{"stop without reasons", StopNotice, func(d *Document) { d.Reasons = []string{} }, []string{"reasons"}},
		{"control without steps", ControlSlip, func(d *Document) { d.Steps = nil }, []string{"steps"}},
		{"control bad steps", ControlSlip, func(d *Document) {
			d.Steps[0].Name = ""
			d.Steps[1].HandedAt = time.Time{}
			d.Steps[2].DoneAt = d.Steps[2].HandedAt.Add(-time.Minute)
		}, []string{"steps[0].name", "steps[1].handed_at", "steps[2].done_at"}},
		{"control open step is fine", ControlSlip, func(d *Document) { d.Steps[3].DoneAt = time.Time{} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.form
			if !f.Valid() {
				f = Receipt
			}
			d := sampleDocument(f)
			d.Form = tt.form
			if tt.change != nil {
				tt.change(d)
			}
			err := d.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *motcua.Error
			if !errors.As(err, &e) || e.Code != motcua.EINVALID {
				t.Fatalf("Validate() = %v, want an EINVALID *motcua.Error", err)
			}
			var got []string
			for _, fe := range e.Fields {
				got = append(got, fe.Field)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate() names %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}
