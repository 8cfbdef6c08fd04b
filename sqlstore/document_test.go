package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"motcua"
	"motcua/internal/testkit"
)

// TestDossierDocument checks that the document a look-up answers with is,
// after every kind of write, exactly the JSON of the dossier FindDossier
// reads, by ID and by code, that the due time's explanation and the flow
// are kept in the document only, and that a row without a document
// (written before documents were kept) is encoded on read and can be acted
// on.
func TestDossierDocument(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		same := func(t *testing.T, step string, d *motcua.Dossier) {
			t.Helper()
			want, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			read, err := s.FindDossier(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(read); string(b) != string(want) {
				t.Errorf("%s: FindDossier differs from the dossier written:\n%s\n%s", step, b, want)
			}
			refs := []string{d.ID}
			if d.Code != "" {
				refs = append(refs, d.Code)
			}
			for _, ref := range refs {
				doc, err := s.FindDossierJSON(ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				if string(doc) != string(want) {
					t.Errorf("%s: document of %s =\n%s\nwant\n%s", step, ref, doc, want)
				}
			}
		}

		d := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
		same(t, "counter", d)
		for _, a := range []string{motcua.ActionStart, motcua.ActionRequestSupplement, motcua.ActionSupplement, motcua.ActionReady, motcua.ActionReturn} {
			d = s.mustApply(t, d.ID, a)
			same(t, a, d)
		}
		same(t, "online, awaiting intake", s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelOnline))
		same(t, "online, received at once", s.mustCreate(t, testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelOnline))
		ds, err := s.CreateDossiers(ctx, []*motcua.DossierInput{
			testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelPost),
			testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelOnline),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			same(t, "bulk", d)
		}

		// The due time's explanation and the flow are in the documents
		// only.
		res := s.exec(t, `UPDATE dossiers SET version = version WHERE flow <> '{}' OR due_explanation IS NOT NULL`)
		if n, err := res.RowsAffected(); err != nil || n != 0 {
			t.Errorf("%d rows hold an explanation or a flow out of their document (%v); want none", n, err)
		}

		s.forgetDocument(t, d)
		same(t, "without a stored document", d)
		open := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
		s.forgetDocument(t, open)
		same(t, "open, without a stored document", open)
		same(t, "acted on without a stored document", s.mustApply(t, open.ID, motcua.ActionStart))

		if _, err := s.FindDossierJSON(ctx, "000.00.12.H26-261130-9999"); motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Errorf("unknown code: %v; want ENOTFOUND", err)
		}
		if _, err := s.FindDossierJSON(ctx, motcua.NewDossierID()); motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Errorf("unknown ID: %v; want ENOTFOUND", err)
		}
		// A key read that does not watch its context still does not start
		// once the context is done.
		done, cancel := context.WithCancel(ctx)
		cancel()
		kept := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
		if doc, err := s.FindDossierJSON(done, kept.Code); !errors.Is(err, context.Canceled) || doc != "" {
			t.Errorf("look-up with a done context: %.20q, %v; want context.Canceled", doc, err)
		}
	})
}
