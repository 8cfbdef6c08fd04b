package sqlstore_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

func TestPersonalDossiers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		person := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter).Applicant.IDNumber
		first := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		s.clock.Advance(time.Minute)
		second := s.mustCreate(t, testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelCounter)
		second = s.mustApply(t, second.ID, motcua.ActionStart)
		// Another citizen's dossier, and a business's.
		other := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		other.Applicant.IDNumber = "001190054321"
		business := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		business.Applicant = motcua.Applicant{Kind: motcua.ApplicantBusiness, Name: "Công ty TNHH An Bình", TaxCode: "0101234567",
			Representative: &motcua.Representative{Name: "Nguyễn Văn An", IDNumber: person}}
		for _, in := range []*motcua.DossierInput{other, business} {
			if _, _, err := s.CreateDossier(ctx, in, ""); err != nil {
				t.Fatal(err)
			}
		}

		docs, err := s.FindDossiersOfPerson(ctx, person, 10)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]byte
		for _, d := range []*motcua.Dossier{second, first} { // the newest first
			doc, err := s.FindDossierJSON(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, []byte(doc))
		}
		if len(docs) != len(want) || !bytes.Equal(docs[0], want[0]) || !bytes.Equal(docs[1], want[1]) {
			t.Fatalf("FindDossiersOfPerson = %s; want %s", docs, want)
		}
		for _, tt := range []struct {
			name, id string
			limit    int
			want     int
		}{
			{"Limit", person, 1, 1},
			{"NoLimit", person, 0, 0},
			{"NoNumber", "", 10, 0},
			{"Nobody", "001090099999", 10, 0},
			{"Other", other.Applicant.IDNumber, 10, 1},
		} {
			docs, err := s.FindDossiersOfPerson(ctx, tt.id, tt.limit)
			if err != nil || len(docs) != tt.want || docs == nil {
				t.Errorf("%s: FindDossiersOfPerson(%q, %d) = %d documents, %v; want %d", tt.name, tt.id, tt.limit, len(docs), err, tt.want)
			}
		}

		// A row written before documents were kept is encoded on read.
		s.forgetDocument(t, first)
		docs, err = s.FindDossiersOfPerson(ctx, person, 10)
		if err != nil || len(docs) != 2 || !bytes.Equal(docs[1], want[1]) {
			t.Errorf("without a stored document: %s, %v; want %s", docs, err, want[1])
		}
	})
}

func TestPersonalSessionsAndStaff(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		s.mustSaveStaff(t, "an.nv", "an@phuong.hanoi.vn")
		older, newer := newSession("an.nv", time.Hour), newSession("an.nv", 2*time.Hour)
		newer.CreatedAt = newer.CreatedAt.Add(time.Minute)
		for i, ss := range []*motcua.Session{older, newer, newSession("binh.tt", time.Hour)} {
			if err := s.CreateSession(ctx, sessionHash(string(rune('a'+i))), ss); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FindSessions(ctx, motcua.SessionStaff, "an.nv", 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("FindSessions = %v, %v; want 2", got, err)
		}
		for i, w := range []*motcua.Session{newer, older} {
			want := *w
			want.CSRF = ""
			if *got[i] != want {
				t.Errorf("session %d = %+v; want %+v, without its CSRF token", i, got[i], want)
			}
		}
		if got, err := s.FindSessions(ctx, motcua.SessionCitizen, "an.nv", 10); err != nil || len(got) != 0 {
			t.Errorf("citizen sessions of a staff ID = %v, %v", got, err)
		}
		if got, err := s.FindSessions(ctx, motcua.SessionStaff, "an.nv", 1); err != nil || len(got) != 1 || got[0].ExpiresAt != newer.ExpiresAt {
			t.Errorf("FindSessions(limit 1) = %v, %v", got, err)
		}

		st, err := s.FindStaff(ctx, "an.nv")
		if err != nil || st.ID != "an.nv" || st.Email != "an@phuong.hanoi.vn" || len(st.Grants) != 1 || st.CreatedAt.IsZero() {
			t.Errorf("FindStaff = %+v, %v", st, err)
		}
		_, err = s.FindStaff(ctx, "nobody")
		wantError(t, err, motcua.ENOTFOUND)
	})
}

