package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// sessionHash returns the hash a session of token is stored under.
func sessionHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newSession returns a staff session of subject created at testNow that
// ends after d.
func newSession(subject string, d time.Duration) *motcua.Session {
	return &motcua.Session{Kind: motcua.SessionStaff, Subject: subject, CSRF: "csrf-" + subject, MFA: true,
		CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(d), IP: "203.0.113.7", UserAgent: "Firefox/140"}
}

// mustSaveStaff saves a staff member granted the one-door role at the
// commune and returns their API token.
func (s *store) mustSaveStaff(t testing.TB, id, email string) string {
	t.Helper()
	token, err := s.SaveStaff(context.Background(), &motcua.Staff{ID: id, Name: "Nguyễn Văn An", Email: email,
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune}}})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestSessions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		want := newSession("an", 12*time.Hour)
		if err := s.CreateSession(ctx, sessionHash("a"), want); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionByHash(ctx, sessionHash("a"), testNow)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("SessionByHash = %+v, %v; want %+v", got, err, want)
		}
		for _, tt := range []struct {
			name string
			hash []byte
			now  time.Time
		}{
			{"unknown", sessionHash("b"), testNow},
			{"short hash", []byte("a"), testNow},
			{"at its end", sessionHash("a"), want.ExpiresAt},
			{"after its end", sessionHash("a"), want.ExpiresAt.Add(time.Microsecond)},
		} {
			if _, err := s.SessionByHash(ctx, tt.hash, tt.now); motcua.ErrorCode(err) != motcua.ENOTFOUND {
				t.Errorf("%s: SessionByHash = %v; want ENOTFOUND", tt.name, err)
			}
		}
		if _, err := s.SessionByHash(ctx, sessionHash("a"), want.ExpiresAt.Add(-time.Microsecond)); err != nil {
			t.Errorf("just before its end: %v", err)
		}

		seen := testNow.Add(time.Hour + time.Microsecond)
		if err := s.TouchSession(ctx, sessionHash("a"), seen); err != nil {
			t.Fatal(err)
		}
		got, err = s.SessionByHash(ctx, sessionHash("a"), testNow)
		if err != nil || !got.LastSeenAt.Equal(seen) || !got.CreatedAt.Equal(testNow) || !got.ExpiresAt.Equal(want.ExpiresAt) {
			t.Errorf("after touch: %+v, %v", got, err)
		}
		wantError(t, s.TouchSession(ctx, sessionHash("b"), seen), motcua.ENOTFOUND)

		if err := s.DeleteSession(ctx, sessionHash("a")); err != nil {
			t.Fatal(err)
		}
		wantError(t, must(s.SessionByHash(ctx, sessionHash("a"), testNow)), motcua.ENOTFOUND)
		if err := s.DeleteSession(ctx, sessionHash("a")); err != nil {
			t.Errorf("deleting a deleted session: %v", err)
		}

		if err := s.CreateSession(ctx, []byte("short"), want); err == nil {
			t.Error("a session under a short hash was stored")
		}
		bad := newSession("an", time.Hour)
		bad.Kind = "robot"
		if err := s.CreateSession(ctx, sessionHash("r"), bad); err == nil {
			t.Error("a session of an unknown kind was stored")
		}
	})
}

func TestSessionsDeleteOfSubject(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		citizen := newSession("an", time.Hour)
		citizen.Kind = motcua.SessionCitizen
		for token, ss := range map[string]*motcua.Session{
			"an1": newSession("an", time.Hour), "an2": newSession("an", time.Hour),
			"binh": newSession("binh", time.Hour), "citizen-an": citizen,
		} {
			if err := s.CreateSession(ctx, sessionHash(token), ss); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteSessions(ctx, motcua.SessionStaff, "an"); err != nil || n != 2 {
			t.Fatalf("DeleteSessions = %d, %v; want 2", n, err)
		}
		for token, code := range map[string]string{"an1": motcua.ENOTFOUND, "an2": motcua.ENOTFOUND, "binh": "", "citizen-an": ""} {
			if _, err := s.SessionByHash(ctx, sessionHash(token), testNow); motcua.ErrorCode(err) != code {
				t.Errorf("session %s: %v; want %q", token, err, code)
			}
		}
		if n, err := s.DeleteSessions(ctx, motcua.SessionStaff, "an"); err != nil || n != 0 {
			t.Errorf("DeleteSessions again = %d, %v; want 0", n, err)
		}
	})
}

