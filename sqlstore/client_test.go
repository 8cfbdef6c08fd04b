package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// partner returns a client receiving at the commune.
func partner(id string) *motcua.APIClient {
	return &motcua.APIClient{ID: id, Name: " Cổng dịch vụ công quốc gia ", Scopes: []string{motcua.ScopeDossiersWrite, motcua.ScopeDossiersRead},
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune, Agency: testkit.AgencyCommune}}, RateLimit: 120}
}

func TestClients(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()

		c := partner("dvcqg")
		key, err := s.SaveClient(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		raw, ok := strings.CutPrefix(key, motcua.ClientKeyPrefix)
		if b, err := base64.RawURLEncoding.DecodeString(raw); !ok || err != nil || len(b) != 32 {
			t.Errorf("key %q: want mck_ and 32 bytes in base64url", key)
		}
		if c.Name != "Cổng dịch vụ công quốc gia" || !slices.Equal(c.Scopes, []string{motcua.ScopeDossiersRead, motcua.ScopeDossiersWrite}) {
			t.Errorf("saved as %+v", c)
		}
		if !c.CreatedAt.Equal(testNow) || !c.UpdatedAt.Equal(testNow) || !c.KeyRotatedAt.Equal(testNow) || c.RevokedAt != nil {
			t.Errorf("times %+v", c)
		}
		// Only the key's SHA-256 is stored.
		sum := sha256.Sum256([]byte(key))
		var stored string
		s.exec(t, "SELECT 1") // opens the raw connection
		if err := s.raw.QueryRow("SELECT key_hash FROM api_clients WHERE id = 'dvcqg'").Scan(&stored); err != nil || stored != hex.EncodeToString(sum[:]) {
			t.Errorf("stored key_hash %q, %v; want the key's SHA-256", stored, err)
		}

		got, err := s.ClientByKey(ctx, key)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Fatalf("ClientByKey = %+v, %v; want %+v", got, err, c)
		}
		if a := got.Actor(); a.Kind != motcua.ActorClient || a.ID != "dvcqg" || len(a.Grants) != 1 {
			t.Errorf("actor %+v", a)
		}
		for _, bad := range []string{"", "mck_", "mck_nope", "mcs_" + raw, key + "x", motcua.ClientKeyPrefix + strings.Repeat("a", 200)} {
			if e := wantError(t, must(s.ClientByKey(ctx, bad)), motcua.EUNAUTHORIZED); e.Reason != "unauthorized" {
				t.Errorf("ClientByKey(%q): reason %q", bad, e.Reason)
			}
		}

		// An update keeps the key and the creation time.
		s.clock.Advance(time.Hour)
		upd := &motcua.APIClient{ID: "dvcqg", Name: "DVCQG", Scopes: []string{motcua.ScopeAlertsRead},
			Grants: []motcua.Grant{{Role: motcua.RoleLeader, Unit: testkit.UnitDistrict}}}
		if k, err := s.SaveClient(ctx, upd); err != nil || k != "" {
			t.Fatalf("update: key %q, %v; want none", k, err)
		}
		if !upd.CreatedAt.Equal(testNow) || !upd.KeyRotatedAt.Equal(testNow) || !upd.UpdatedAt.Equal(testNow.Add(time.Hour)) {
			t.Errorf("times after update %+v", upd)
		}
		if got, err := s.ClientByKey(ctx, key); err != nil || !reflect.DeepEqual(got, upd) {
			t.Errorf("after update ClientByKey = %+v, %v; want %+v", got, err, upd)
		}

		// Rotation: the old key stops working at once.
		s.clock.Advance(time.Hour)
		key2, err := s.RotateClientKey(ctx, "dvcqg")
		if err != nil || key2 == key || !strings.HasPrefix(key2, motcua.ClientKeyPrefix) {
			t.Fatalf("RotateClientKey = %q, %v", key2, err)
		}
		wantError(t, must(s.ClientByKey(ctx, key)), motcua.EUNAUTHORIZED)
		got, err = s.ClientByKey(ctx, key2)
		if err != nil || !got.KeyRotatedAt.Equal(testNow.Add(2*time.Hour)) || !got.CreatedAt.Equal(testNow) {
			t.Fatalf("new key: %+v, %v", got, err)
		}
		wantError(t, must(s.RotateClientKey(ctx, "nobody")), motcua.ENOTFOUND)

		// Another client, and the list.
		if _, err := s.SaveClient(ctx, partner("a-first")); err != nil {
			t.Fatal(err)
		}
		list, err := s.FindClients(ctx)
		if err != nil || len(list) != 2 || list[0].ID != "a-first" || list[1].ID != "dvcqg" || list[1].Name != "DVCQG" {
			t.Fatalf("FindClients = %+v, %v", list, err)
		}

		// Revocation: the key stops working, the client stays listed and
		// cannot be changed.
		s.clock.Advance(time.Hour)
		if err := s.RevokeClient(ctx, "dvcqg"); err != nil {
			t.Fatal(err)
		}
		if e := wantError(t, must(s.ClientByKey(ctx, key2)), motcua.EUNAUTHORIZED); e.Reason != "client_revoked" {
			t.Errorf("revoked: reason %q", e.Reason)
		}
		if err := s.RevokeClient(ctx, "dvcqg"); err != nil {
			t.Errorf("revoking again: %v", err)
		}
		wantError(t, s.RevokeClient(ctx, "nobody"), motcua.ENOTFOUND)
		if e := wantError(t, must(s.RotateClientKey(ctx, "dvcqg")), motcua.ECONFLICT); e.Reason != "client_revoked" {
			t.Errorf("rotate revoked: reason %q", e.Reason)
		}
		if e := wantError(t, must(s.SaveClient(ctx, partner("dvcqg"))), motcua.ECONFLICT); e.Reason != "client_revoked" {
			t.Errorf("save revoked: reason %q", e.Reason)
		}
		list, err = s.FindClients(ctx)
		if err != nil || len(list) != 2 || list[1].RevokedAt == nil || !list[1].RevokedAt.Equal(testNow.Add(3*time.Hour)) ||
			list[1].Name != "DVCQG" || list[0].RevokedAt != nil {
			t.Fatalf("FindClients after revocation = %+v, %v", list, err)
		}
	})
}

