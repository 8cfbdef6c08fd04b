package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

func TestLocalCitizens(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		expires := testNow.Add(24 * time.Hour)
		if _, _, _, err := s.LocalCitizenByEmail(ctx, "an@example.vn"); motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Fatalf("LocalCitizenByEmail of nobody: %v; want ENOTFOUND", err)
		}
		c, created, err := s.RegisterLocalCitizen(ctx, " An@Example.VN ", "Nguyễn Văn An", "hash1", sessionHash("t1"), expires)
		if err != nil || !created || c.ID == "" || c.Issuer != motcua.LocalIssuer || c.Subject != "an@example.vn" ||
			c.Email != "an@example.vn" || c.EmailVerified {
			t.Fatalf("RegisterLocalCitizen = %+v, %v, %v", c, created, err)
		}
		// Registering again before verifying replaces the password, the
		// name and the token.
		again, created, err := s.RegisterLocalCitizen(ctx, "an@example.vn", "Nguyễn Văn Ân", "hash2", sessionHash("t2"), expires)
		if err != nil || created || again.ID != c.ID || again.Name != "Nguyễn Văn Ân" {
			t.Fatalf("RegisterLocalCitizen again = %+v, %v, %v", again, created, err)
		}
		got, hash, verified, err := s.LocalCitizenByEmail(ctx, "AN@example.vn")
		if err != nil || got.ID != c.ID || hash != "hash2" || verified {
			t.Fatalf("LocalCitizenByEmail = %+v, %q, %v, %v", got, hash, verified, err)
		}
		for _, tt := range []struct {
			name string
			hash []byte
			now  time.Time
		}{
			{"replaced token", sessionHash("t1"), testNow},
			{"unknown token", sessionHash("t3"), testNow},
			{"short hash", []byte("t2"), testNow},
			{"expired token", sessionHash("t2"), expires},
		} {
			if _, err := s.VerifyLocalCitizen(ctx, tt.hash, tt.now); motcua.ErrorCode(err) != motcua.ENOTFOUND {
				t.Errorf("VerifyLocalCitizen of %s: %v; want ENOTFOUND", tt.name, err)
			}
		}
		// Two verifications at once: exactly one succeeds.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.VerifyLocalCitizen(ctx, sessionHash("t2"), testNow) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two verifications: %v, %v; want one success", errs[0], errs[1])
		}
		got, hash, verified, err = s.LocalCitizenByEmail(ctx, "an@example.vn")
		if err != nil || !verified || !got.EmailVerified || hash != "hash2" {
			t.Fatalf("after verification: %+v, %q, %v, %v", got, hash, verified, err)
		}
		if _, err := s.VerifyLocalCitizen(ctx, sessionHash("t2"), testNow); motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Errorf("VerifyLocalCitizen of a used token: %v; want ENOTFOUND", err)
		}
		// A verified account is left alone.
		same, created, err := s.RegisterLocalCitizen(ctx, "an@example.vn", "Kẻ Khác", "hash3", sessionHash("t4"), expires)
		if err != nil || created || !same.EmailVerified || same.Name != "Nguyễn Văn Ân" {
			t.Fatalf("RegisterLocalCitizen of a verified address = %+v, %v, %v", same, created, err)
		}
		if _, hash, _, _ := s.LocalCitizenByEmail(ctx, "an@example.vn"); hash != "hash2" {
			t.Errorf("password hash after a second registration = %q; want unchanged", hash)
		}
		if _, err := s.VerifyLocalCitizen(ctx, sessionHash("t4"), testNow); motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Errorf("the token of a refused registration works: %v", err)
		}
		// A provider's citizen with the same e-mail is another account.
		if _, err := s.SignInCitizen(ctx, &motcua.Citizen{Issuer: "https://id.example.vn", Subject: "an@example.vn",
			Name: "An", Email: "an@example.vn"}); err != nil {
			t.Fatal(err)
		}
		if got, _, _, err := s.LocalCitizenByEmail(ctx, "an@example.vn"); err != nil || got.ID != c.ID {
			t.Errorf("LocalCitizenByEmail after a provider's sign-in = %+v, %v", got, err)
		}
		if _, _, err := s.RegisterLocalCitizen(ctx, "", "", "", sessionHash("t5"), expires); motcua.ErrorCode(err) != motcua.EINVALID {
			t.Errorf("RegisterLocalCitizen of nothing: %v; want EINVALID", err)
		}
	})
}