func TestPersonalAudit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		citizen := motcua.Actor{Kind: motcua.ActorCitizen, ID: "cit1", Name: "Nguyễn Văn An"}
		officer := motcua.Actor{Kind: motcua.ActorOfficer, ID: "an.nv"}
		records := []*motcua.AuditRecord{
			{Actor: citizen, Action: motcua.AuditSignIn, Object: "citizen:cit1"},                                 // 1: by them
			{Actor: officer, Action: motcua.AuditPersonalView, Object: "dossier:X-1"},                            // 2: their dossier
			{Actor: officer, Action: motcua.AuditExport, Object: "dossier:X-1 form:01"},                          // 3: its form
			{Actor: officer, Action: motcua.AuditPersonalView, Object: "dossier:X-10"},                           // 4: another dossier
			{Actor: officer, Action: motcua.AuditPersonalView, Object: "dossier:X-1\tx"},                         // 5: not theirs
			{Actor: motcua.Actor{Kind: motcua.ActorOfficer, ID: "cit1"}, Action: motcua.AuditSignIn},             // 6: a staff ID alike
			{Actor: officer, Action: motcua.AuditSignOut, Object: "citizen:cit1"},                                // 7: about them
			{Actor: citizen, Action: motcua.AuditExport, Object: "citizen:cit1"},                                 // 8: both
			{Actor: officer, Action: motcua.AuditPersonalView, Object: "dossier:ABCDEFGHIJKLMNOPQRSTUVWXYZ"},     // 9: by ID
			{Actor: officer, Action: motcua.AuditPersonalView, Object: "dossier:X-2"},                            // 10
			{Actor: motcua.SystemActor, Action: motcua.AuditRetention, Object: "retention", Detail: "citizen:1"}, // 11
		}
		if err := s.Audit(ctx, records...); err != nil {
			t.Fatal(err)
		}
		subject := motcua.AuditSubject{ActorKind: motcua.ActorCitizen, ActorID: "cit1",
			Objects: []string{"citizen:cit1", "dossier:X-1", "dossier:ABCDEFGHIJKLMNOPQRSTUVWXYZ", ""}}
		seqs := func(list []*motcua.AuditRecord) []int64 {
			var out []int64
			for _, r := range list {
				out = append(out, r.Seq)
			}
			return out
		}
		for _, tt := range []struct {
			name    string
			subject motcua.AuditSubject
			limit   int
			want    []int64
		}{
			{"All", subject, 100, []int64{1, 2, 3, 7, 8, 9}},
			{"Last", subject, 3, []int64{7, 8, 9}},
			{"None", subject, 0, nil},
			{"ActorOnly", motcua.AuditSubject{ActorKind: motcua.ActorCitizen, ActorID: "cit1"}, 100, []int64{1, 8}},
			{"Staff", motcua.AuditSubject{ActorKind: motcua.ActorOfficer, ActorID: "cit1"}, 100, []int64{6}},
			{"Nothing", motcua.AuditSubject{}, 100, nil},
		} {
			got, err := s.FindAuditAbout(ctx, tt.subject, tt.limit)
			if err != nil || got == nil || !slices.Equal(seqs(got), tt.want) {
				t.Errorf("%s: FindAuditAbout = %v, %v; want %v", tt.name, seqs(got), err, tt.want)
			}
		}
		// Many objects go in several statements.
		many := motcua.AuditSubject{}
		for i := range 120 {
			many.Objects = append(many.Objects, "dossier:Y-"+string(rune('a'+i%26))+string(rune('a'+i/26)))
		}
		many.Objects = append(many.Objects, "dossier:X-2")
		if got, err := s.FindAuditAbout(ctx, many, 100); err != nil || !slices.Equal(seqs(got), []int64{10}) {
			t.Errorf("many objects: %v, %v; want [10]", seqs(got), err)
		}
	})
}
