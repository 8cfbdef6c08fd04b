package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// clientRegistry is an in-memory motcua.ClientService for the fake
// store: it follows the interface's documentation and counts key
// look-ups.
type clientRegistry struct {
	mu      sync.Mutex
	clients map[string]*motcua.APIClient // by ID
	keys    map[string]string            // key → client ID
	lookups int
	next    int
}

func newClientRegistry() *clientRegistry {
	return &clientRegistry{clients: map[string]*motcua.APIClient{}, keys: map[string]string{}}
}

// install makes f's client methods use the registry.
func (g *clientRegistry) install(f *fakeStore) {
	f.SaveClientFn = g.save
	f.RotateClientKeyFn = g.rotate
	f.RevokeClientFn = g.revoke
	f.ClientByKeyFn = g.byKey
	f.FindClientsFn = g.find
}

func (g *clientRegistry) newKey(id string) string {
	g.next++
	key := motcua.ClientKeyPrefix + id + "-" + string(rune('0'+g.next))
	for k, owner := range g.keys {
		if owner == id {
			delete(g.keys, k)
		}
	}
	g.keys[key] = id
	return key
}

func (g *clientRegistry) save(_ context.Context, c *motcua.APIClient) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	old, ok := g.clients[c.ID]
	switch {
	case ok && old.RevokedAt != nil:
		return "", &motcua.Error{Code: motcua.ECONFLICT, Reason: "client_revoked", Params: map[string]string{"key": c.ID}}
	case ok:
		c.CreatedAt, c.KeyRotatedAt, c.UpdatedAt = old.CreatedAt, old.KeyRotatedAt, testNow
		saved := *c
		g.clients[c.ID] = &saved
		return "", nil
	}
	c.CreatedAt, c.UpdatedAt, c.KeyRotatedAt = testNow, testNow, testNow
	saved := *c
	g.clients[c.ID] = &saved
	return g.newKey(c.ID), nil
}

func (g *clientRegistry) rotate(_ context.Context, id string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.clients[id]
	if !ok {
		return "", motcua.NotFound("client", id)
	}
	if c.RevokedAt != nil {
		return "", &motcua.Error{Code: motcua.ECONFLICT, Reason: "client_revoked", Params: map[string]string{"key": id}}
	}
	return g.newKey(id), nil
}

func (g *clientRegistry) revoke(_ context.Context, id string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.clients[id]
	if !ok {
		return motcua.NotFound("client", id)
	}
	if c.RevokedAt == nil {
		at := testNow
		c.RevokedAt = &at
	}
	return nil
}

func (g *clientRegistry) byKey(_ context.Context, key string) (*motcua.APIClient, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lookups++
	c, ok := g.clients[g.keys[key]]
	if !ok {
		return nil, unauthorized()
	}
	if c.RevokedAt != nil {
		return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "client_revoked", Params: map[string]string{"key": c.ID}}
	}
	cp := *c
	return &cp, nil
}

func (g *clientRegistry) find(context.Context) ([]*motcua.APIClient, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var cs []*motcua.APIClient
	for _, c := range g.clients {
		cp := *c
		cs = append(cs, &cp)
	}
	return cs, nil
}

// add registers c directly, as another process would, and returns its
// key.
func (g *clientRegistry) add(c *motcua.APIClient) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clients[c.ID] = c
	return g.newKey(c.ID)
}

// lookupCount returns how many times the store was asked for a key.
func (g *clientRegistry) lookupCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lookups
}

// clientServer is a server over a fake store whose clients are in a
// registry, that sees the dossier receivedDossier, on clock, logging
// into logs.
func clientServer(t *testing.T, clock motcua.Clock, logs io.Writer) (*Server, *fakeStore, *clientRegistry) {
	t.Helper()
	f := &fakeStore{FindDossierFn: func(context.Context, string) (*motcua.Dossier, error) { return receivedDossier(), nil }}
	withDirectory(f)
	g := newClientRegistry()
	g.install(f)
	if logs == nil {
		logs = io.Discard
	}
	s := newAuthServer(t, f, nil, func(c *Config) {
		c.Clock = clock
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	return s, f, g
}

// send sends a request with the bearer token and returns the answer.
func send(s *Server, method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// expect fails the test unless rec has status and, when code is not "",
// is a problem with that code.
func expect(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d; want %d\n%s", rec.Code, status, rec.Body)
	}
	if code != "" && !strings.Contains(rec.Body.String(), `"code":"`+code+`"`) {
		t.Fatalf("want problem %s:\n%s", code, rec.Body)
	}
}

const dossierPath = "/api/v1/dossiers/000.01.01.H26-250103-0001"

// readingClient returns a client that reads dossiers as a one-door
// officer of district A.
func readingClient(id string, rateLimit int) *motcua.APIClient {
	return &motcua.APIClient{ID: id, Name: "Đối tác " + id, Scopes: []string{motcua.ScopeDossiersRead},
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitA}}, RateLimit: rateLimit}
}

