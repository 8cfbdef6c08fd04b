package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// TestPurge walks a store through each retention period: a record is
// kept a microsecond before its period has passed and purged when it
// has, by a preview (which changes nothing) and a purge alike; dossiers
// and the audit log are never touched; each purge that changed
// something is audited; an anonymised citizen owns no data any more and
// signs in again as someone new.
func TestPurge(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		r := motcua.Retention{Sessions: 30 * motcua.Day, IdempotencyKeys: 10 * motcua.Day, Alerts: 365 * motcua.Day,
			InactiveCitizens: 1825 * motcua.Day}

		// At testNow: a dossier created with an idempotency key, whose
		// applicant signs in; a staff session ending 12 hours later.
		d, _, err := s.CreateDossier(ctx, testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter), "key-1")
		if err != nil {
			t.Fatal(err)
		}
		applicant := d.Applicant.IDNumber
		an, err := s.SignInCitizen(ctx, &motcua.Citizen{Issuer: "https://id.example.vn", Subject: "vneid-an", Name: d.Applicant.Name,
			IDNumber: applicant, Phone: "0912345678", Email: "an@example.vn", EmailVerified: true, Address: "Hà Nội"})
		if err != nil {
			t.Fatal(err)
		}
		sessionEnd := testNow.Add(12 * time.Hour)
		if err := s.CreateSession(ctx, sessionHash("staff"), newSession("an.nv", 12*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// The alerts of the dossier's due times, emitted at testNow+30m.
		alertAt := testNow.Add(30 * time.Minute)
		if err := s.WriteDeadlines(ctx, d.ID, []motcua.Deadline{deadline(d.ID, 0, 10*time.Minute, 20*time.Minute)}); err != nil {
			t.Fatal(err)
		}
		alerts := s.mustScan(t, 30*time.Minute, 100)
		if alerts == 0 {
			t.Fatal("no alert was emitted")
		}
		// An hour later the dossier changes: the applicant's last activity.
		s.clock.Set(testNow.Add(time.Hour))
		d = s.mustApply(t, d.ID, motcua.ActionStart)
		lastChange := s.clock.Now()
		// Two hours later another citizen, with no dossier, signs in,
		// and keeps a session open far into the future.
		s.clock.Set(testNow.Add(2 * time.Hour))
		chi, err := s.SignInCitizen(ctx, &motcua.Citizen{Issuer: "https://id.example.vn", Subject: "vneid-chi", Name: "Lê Thị Chi",
			IDNumber: "001190054321"})
		if err != nil {
			t.Fatal(err)
		}
		chiSession := &motcua.Session{Kind: motcua.SessionCitizen, Subject: chi.ID, CSRF: "c", CreatedAt: s.clock.Now(),
			LastSeenAt: s.clock.Now(), ExpiresAt: s.clock.Now().Add(3650 * motcua.Day), IP: "203.0.113.9", UserAgent: "Chrome"}
		if err := s.CreateSession(ctx, sessionHash("chi"), chiSession); err != nil {
			t.Fatal(err)
		}
		doc, err := s.FindDossierJSON(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		before, err := s.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name string
			at   time.Time // when the record's period has passed
			want motcua.PurgeReport
		}{
			{"IdempotencyKey", testNow.Add(r.IdempotencyKeys), motcua.PurgeReport{IdempotencyKeys: 1}},
			{"Session", sessionEnd.Add(r.Sessions), motcua.PurgeReport{Sessions: 1}},
			{"Alerts", alertAt.Add(r.Alerts), motcua.PurgeReport{Alerts: int64(alerts)}},
			{"CitizenWithADossier", lastChange.Add(r.InactiveCitizens), motcua.PurgeReport{Citizens: 1}},
			{"CitizenWithout", testNow.Add(2 * time.Hour).Add(r.InactiveCitizens), motcua.PurgeReport{Citizens: 1}},
		}
		purges := 0
		for _, st := range steps {
			for _, at := range []time.Time{st.at.Add(-time.Microsecond), st.at} {
				want := motcua.PurgeReport{}
				if at.Equal(st.at) {
					want = st.want
				}
				want.At, want.DryRun = at, true
				if got, err := s.PreviewPurge(ctx, at, r); err != nil || got != want {
					t.Fatalf("%s: PreviewPurge(%s) = %+v, %v; want %+v", st.name, at, got, err, want)
				}
				want.DryRun = false
				if got, err := s.Purge(ctx, at, r); err != nil || got != want {
					t.Fatalf("%s: Purge(%s) = %+v, %v; want %+v", st.name, at, got, err, want)
				}
				if want.Changed() {
					purges++
				}
			}
		}

		// Every purge that changed something is audited, and the chain holds.
		recs, err := s.FindAudit(ctx, motcua.AuditFilter{Action: motcua.AuditRetention})
		if err != nil || len(recs) != purges {
			t.Fatalf("retention records = %d, %v; want %d", len(recs), err, purges)
		}
		for i, rec := range recs {
			want := steps[i].want.String() + "; retention " + r.String()
			if rec.Detail != want || !rec.At.Equal(steps[i].at) || !rec.Actor.Same(motcua.SystemActor) || rec.Object != "retention" {
				t.Errorf("retention record %d = %+v; want detail %q at %s", i, rec, want, steps[i].at)
			}
		}
		after, err := s.VerifyAudit(ctx)
		if err != nil || len(after.Broken) > 0 || after.Records != before.Records+int64(purges) {
			t.Fatalf("VerifyAudit = %+v, %v; want %d records, unbroken", after, err, before.Records+int64(purges))
		}

		// The dossier is as it was, its history intact.
		if got, err := s.FindDossierJSON(ctx, d.ID); err != nil || got != doc {
			t.Errorf("the dossier changed: %s, %v", got, err)
		}
		if rep, err := s.VerifyDossiers(ctx); err != nil || len(rep.Problems) > 0 {
			t.Errorf("VerifyDossiers = %+v, %v", rep, err)
		}

		// The citizens are anonymised: no identification number (no
		// dossier is theirs), no sessions, no subject at the provider.
		for _, c := range []*motcua.Citizen{an, chi} {
			got, err := s.FindCitizen(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "" || got.IDNumber != "" || got.Phone != "" || got.Email != "" || got.EmailVerified || got.Address != "" ||
				!strings.HasPrefix(got.Subject, "anonymised:") || got.Issuer != c.Issuer || !got.CreatedAt.Equal(c.CreatedAt) {
				t.Errorf("citizen %s after the purge = %+v", c.ID, got)
			}
			if ss, err := s.FindSessions(ctx, motcua.SessionCitizen, c.ID, 10); err != nil || len(ss) != 0 {
				t.Errorf("sessions of %s = %v, %v; want none", c.ID, ss, err)
			}
		}
		if docs, err := s.FindDossiersOfPerson(ctx, applicant, 10); err != nil || len(docs) != 1 {
			t.Errorf("dossiers of the applicant = %d, %v; the dossier keeps its applicant", len(docs), err)
		}
		// A purge with nothing to do appends nothing.
		last := steps[len(steps)-1].at
		if got, err := s.Purge(ctx, last, r); err != nil || got.Changed() {
			t.Errorf("purge again = %+v, %v; want nothing", got, err)
		}
		if recs, _ := s.FindAudit(ctx, motcua.AuditFilter{Action: motcua.AuditRetention}); len(recs) != purges {
			t.Errorf("retention records = %d; want still %d", len(recs), purges)
		}

		// Signing in again makes a new profile.
		again, err := s.SignInCitizen(ctx, &motcua.Citizen{Issuer: an.Issuer, Subject: an.Subject, Name: an.Name, IDNumber: applicant})
		if err != nil || again.ID == an.ID || again.IDNumber != applicant {
			t.Fatalf("sign-in after the purge = %+v, %v; want a new profile", again, err)
		}
	})
}

// TestPurgeBatches purges more rows than one transaction takes.
func TestPurgeBatches(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		const n = 2345
		for i := range n {
			if err := s.CreateSession(ctx, sessionHash("s"+strconv.Itoa(i)), newSession("an", time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		now := testNow.Add(time.Hour + motcua.Day)
		r := motcua.DefaultRetention()
		r.Sessions = motcua.Day
		if got, err := s.Purge(ctx, now, r); err != nil || got.Sessions != n {
			t.Fatalf("Purge = %+v, %v; want %d sessions", got, err, n)
		}
	})
}

func TestPurgeInvalid(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		short := motcua.DefaultRetention()
		short.Alerts = time.Hour
		for _, tt := range []struct {
			name string
			now  time.Time
			r    motcua.Retention
		}{
			{"ZeroRetention", testNow, motcua.Retention{}},
			{"UnderADay", testNow, short},
			{"ZeroTime", time.Time{}, motcua.DefaultRetention()},
		} {
			_, err := s.Purge(ctx, tt.now, tt.r)
			wantError(t, err, motcua.EINVALID)
			_, err = s.PreviewPurge(ctx, tt.now, tt.r)
			wantError(t, err, motcua.EINVALID)
		}
	})
}