func TestSessionsPurge(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		now := testNow.Add(10 * time.Hour)
		idleSince := now.Add(-30 * time.Minute)
		sessions := []struct {
			token    string
			lastSeen time.Time
			expires  time.Time
			kept     bool
		}{
			{"active", now.Add(-time.Minute), now.Add(time.Hour), true},
			{"idle since exactly", idleSince, now.Add(time.Hour), true},
			{"idle", idleSince.Add(-time.Microsecond), now.Add(time.Hour), false},
			{"ends now", now.Add(-time.Minute), now, false},
			{"ended", now.Add(-time.Minute), now.Add(-time.Second), false},
		}
		for _, tt := range sessions {
			ss := newSession("an", time.Hour)
			ss.LastSeenAt, ss.ExpiresAt = tt.lastSeen, tt.expires
			if err := s.CreateSession(ctx, sessionHash(tt.token), ss); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteExpiredSessions(ctx, now, idleSince); err != nil || n != 3 {
			t.Fatalf("DeleteExpiredSessions = %d, %v; want 3", n, err)
		}
		for _, tt := range sessions {
			_, err := s.SessionByHash(ctx, sessionHash(tt.token), idleSince)
			if kept := err == nil; kept != tt.kept {
				t.Errorf("session %q kept = %v; want %v (%v)", tt.token, kept, tt.kept, err)
			}
		}
	})
}

func TestCredentialsLogin(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		s.mustSaveStaff(t, "an.nv", " An.Nguyen@Example.VN ")
		s.mustSaveStaff(t, "binh", "")
		for _, tt := range []struct {
			login, id, email string
		}{
			{"an.nv", "an.nv", "an.nguyen@example.vn"},
			{"AN.NV", "an.nv", "an.nguyen@example.vn"},
			{"an.nguyen@example.vn", "an.nv", "an.nguyen@example.vn"},
			{" AN.Nguyen@EXAMPLE.vn", "an.nv", "an.nguyen@example.vn"},
			{"binh", "binh", ""},
			{"", "", ""},
			{"an", "", ""},
			{"an.nguyen@example", "", ""},
			{"nobody@example.vn", "", ""},
		} {
			st, c, err := s.StaffByLogin(ctx, tt.login)
			if tt.id == "" {
				if motcua.ErrorCode(err) != motcua.ENOTFOUND {
					t.Errorf("StaffByLogin(%q) = %v; want ENOTFOUND", tt.login, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("StaffByLogin(%q): %v", tt.login, err)
				continue
			}
			if st.ID != tt.id || st.Email != tt.email || st.Disabled || len(st.Grants) != 1 || !st.CreatedAt.Equal(testNow) {
				t.Errorf("StaffByLogin(%q) = %+v", tt.login, st)
			}
			if want := (&motcua.Credentials{Login: c.Login}); !reflect.DeepEqual(c, want) || c.Login == "" {
				t.Errorf("StaffByLogin(%q) credentials = %+v; want none set", tt.login, c)
			}
		}
	})
}

func TestCredentialsPasswordAndTOTP(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		s.mustSaveStaff(t, "an", "an@example.vn")
		at := testNow.Add(time.Hour + 123*time.Microsecond)
		if err := s.SetPassword(ctx, "an", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", true, at); err != nil {
			t.Fatal(err)
		}
		secret := []byte{0, 1, 2, 0xfe, 0xff, 20: 7}
		if err := s.SetTOTP(ctx, "an", secret); err != nil {
			t.Fatal(err)
		}
		_, c, err := s.StaffByLogin(ctx, "an")
		if err != nil {
			t.Fatal(err)
		}
		want := &motcua.Credentials{Login: "an", PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			MustChange: true, PasswordChangedAt: at, TOTPSecret: secret}
		if !reflect.DeepEqual(c, want) {
			t.Fatalf("credentials = %+v; want %+v", c, want)
		}

		// Saving the staff member again keeps the credentials.
		s.mustSaveStaff(t, "an", "an@example.vn")
		if err := s.SetPassword(ctx, "an", "other", false, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTOTP(ctx, "an", nil); err != nil {
			t.Fatal(err)
		}
		_, c, err = s.StaffByLogin(ctx, "an@example.vn")
		if err != nil || c.PasswordHash != "other" || c.MustChange || !c.PasswordChangedAt.Equal(at.Add(time.Hour)) || c.TOTPSecret != nil {
			t.Errorf("after change: %+v, %v", c, err)
		}

		wantError(t, s.SetPassword(ctx, "nobody", "x", false, at), motcua.ENOTFOUND)
		wantError(t, s.SetTOTP(ctx, "nobody", secret), motcua.ENOTFOUND)
		wantError(t, must(s.UseTOTPStep(ctx, "nobody", 1)), motcua.ENOTFOUND)
		wantError(t, must(s.RecordSignIn(ctx, "nobody", false, at)), motcua.ENOTFOUND)
	})
}

