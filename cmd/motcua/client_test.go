package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// TestClientKeys drives a partner system's API client through the real
// store: registration, a receipt with its key, scopes, rotation,
// revocation and the audit log.
func TestClientKeys(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		clock := testkit.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		db, c := newFlowServer(t, dsn, clock)
		const admin = "admin-token"
		client := func(scopes string) string {
			return fmt.Sprintf(`{"name":"Cổng Dịch vụ công quốc gia","scopes":[%s],"grants":[{"role":"one_door","unit":%q,"agency":%q}],"rate_limit":100}`,
				scopes, testkit.UnitCommune, testkit.AgencyCommune)
		}

		var created struct {
			motcua.APIClient
			Key string `json:"key"`
		}
		c.must(http.StatusCreated, "POST", "/api/v1/admin/clients", admin,
			`{"id":"dvcqg",`+strings.TrimPrefix(client(`"dossiers:write"`), "{"), &created)
		if !strings.HasPrefix(created.Key, motcua.ClientKeyPrefix) || created.ID != "dvcqg" {
			t.Fatalf("created %+v", created)
		}
		key := created.Key

		in, _ := json.Marshal(testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter))
		var d motcua.Dossier
		c.must(http.StatusCreated, "POST", "/api/v1/dossiers", key, string(in), &d)
		if d.Code == "" || len(d.Events) == 0 || d.Events[0].Actor.Kind != motcua.ActorClient || d.Events[0].Actor.ID != "dvcqg" {
			t.Fatalf("received %s, events %+v", d.Code, d.Events)
		}
		// Receiving at another agency needs a role there.
		other, _ := json.Marshal(testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter))
		c.must(http.StatusForbidden, "POST", "/api/v1/dossiers", key, string(other), nil)

		// Reading needs dossiers:read.
		path := "/api/v1/dossiers/" + d.Code
		if b := c.must(http.StatusForbidden, "GET", path, key, "", nil); !strings.Contains(string(b), `"code":"scope_required"`) ||
			!strings.Contains(string(b), "dossiers:read") {
			t.Errorf("403 without scope_required naming dossiers:read: %s", b)
		}
		c.must(http.StatusOK, "PUT", "/api/v1/admin/clients/dvcqg", admin, client(`"dossiers:write","dossiers:read"`), nil)
		var got motcua.Dossier
		c.must(http.StatusOK, "GET", path, key, "", &got)
		if got.ID != d.ID {
			t.Errorf("read %s; want %s", got.ID, d.ID)
		}
		c.must(http.StatusOK, "GET", path+"/timeline", key, "", nil)

		// Rotation: the old key stops working, the new one works.
		var rotated struct{ ID, Key string }
		c.must(http.StatusOK, "POST", "/api/v1/admin/clients/dvcqg/key", admin, "", &rotated)
		if rotated.Key == key || !strings.HasPrefix(rotated.Key, motcua.ClientKeyPrefix) {
			t.Fatalf("rotated to %q", rotated.Key)
		}
		c.must(http.StatusUnauthorized, "GET", path, key, "", nil)
		c.must(http.StatusOK, "GET", path, rotated.Key, "", nil)

		// Revocation: the key stops working; the client cannot be
		// changed any more.
		c.must(http.StatusNoContent, "DELETE", "/api/v1/admin/clients/dvcqg", admin, "", nil)
		if b := c.must(http.StatusUnauthorized, "GET", path, rotated.Key, "", nil); !strings.Contains(string(b), `"code":"client_revoked"`) {
			t.Errorf("401 without client_revoked: %s", b)
		}
		c.must(http.StatusConflict, "POST", "/api/v1/admin/clients/dvcqg/key", admin, "", nil)
		var list struct{ Items []motcua.APIClient }
		c.must(http.StatusOK, "GET", "/api/v1/admin/clients", admin, "", &list)
		if len(list.Items) != 1 || list.Items[0].RevokedAt == nil {
			t.Errorf("clients %+v", list.Items)
		}

		// Every change is in the audit log, by the administrator.
		ctx := context.Background()
		recs, err := db.FindAudit(ctx, motcua.AuditFilter{Action: motcua.AuditClientChange})
		if err != nil {
			t.Fatal(err)
		}
		var objects []string
		for _, r := range recs {
			if !r.Actor.Same(motcua.BootstrapAdmin) || r.Outcome != motcua.OutcomeOK {
				t.Errorf("record %+v", r)
			}
			objects = append(objects, r.Object)
		}
		wantObjects := []string{"POST /api/v1/admin/clients", "PUT /api/v1/admin/clients/dvcqg",
			"POST /api/v1/admin/clients/dvcqg/key", "DELETE /api/v1/admin/clients/dvcqg"}
		if strings.Join(objects, "|") != strings.Join(wantObjects, "|") {
			t.Errorf("audited %q; want %q", objects, wantObjects)
		}
		if rep, err := db.VerifyAudit(ctx); err != nil || len(rep.Broken) > 0 {
			t.Errorf("VerifyAudit = %+v, %v", rep, err)
		}
	})
}