func TestClientAdministration(t *testing.T) {
	s, f, _ := clientServer(t, motcua.ClockFunc(func() time.Time { return testNow }), nil)
	const create = `{"id":"dvcqg","name":" Cổng Dịch vụ công quốc gia ","scopes":["dossiers:write","dossiers:read"],
		"grants":[{"role":"one_door","unit":"001"}],"rate_limit":120}`

	rec := send(s, "POST", "/api/v1/admin/clients", testToken, create)
	expect(t, rec, http.StatusCreated, "")
	var created clientWithKey
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.Key, motcua.ClientKeyPrefix) || created.ID != "dvcqg" || created.Name != "Cổng Dịch vụ công quốc gia" ||
		created.RateLimit != 120 || strings.Join(created.Scopes, ",") != "dossiers:read,dossiers:write" {
		t.Errorf("created %s", rec.Body)
	}
	if loc := rec.Header().Get("Location"); loc != "/api/v1/admin/clients/dvcqg" {
		t.Errorf("Location = %q", loc)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q; a key must not be cached", cc)
	}
	key := created.Key

	// The ID is taken; bad input is refused whole.
	expect(t, send(s, "POST", "/api/v1/admin/clients", testToken, create), http.StatusConflict, "client_exists")
	rec = send(s, "POST", "/api/v1/admin/clients", testToken,
		`{"id":"Bad","name":"","scopes":["dossiers:delete"],"grants":[{"role":"city_admin","unit":"001"}],"rate_limit":100001}`)
	expect(t, rec, http.StatusBadRequest, "invalid_fields")
	for _, field := range []string{"id", "name", "scopes[0]", "grants[0].role", "rate_limit"} {
		if !strings.Contains(rec.Body.String(), `"field":"`+field+`"`) {
			t.Errorf("no error for %s:\n%s", field, rec.Body)
		}
	}
	expect(t, send(s, "POST", "/api/v1/admin/clients", testToken, `{"id":"x","name":"x","scopes":[],"grants":[],"key":"mck_mine"}`),
		http.StatusBadRequest, "")

	// The key works, with its scopes.
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusOK, "")

	rec = send(s, "GET", "/api/v1/admin/clients", testToken, "")
	expect(t, rec, http.StatusOK, "")
	if body := rec.Body.String(); !strings.Contains(body, `"items":[{"id":"dvcqg"`) || strings.Contains(body, "mck_") {
		t.Errorf("list %s; want the client without its key", body)
	}

	// An update applies at once, and keeps the key.
	rec = send(s, "PUT", "/api/v1/admin/clients/dvcqg", testToken,
		`{"name":"DVCQG","scopes":["alerts:read"],"grants":[{"role":"one_door","unit":"001"}]}`)
	expect(t, rec, http.StatusOK, "")
	if strings.Contains(rec.Body.String(), `"key"`) {
		t.Errorf("an update shows a key: %s", rec.Body)
	}
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusForbidden, "scope_required")
	expect(t, send(s, "PUT", "/api/v1/admin/clients/nobody", testToken, `{"name":"n","scopes":["alerts:read"],"grants":[{"role":"one_door","unit":"001"}]}`),
		http.StatusNotFound, "client_not_found")

	// Rotation: the old key stops working at once on this server.
	rec = send(s, "POST", "/api/v1/admin/clients/dvcqg/key", testToken, "")
	expect(t, rec, http.StatusOK, "")
	var rotated clientKey
	if err := json.Unmarshal(rec.Body.Bytes(), &rotated); err != nil || rotated.ID != "dvcqg" || rotated.Key == key ||
		!strings.HasPrefix(rotated.Key, motcua.ClientKeyPrefix) {
		t.Fatalf("rotated %s, %v", rec.Body, err)
	}
	expect(t, send(s, "GET", "/api/v1/alerts", key, ""), http.StatusUnauthorized, "unauthorized")
	f.FindAlertsFn = func(_ context.Context, af motcua.AlertFilter) ([]*motcua.Alert, error) {
		if af.Actor.Kind != motcua.ActorClient || af.Actor.ID != "dvcqg" || len(af.Actor.Grants) != 1 {
			t.Errorf("alerts of %+v", af.Actor)
		}
		return nil, nil
	}
	expect(t, send(s, "GET", "/api/v1/alerts", rotated.Key, ""), http.StatusOK, "")
	expect(t, send(s, "POST", "/api/v1/admin/clients/nobody/key", testToken, ""), http.StatusNotFound, "client_not_found")

	// Revocation: the key stops working at once; the client stays
	// listed and cannot be changed or recreated.
	expect(t, send(s, "DELETE", "/api/v1/admin/clients/dvcqg", testToken, ""), http.StatusNoContent, "")
	expect(t, send(s, "GET", "/api/v1/alerts", rotated.Key, ""), http.StatusUnauthorized, "client_revoked")
	expect(t, send(s, "POST", "/api/v1/admin/clients/dvcqg/key", testToken, ""), http.StatusConflict, "client_revoked")
	expect(t, send(s, "PUT", "/api/v1/admin/clients/dvcqg", testToken, `{"name":"n","scopes":["alerts:read"],"grants":[{"role":"one_door","unit":"001"}]}`),
		http.StatusConflict, "client_revoked")
	expect(t, send(s, "POST", "/api/v1/admin/clients", testToken, create), http.StatusConflict, "client_revoked")
	expect(t, send(s, "DELETE", "/api/v1/admin/clients/nobody", testToken, ""), http.StatusNotFound, "client_not_found")
	if rec := send(s, "GET", "/api/v1/admin/clients", testToken, ""); !strings.Contains(rec.Body.String(), `"revoked_at":"2025-01-03T02:00:00Z"`) {
		t.Errorf("list after revocation: %s", rec.Body)
	}

	// Every change is audited, naming what it created; uses of the key
	// are not.
	var objects []string
	f.mu.Lock()
	for _, r := range f.audited {
		if r.Action == motcua.AuditClientChange {
			objects = append(objects, r.Object+" "+r.Detail)
		}
	}
	f.mu.Unlock()
	wantObjects := []string{"POST /api/v1/admin/clients created /api/v1/admin/clients/dvcqg", "PUT /api/v1/admin/clients/dvcqg ",
		"POST /api/v1/admin/clients/dvcqg/key ", "DELETE /api/v1/admin/clients/dvcqg "}
	if strings.Join(objects, "|") != strings.Join(wantObjects, "|") {
		t.Errorf("audited %q; want %q", objects, wantObjects)
	}
	s.audits.close()
	for _, a := range f.auditedActions() {
		if a != motcua.AuditClientChange && a != motcua.AuditAdminToken && a != motcua.AuditAccessDenied {
			t.Errorf("audited %s", a)
		}
	}
}