func TestCredentialsTOTPStep(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		s.mustSaveStaff(t, "an", "")
		const step = 58_000_000
		for _, tt := range []struct {
			step int64
			ok   bool
		}{
			{step, true},
			{step, false},     // the same code again
			{step - 1, false}, // an earlier code
			{step + 1, true},
			{step + 3, true},
			{step + 2, false},
		} {
			if ok, err := s.UseTOTPStep(ctx, "an", tt.step); err != nil || ok != tt.ok {
				t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", tt.step, ok, err, tt.ok)
			}
		}
		if _, c, err := s.StaffByLogin(ctx, "an"); err != nil || c.TOTPStep != step+3 {
			t.Errorf("step = %+v, %v; want %d", c, err, step+3)
		}

		// Of concurrent uses of one code, exactly one is accepted.
		for round := int64(10); round < 15; round++ {
			const n = 8
			oks := make(chan bool, n)
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					ok, err := s.UseTOTPStep(ctx, "an", step+round)
					if err != nil {
						t.Error(err)
					}
					oks <- ok
				})
			}
			wg.Wait()
			close(oks)
			accepted := 0
			for ok := range oks {
				if ok {
					accepted++
				}
			}
			if accepted != 1 {
				t.Errorf("round %d: %d of %d concurrent uses accepted; want 1", round, accepted, n)
			}
		}
	})
}

func TestCredentialsRecordSignIn(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		s.mustSaveStaff(t, "an", "")
		t1, t2 := testNow.Add(time.Minute), testNow.Add(2*time.Minute)
		for i, tt := range []struct {
			ok   bool
			at   time.Time
			want int
		}{
			{false, t1, 1},
			{false, t2, 2},
			{true, t2.Add(time.Second), 0},
			{true, t2.Add(time.Second), 0},
			{false, t1, 1},
		} {
			if n, err := s.RecordSignIn(ctx, "an", tt.ok, tt.at); err != nil || n != tt.want {
				t.Errorf("attempt %d: RecordSignIn = %d, %v; want %d", i, n, err, tt.want)
			}
		}
		if _, c, err := s.StaffByLogin(ctx, "an"); err != nil || c.Failures != 1 || !c.LastFailure.Equal(t1) {
			t.Errorf("credentials = %+v, %v", c, err)
		}

		// Concurrent failures are each counted once.
		if _, err := s.RecordSignIn(ctx, "an", true, t2); err != nil {
			t.Fatal(err)
		}
		const n = 16
		counts := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				c, err := s.RecordSignIn(ctx, "an", false, t2)
				if err != nil {
					t.Error(err)
				}
				counts <- c
			})
		}
		wg.Wait()
		close(counts)
		var got []int
		for c := range counts {
			got = append(got, c)
		}
		slices.Sort(got)
		for i, c := range got {
			if c != i+1 {
				t.Fatalf("counts returned %v; want 1 to %d once each", got, n)
			}
		}
		if _, c, err := s.StaffByLogin(ctx, "an"); err != nil || c.Failures != n || !c.LastFailure.Equal(t2) {
			t.Errorf("credentials = %+v, %v; want %d failures", c, err, n)
		}
	})
}

