package sqlstore

import (
	"encoding/json"
	"testing"
	"time"

	"motcua"
)

// TestEncodeDocument checks that a document spliced from its events'
// JSON, reused or not, is the dossier's encoding byte for byte.
func TestEncodeDocument(t *testing.T) {
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	d := &motcua.Dossier{ID: "d", Code: "c", Status: motcua.StatusProcessing, SubmittedAt: at, Version: 3,
		Form: json.RawMessage(`{"a": "<b>&"}`), Applicant: motcua.Applicant{Name: "Nguyễn Văn An"}}
	for i := range 3 {
		d.Events = append(d.Events, &motcua.Event{DossierID: "d", Seq: i + 1, Action: "a<>&", At: at,
			Payload: json.RawMessage(`{"x": [1, 2], "y": "\u00e9"}`), Hash: "h"})
	}
	for _, tc := range []struct {
		name   string
		events int
		prior  int
	}{{"no events", 0, 0}, {"one event", 1, 0}, {"three events", 3, 0}, {"reusing one", 3, 1}, {"reusing all", 3, 3}, {"prior too long", 2, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			x := *d
			x.Events = d.Events[:tc.events]
			want, err := json.Marshal(&x)
			if err != nil {
				t.Fatal(err)
			}
			var prior eventsJSON
			if tc.prior > 0 {
				y := *d
				y.Events = d.Events[:tc.prior]
				_, prior, err = encodeDocument(&y, eventsJSON{})
				if err != nil {
					t.Fatal(err)
				}
			}
			got, evs, err := encodeDocument(&x, prior)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("document\n%s\nwant\n%s", got, want)
			}
			if evs.n != tc.events {
				t.Errorf("events JSON of %d events; want %d", evs.n, tc.events)
			}
		})
	}
}