func TestClientScopes(t *testing.T) {
	s, f, g := clientServer(t, motcua.ClockFunc(func() time.Time { return testNow }), nil)
	f.DossierProcessFn = func(context.Context, *motcua.Dossier) (*motcua.Process, error) { return nil, matrixStop() }
	reader := g.add(readingClient("reader", 0))
	writer := g.add(&motcua.APIClient{ID: "writer", Name: "w", Scopes: []string{motcua.ScopeDossiersWrite},
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitB}}})
	for _, tt := range []struct {
		name, method, path, key, body string
		status                        int
		code                          string
		contains                      string
	}{
		{"Read", "GET", dossierPath, reader, "", 200, "", ""},
		{"TimelineByCode", "GET", dossierPath + "/timeline", reader, "", 0, "", ""},
		{"WriteWithoutScope", "POST", "/api/v1/dossiers", reader, dossierBody, 403, "scope_required", "dossiers:write"},
		{"ActWithoutScope", "POST", dossierPath + "/actions", reader, `{"action":"forward"}`, 403, "scope_required", "dossiers:write"},
		{"AlertsWithoutScope", "GET", "/api/v1/alerts", reader, "", 403, "scope_required", "alerts:read"},
		{"ReadWithoutScope", "GET", dossierPath, writer, "", 403, "scope_required", "dossiers:read"},
		// Its scope lets it try; its role at district B does not reach
		// district A's agency.
		{"WriteElsewhere", "POST", "/api/v1/dossiers", writer, dossierBody, 403, "forbidden", ""},
		{"Admin", "GET", "/api/v1/admin/verify", reader, "", 403, "forbidden", ""},
		{"Audit", "GET", "/api/v1/audit", reader, "", 403, "forbidden", ""},
		{"Session", "GET", "/api/v1/auth/session", reader, "", 403, "forbidden", ""},
		{"Processes", "POST", "/api/v1/processes", reader, `{}`, 403, "forbidden", ""},
		{"UnknownKey", "GET", dossierPath, "mck_unknown", "", 401, "unauthorized", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := send(s, tt.method, tt.path, tt.key, tt.body)
			if tt.status == 0 {
				// Let through: the fake store answers what it lacks.
				if rec.Code == 401 || rec.Code == 403 || rec.Code == 404 {
					t.Errorf("status = %d\n%s", rec.Code, rec.Body)
				}
				return
			}
			expect(t, rec, tt.status, tt.code)
			if !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("the problem does not name %q:\n%s", tt.contains, rec.Body)
			}
		})
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/v1/dossiers", strings.NewReader(dossierBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+reader)
	req.Header.Set("Accept-Language", "vi")
	s.Handler().ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "không có phạm vi “dossiers:write”") {
		t.Errorf("Vietnamese detail missing: %s", rec.Body)
	}
}