func TestStaffEmailAndDisabled(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		s.mustSaveStaff(t, "an", "an@example.vn")
		s.mustSaveStaff(t, "binh", "")
		s.mustSaveStaff(t, "chi", "") // two members without e-mail

		e := wantError(t, must(s.SaveStaff(ctx, &motcua.Staff{ID: "binh", Name: "Binh", Email: "AN@example.vn",
			Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune}}})), motcua.EINVALID)
		if len(e.Fields) != 1 || e.Fields[0].Field != "email" || e.Fields[0].Reason != motcua.FieldTaken {
			t.Errorf("fields %+v; want email", e.Fields)
		}
		if st, _, err := s.StaffByLogin(ctx, "binh"); err != nil || st.Email != "" || st.Name != "Nguyễn Văn An" {
			t.Errorf("the refused save changed binh: %+v, %v", st, err)
		}
		// A member keeps their own e-mail when saved again, and may
		// change it.
		s.mustSaveStaff(t, "an", "an@example.vn")
		s.mustSaveStaff(t, "an", "an.nv@example.vn")
		s.mustSaveStaff(t, "binh", "an@example.vn")
		if st, _, err := s.StaffByLogin(ctx, "an@example.vn"); err != nil || st.ID != "binh" {
			t.Errorf("an@example.vn is %+v, %v; want binh", st, err)
		}

		token := s.mustSaveStaff(t, "an", "an.nv@example.vn")
		if st, err := s.StaffByToken(ctx, token); err != nil || st.Email != "an.nv@example.vn" || st.Disabled {
			t.Fatalf("StaffByToken = %+v, %v", st, err)
		}
		disabled := &motcua.Staff{ID: "an", Name: "An", Email: "an.nv@example.vn", Disabled: true,
			Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune}}}
		token, err := s.SaveStaff(ctx, disabled)
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, must(s.StaffByToken(ctx, token)), motcua.EUNAUTHORIZED)
		if st, _, err := s.StaffByLogin(ctx, "an"); err != nil || !st.Disabled {
			t.Errorf("StaffByLogin of a disabled member = %+v, %v; want it, disabled", st, err)
		}
		disabled.Disabled = false
		if token, err = s.SaveStaff(ctx, disabled); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StaffByToken(ctx, token); err != nil {
			t.Errorf("StaffByToken once enabled again: %v", err)
		}
	})
}

func TestCitizenSignIn(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		const vneid = "https://sso.dichvucong.gov.vn"
		in := &motcua.Citizen{Issuer: vneid, Subject: "001090000001", Name: "Trần Thị Bình",
			IDNumber: "001090000001", Phone: "0912345678", Email: "binh@example.vn", Address: "Số 1 Tràng Tiền, Hà Nội"}
		first, err := s.SignInCitizen(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !motcua.IsDossierID(first.ID) || !first.CreatedAt.Equal(testNow) || !first.UpdatedAt.Equal(testNow) ||
			first.Name != in.Name || first.IDNumber != in.IDNumber || first.Address != in.Address {
			t.Fatalf("first sign-in = %+v", first)
		}
		if found, err := s.FindCitizen(ctx, first.ID); err != nil || !reflect.DeepEqual(found, first) {
			t.Fatalf("FindCitizen = %+v, %v; want %+v", found, err, first)
		}

		s.clock.Advance(time.Hour)
		again := *in
		again.Phone, again.EmailVerified, again.Address = "0987654321", true, ""
		second, err := s.SignInCitizen(ctx, &again)
		if err != nil {
			t.Fatal(err)
		}
		want := again
		want.ID, want.CreatedAt, want.UpdatedAt = first.ID, testNow, testNow.Add(time.Hour)
		if !reflect.DeepEqual(second, &want) {
			t.Fatalf("second sign-in = %+v; want %+v", second, &want)
		}
		if found, err := s.FindCitizen(ctx, first.ID); err != nil || !reflect.DeepEqual(found, &want) {
			t.Errorf("FindCitizen after update = %+v, %v; want %+v", found, err, &want)
		}

		other := *in
		other.Issuer = "https://id.example.vn"
		third, err := s.SignInCitizen(ctx, &other)
		if err != nil || third.ID == first.ID {
			t.Fatalf("same subject at another issuer = %+v, %v; want another citizen", third, err)
		}

		for _, tt := range []struct {
			c     motcua.Citizen
			field string
		}{
			{motcua.Citizen{Subject: "x"}, "issuer"},
			{motcua.Citizen{Issuer: vneid}, "subject"},
			{motcua.Citizen{Issuer: vneid, Subject: string(make([]byte, 256))}, "subject"},
		} {
			e := wantError(t, must(s.SignInCitizen(ctx, &tt.c)), motcua.EINVALID)
			if !slices.Contains(fieldNames(e), tt.field) {
				t.Errorf("%+v: fields %v; want %s", tt.c, fieldNames(e), tt.field)
			}
		}
		wantError(t, must(s.FindCitizen(ctx, "nope")), motcua.ENOTFOUND)
	})
}

// BenchmarkSessionByHash measures the look-up of a session, which every
// signed-in request makes.
func BenchmarkSessionByHash(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := context.Background()
		for i := range 1000 {
			if err := s.CreateSession(ctx, sessionHash(strconv.Itoa(i)), newSession("an", time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		h := sessionHash("500")
		for b.Loop() {
			if _, err := s.SessionByHash(ctx, h, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}