func TestSaveClientInvalid(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		for _, tt := range []struct {
			name   string
			edit   func(c *motcua.APIClient)
			fields []string
		}{
			{"UnknownUnit", func(c *motcua.APIClient) { c.Grants[0].Unit, c.Grants[0].Agency = "99999", "" }, []string{"grants[0].unit"}},
			{"UnknownAgency", func(c *motcua.APIClient) { c.Grants[0].Agency = "000.99.99.H26" }, []string{"grants[0].agency"}},
			{"AgencyOutsideUnit", func(c *motcua.APIClient) { c.Grants[0].Agency = testkit.AgencyJustice }, []string{"grants[0].agency"}},
			{"Fields", func(c *motcua.APIClient) {
				c.ID, c.Name, c.Scopes, c.RateLimit = "Bad ID", "", []string{"dossiers:delete"}, -1
				c.Grants[0].Role = motcua.RoleCityAdmin
			}, []string{"id", "name", "scopes[0]", "grants[0].role", "rate_limit"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c := partner("bad")
				tt.edit(c)
				e := wantError(t, must(s.SaveClient(ctx, c)), motcua.EINVALID)
				if got := fieldNames(e); !slices.Equal(got, tt.fields) {
					t.Errorf("fields %v; want %v", got, tt.fields)
				}
			})
		}
		if list, err := s.FindClients(ctx); err != nil || len(list) != 0 {
			t.Errorf("FindClients = %+v, %v; want none saved", list, err)
		}
	})
}

// TestSaveClientConcurrently creates one client from several goroutines
// at once: exactly one gets a key, the others update it.
func TestSaveClientConcurrently(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		const n = 8
		keys := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { keys[i], errs[i] = s.SaveClient(context.Background(), partner("same")) })
		}
		wg.Wait()
		var issued []string
		for i := range n {
			if errs[i] != nil {
				t.Errorf("save %d: %v", i, errs[i])
			}
			if keys[i] != "" {
				issued = append(issued, keys[i])
			}
		}
		if len(issued) != 1 {
			t.Fatalf("%d keys issued; want 1", len(issued))
		}
		if c, err := s.ClientByKey(context.Background(), issued[0]); err != nil || c.ID != "same" {
			t.Errorf("ClientByKey = %+v, %v", c, err)
		}
	})
}