func TestClientRateLimit(t *testing.T) {
	clock := testkit.NewClock(testNow)
	s, _, g := clientServer(t, clock, nil)
	key := g.add(readingClient("slow", 3))
	other := g.add(readingClient("other", 3))
	for i := range 3 {
		expect(t, send(s, "GET", dossierPath, key, ""), http.StatusOK, "")
		clock.Advance(time.Millisecond * time.Duration(i))
	}
	rec := send(s, "GET", dossierPath, key, "")
	expect(t, rec, http.StatusTooManyRequests, "rate_limited")
	// 3 a minute: one every 20 s, less the 3 ms that passed.
	if ra := rec.Header().Get("Retry-After"); ra != "20" {
		t.Errorf("Retry-After = %q; want 20", ra)
	}
	if !strings.Contains(rec.Body.String(), "3 requests a minute") && !strings.Contains(rec.Body.String(), "3 yêu cầu mỗi phút") {
		t.Errorf("the problem does not name the limit: %s", rec.Body)
	}
	// Another client has its own bucket.
	expect(t, send(s, "GET", dossierPath, other, ""), http.StatusOK, "")
	// One request earned back after 20 s, not two.
	clock.Advance(20 * time.Second)
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusOK, "")
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusTooManyRequests, "rate_limited")
	// A full minute refills the bucket, no more.
	clock.Advance(10 * time.Minute)
	for range 3 {
		expect(t, send(s, "GET", dossierPath, key, ""), http.StatusOK, "")
	}
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusTooManyRequests, "rate_limited")
}

func TestRateLimiter(t *testing.T) {
	type step struct {
		at        time.Duration // after testNow
		perMinute int
		wait      time.Duration // 0: allowed
	}
	for _, tt := range []struct {
		name  string
		steps []step
	}{
		{"Burst", []step{{0, 2, 0}, {0, 2, 0}, {0, 2, 30 * time.Second}}},
		{"Refill", []step{{0, 1, 0}, {30 * time.Second, 1, 30 * time.Second}, {time.Minute, 1, 0}}},
		{"Lowered", []step{{0, 60, 0}, {0, 1, 0}, {0, 1, time.Minute}}},
		{"Raised", []step{{0, 1, 0}, {0, 60, time.Second}, {time.Second, 60, 0}}},
		{"ClockBack", []step{{time.Minute, 1, 0}, {0, 1, time.Minute}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := newRateLimiter()
			for i, st := range tt.steps {
				if got := l.take("c", st.perMinute, testNow.Add(st.at)); got != st.wait {
					t.Errorf("step %d: wait %v; want %v", i, got, st.wait)
				}
			}
		})
	}
	// Idle buckets are dropped once there are many.
	l := newRateLimiter()
	for i := range maxBuckets {
		l.take(strconv.Itoa(i), 60, testNow)
	}
	l.take("new", 60, testNow.Add(time.Minute))
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets; want the idle ones dropped", n)
	}
}

// TestClientCache: a key checked less than clientCacheTTL ago is not
// looked up again, so a key revoked through another process works here
// until then; a refused key is logged.
func TestClientCache(t *testing.T) {
	clock := testkit.NewClock(testNow)
	logs := &testkit.Buffer{}
	s, _, g := clientServer(t, clock, logs)
	key := g.add(readingClient("cached", 0))
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusOK, "")
	if n := g.lookupCount(); n != 1 {
		t.Fatalf("%d look-ups; want 1", n)
	}
	g.revoke(context.Background(), "cached")
	clock.Advance(clientCacheTTL - time.Millisecond)
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusOK, "")
	if n := g.lookupCount(); n != 1 {
		t.Errorf("%d look-ups; want the cached client", n)
	}
	clock.Advance(time.Millisecond)
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusUnauthorized, "client_revoked")
	expect(t, send(s, "GET", dossierPath, key, ""), http.StatusUnauthorized, "client_revoked")
	if n := g.lookupCount(); n != 3 {
		t.Errorf("%d look-ups; want a refused key looked up each time", n)
	}
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "API client key refused") ||
		!strings.Contains(got, "reason=client_revoked") || strings.Contains(got, key) {
		t.Errorf("logs = %s; want the refusal at Warn, without the key", got)
	}
}
