package sqlstore_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// TestPreparedReceipts writes receipts prepared out of the committers, in
// and out of the order of their times: each is stored as answered, with
// its code and chain in place of the stand-in, and an agency's codes
// follow its receipt times — a receipt prepared before one already
// written is received at its batch's time instead.
func TestPreparedReceipts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpenStore(t, dsn)
		prepare := func(channel string) *sqlstore.PendingReceipt {
			t.Helper()
			procedure := testkit.ProcedureBirth
			if channel == "auto" {
				// Received as it is submitted: the code is in the second
				// event.
				procedure, channel = testkit.ProcedureCopy, motcua.ChannelOnline
			}
			p, err := s.PrepareReceipt(ctx, testkit.DossierInput(procedure, testkit.AgencyCommune, channel))
			if err != nil {
				t.Fatal(err)
			}
			s.clock.Advance(time.Second)
			return p
		}
		check := func(got *motcua.Dossier) {
			t.Helper()
			fresh, err := s.FindDossier(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fresh, stored(got)) {
				t.Fatalf("answered\n%+v\nread back\n%+v", stored(got), fresh)
			}
			doc, err := s.FindDossierJSON(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(fresh)
			if string(doc) != string(want) || string(got.Document) != string(want) {
				t.Fatalf("stored document\n%s\nanswered\n%s\nwant\n%s", doc, got.Document, want)
			}
			if strings.Contains(string(doc), "code-") {
				t.Fatalf("the stand-in for the code is left in\n%s", doc)
			}
		}
		number := func(d *motcua.Dossier) string { return d.Code[strings.LastIndexByte(d.Code, '-')+1:] }

		t0 := s.clock.Now()
		a, b, online, auto := prepare(motcua.ChannelCounter), prepare(motcua.ChannelCounter), prepare(motcua.ChannelOnline), prepare("auto")
		ds, err := s.InsertReceipts(ctx, a, b, online, auto)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			check(d)
		}
		if number(ds[0]) != "0001" || number(ds[1]) != "0002" || ds[2].Code != "" || number(ds[3]) != "0003" || len(ds[3].Events) != 2 {
			t.Errorf("codes %q, %q, %q, %q (%d events); want numbers 0001, 0002, none and 0003 (2 events)",
				ds[0].Code, ds[1].Code, ds[2].Code, ds[3].Code, len(ds[3].Events))
		}
		if !ds[0].ReceivedAt.Equal(t0) || !ds[1].ReceivedAt.Equal(t0.Add(time.Second)) {
			t.Errorf("received at %v, %v; want the times prepared at %v, %v", ds[0].ReceivedAt, ds[1].ReceivedAt, t0, t0.Add(time.Second))
		}

		// Out of order: the earlier receipt comes second.
		early, late := prepare(motcua.ChannelCounter), prepare(motcua.ChannelCounter)
		batchAt := s.clock.Now()
		ds, err = s.InsertReceipts(ctx, late, early)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			check(d)
		}
		if number(ds[0]) != "0004" || number(ds[1]) != "0005" {
			t.Errorf("codes %q, %q; want numbers 0004, 0005", ds[0].Code, ds[1].Code)
		}
		if !ds[1].ReceivedAt.Equal(batchAt) || !ds[0].ReceivedAt.Before(*ds[1].ReceivedAt) {
			t.Errorf("received at %v then %v; want the later code at the batch's time %v", ds[0].ReceivedAt, ds[1].ReceivedAt, batchAt)
		}
		// Written together, as a batch's first run writes them: one
		// statement per table (one in all on PostgreSQL).
		ds, err = s.InsertReceiptsTogether(ctx, prepare(motcua.ChannelCounter), prepare(motcua.ChannelOnline), prepare("auto"), prepare(motcua.ChannelCounter))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			check(d)
		}
		if number(ds[0]) != "0006" || ds[1].Code != "" || number(ds[2]) != "0007" || number(ds[3]) != "0008" {
			t.Errorf("codes %q, %q, %q, %q; want numbers 0006, none, 0007, 0008", ds[0].Code, ds[1].Code, ds[2].Code, ds[3].Code)
		}
		if rep, err := s.VerifyDossiers(ctx); err != nil || !rep.OK {
			t.Fatalf("VerifyDossiers = %+v, %v", rep, err)
		}
	})
}
