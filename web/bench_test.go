package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"motcua"
)

// benchDossier is a received dossier with five events, as a look-up
// returns it.
func benchDossier() *motcua.Dossier {
	at := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	due := at.Add(48 * time.Hour)
	d := &motcua.Dossier{
		ID: motcua.NewDossierID(), Code: "000.01.31.H26-261130-0001", ProcedureCode: "DEMO-HT-001", ProcedureVersion: 1,
		AgencyCode: "000.01.31.H26", UnitCode: "00001", Channel: motcua.ChannelCounter,
		Applicant: motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: "001090012345",
			Phone: "0912345678", Email: "an@example.vn", Address: "Phường Phúc Xá, Quận Ba Đình, Hà Nội"},
		Form:        json.RawMessage(`{"child_name":"Nguyễn Minh Khang","birth_date":"2026-11-20","father":"Nguyễn Văn An"}`),
		Attachments: []motcua.Attachment{{Name: "giay-chung-sinh.pdf", Size: 120334}},
		Status:      motcua.StatusProcessing, SubmittedAt: at, ReceivedAt: &at, DueAt: &due,
		DueExplanation: &motcua.Due{At: due, SummaryVI: "Hạn xử lý 09:00 thứ Tư, 02/12/2026: 2 ngày làm việc.",
			SummaryEN: "Due 09:00 Wednesday, 2 December 2026: 2 working days.",
			Explanation: []motcua.DueStep{
				{Date: "2026-11-30", Kind: motcua.StepStart, ReasonVI: "Nhận hồ sơ lúc 09:00", ReasonEN: "Received at 09:00"},
				{Date: "2026-11-30", Kind: motcua.StepWorked, ReasonVI: "Làm việc 09:00–12:00, 13:00–17:00", ReasonEN: "Working time 09:00–12:00, 13:00–17:00"},
				{Date: "2026-12-01", Kind: motcua.StepWorked, ReasonVI: "Làm việc 08:00–12:00, 13:00–17:00", ReasonEN: "Working time 08:00–12:00, 13:00–17:00"},
			}},
		Version: 5,
	}
	for i, a := range []string{motcua.ActionReceive, motcua.ActionStart, motcua.ActionRequestSupplement, motcua.ActionSupplement, motcua.ActionStart} {
		d.Events = append(d.Events, &motcua.Event{DossierID: d.ID, Seq: i + 1, Action: a, Actor: motcua.BootstrapAdmin,
			At: at.Add(time.Duration(i) * time.Minute), FromStatus: motcua.StatusReceived, ToStatus: motcua.StatusProcessing,
			Payload: json.RawMessage(`{"note":"Đã kiểm tra thành phần hồ sơ"}`)})
	}
	motcua.Chain("", d.Events)
	return d
}

// BenchmarkGetDossier measures the web layer of a dossier look-up (auth,
// middleware, logging, metrics, encoding) over a store that answers at
// once; BenchmarkGetUnit the same stack for the row read of the baseline.
func BenchmarkGetDossier(b *testing.B) {
	d := benchDossier()
	benchGet(b, &fakeStore{FindDossierFn: func(context.Context, string) (*motcua.Dossier, error) { return d, nil }},
		"/api/v1/dossiers/"+d.Code)
}

func BenchmarkGetUnit(b *testing.B) {
	u := &motcua.Unit{Code: "00001", Name: "Phường Phúc Xá", Type: "Phường", Level: 3, ParentCode: "001"}
	benchGet(b, &fakeStore{FindUnitFn: func(context.Context, string) (*motcua.Unit, error) { return u, nil }},
		"/api/v1/units/00001")
}

func benchGet(b *testing.B, store *fakeStore, path string) {
	s := NewServer(Config{Store: store, AdminToken: testToken, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := s.Handler()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkDossierScope measures decoding what decides who may see a
// dossier from its document, which a staff member's or a citizen's
// look-up does besides the administrator's.
func BenchmarkDossierScope(b *testing.B) {
	doc, err := json.Marshal(benchDossier())
	if err != nil {
		b.Fatal(err)
	}
	s := string(doc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dossierScope(s); err != nil {
			b.Fatal(err)
		}
	}
}
