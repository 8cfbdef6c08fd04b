package sqlstore_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// TestActionsFromSnapshots applies actions to one dossier from two DBs on
// the same database, as two serving processes would: each DB computes
// from the state it wrote last when it still is the dossier's, and from a
// fresh read when the other changed it since. Every answer is the dossier
// as a fresh read decodes it, and the stored document is its encoding.
func TestActionsFromSnapshots(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		other := testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: s.clock})
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		d := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)

		steps := []struct {
			db      motcua.DossierService
			req     motcua.ActionRequest
			wantErr string // a code, for a request refused
		}{
			{s.DB, motcua.ActionRequest{Action: motcua.ActionStart}, ""},
			{s.DB, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Bản sao CCCD"}}, ""},
			// The other process answers: this one's snapshot is stale.
			{other, motcua.ActionRequest{Action: motcua.ActionSupplement}, ""},
			{s.DB, motcua.ActionRequest{Action: motcua.ActionReady}, ""},
			// A version the dossier has left behind is refused, snapshot
			// or not.
			{s.DB, motcua.ActionRequest{Action: motcua.ActionReturn, Version: 2}, motcua.ECONFLICT},
			{other, motcua.ActionRequest{Action: motcua.ActionReturn}, ""},
		}
		for i, st := range steps {
			s.clock.Advance(time.Hour)
			got, err := st.db.ApplyAction(ctx, d.Code, st.req)
			if st.wantErr != "" {
				wantError(t, err, st.wantErr)
				continue
			}
			if err != nil {
				t.Fatalf("step %d (%s): %v", i, st.req.Action, err)
			}
			fresh, err := other.FindDossier(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fresh, stored(got)) {
				t.Fatalf("step %d (%s): answered\n%+v\nread back\n%+v", i, st.req.Action, stored(got), fresh)
			}
			doc, err := s.FindDossierJSON(ctx, d.Code)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(fresh)
			if string(doc) != string(want) {
				t.Fatalf("step %d (%s): stored document\n%s\nwant\n%s", i, st.req.Action, doc, want)
			}
		}
		rep, err := s.VerifyDossiers(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("VerifyDossiers = %+v, %v", rep, err)
		}
	})
}
