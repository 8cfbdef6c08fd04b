package web

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
)

// The units and agencies of the access tests: district A (unit 001, whose
// People's Committee received receivedDossier) and district B (unit 002),
// both in the city 01.
const (
	unitCity = "01"
	unitA    = "001"
	unitB    = "002"
	agencyA  = "000.01.01.H26"
	agencyB  = "000.02.01.H26"
	personA  = "001090000001" // receivedDossier's applicant
	personB  = "001090000002"
)

// testDirectory is a motcua.Directory over two districts of one city.
type testDirectory struct{}

func (testDirectory) Agency(code string) (*motcua.Agency, bool) {
	switch code {
	case agencyA:
		return &motcua.Agency{Code: agencyA, Name: "UBND quận Ba Đình", Kind: motcua.AgencyPeoplesCommittee, UnitCode: unitA}, true
	case agencyB:
		return &motcua.Agency{Code: agencyB, Name: "UBND quận Hoàn Kiếm", Kind: motcua.AgencyPeoplesCommittee, UnitCode: unitB}, true
	}
	return nil, false
}

func (testDirectory) ParentUnit(unit string) (string, bool) {
	if unit == unitA || unit == unitB {
		return unitCity, true
	}
	return "", false
}

func (d testDirectory) AgencyAt(unit, _ string) (*motcua.Agency, bool) {
	switch unit {
	case unitA:
		return d.Agency(agencyA)
	case unitB:
		return d.Agency(agencyB)
	}
	return nil, false
}

// withDirectory makes the store answer with testDirectory.
func withDirectory(f *fakeStore) {
	f.DirectoryFn = func(context.Context) (motcua.Directory, error) { return testDirectory{}, nil }
}

// The callers of the access tests.

// citizenA is the applicant of receivedDossier.
func citizenA() testSession { return citizenSession("tok-citizen-a", "cit-a", personA) }

// citizenB is another citizen.
func citizenB() testSession { return citizenSession("tok-citizen-b", "cit-b", personB) }

// officerA works at district A, which received receivedDossier.
func officerA() testSession {
	return staffSession("tok-officer-a", motcua.Actor{Kind: motcua.ActorOfficer, ID: "an.nv", Name: "Nguyễn Văn An",
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitA}, {Role: motcua.RoleSpecialist, Unit: unitA}}})
}

// officerB works at district B.
func officerB() testSession {
	return staffSession("tok-officer-b", motcua.Actor{Kind: motcua.ActorOfficer, ID: "binh.tt", Name: "Trần Thị Bình",
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitB}, {Role: motcua.RoleLeader, Unit: unitB}}})
}

// cityAuditor audits the whole city.
func cityAuditor() testSession {
	return staffSession("tok-auditor", motcua.Actor{Kind: motcua.ActorOfficer, ID: "kiem.tra", Name: "Kiểm Tra Viên",
		Grants: []motcua.Grant{{Role: motcua.RoleAuditor, Unit: unitCity}}})
}

// cityAdmin administers the city.
func cityAdmin() testSession {
	return staffSession("tok-city-admin", motcua.Actor{Kind: motcua.ActorOfficer, ID: "quan.tri", Name: "Quản Trị Viên",
		Grants: []motcua.Grant{{Role: motcua.RoleCityAdmin, Unit: unitCity}}})
}

// limited returns ts limited to what must be done first.
func limited(ts testSession, limit string) testSession {
	s := *ts.session
	s.Limited = limit
	s.MFA = limit != motcua.LimitTOTPSetup
	ts.session = &s
	return ts
}

func TestCSRF(t *testing.T) {
	officer, other, admin := officerA(), officerB(), cityAdmin()
	sessions := func(a *fakeAuth) { a.withSessions(officer, other, admin) }
	visible := func(f *fakeStore) {
		withDirectory(f)
		f.FindDossierFn = func(context.Context, string) (*motcua.Dossier, error) { return receivedDossier(), nil }
	}
	acted := func(f *fakeStore) {
		visible(f)
		f.ApplyActionFn = func(context.Context, string, motcua.ActionRequest) (*motcua.Dossier, error) {
			return receivedDossier(), nil
		}
	}
	// untouched checks that nothing reached the store: a method without
	// its function fails the test, and nothing was audited.
	untouched := func(t *testing.T, _ *httptest.ResponseRecorder, f *fakeStore) {
		if got := f.auditedActions(); len(got) > 0 {
			t.Errorf("audited %v; want nothing", got)
		}
	}
	with := func(h map[string]string, kv ...string) map[string]string {
		c := map[string]string{}
		for k, v := range h {
			c[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return c
	}
	const action = "/api/v1/dossiers/000.01.01.H26-250103-0001/actions"
	const body = `{"action":"forward"}`
	csrfFailed := []string{`"code":"csrf_failed"`}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "GetWithoutToken", path: "/api/v1/dossiers/000.01.01.H26-250103-0001", header: cookieOnly(officer),
			store: visible, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "HeadWithoutToken", method: "HEAD", path: "/api/v1/auth/session", header: cookieOnly(officer),
			status: 200}, service: sessions},
		{scenario: scenario{name: "PostWithoutToken", method: "POST", path: action, body: body, header: cookieOnly(officer),
			status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions, after: untouched},
		{scenario: scenario{name: "PostWrongToken", method: "POST", path: action, body: body,
			header: with(cookieOnly(officer), csrfHeader, "csrf-tok-officer-x"),
			status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions, after: untouched},
		{scenario: scenario{name: "PostTokenOfAnotherSession", method: "POST", path: action, body: body,
			header: with(cookieOnly(officer), csrfHeader, other.session.CSRF),
			status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions, after: untouched},
		{scenario: scenario{name: "PostCrossSiteWithToken", method: "POST", path: action, body: body,
			header: with(withCSRF(officer), "Sec-Fetch-Site", "cross-site"),
			status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions, after: untouched},
		{scenario: scenario{name: "PostRightToken", method: "POST", path: action, body: body, header: withCSRF(officer),
			store: acted, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "PostSameOriginWithToken", method: "POST", path: action, body: body,
			header: with(withCSRF(officer), "Sec-Fetch-Site", "same-origin"),
			store:  acted, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "PostSameSiteWithToken", method: "POST", path: action, body: body,
			header: with(withCSRF(officer), "Sec-Fetch-Site", "same-site"),
			store:  acted, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "TokenInForm", method: "POST", path: "/api/v1/auth/sign-out", body: "csrf_token=csrf-tok-officer-a",
			header: with(cookieOnly(officer), "Content-Type", "application/x-www-form-urlencoded"), status: 204},
			service: func(a *fakeAuth) {
				sessions(a)
				a.SignOutFn = func(context.Context, string) error { return nil }
			}},
		{scenario: scenario{name: "WrongTokenInForm", method: "POST", path: "/api/v1/auth/sign-out", body: "csrf_token=nope",
			header: with(cookieOnly(officer), "Content-Type", "application/x-www-form-urlencoded"),
			status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions},
		{scenario: scenario{name: "PutWithoutToken", method: "PUT", path: "/api/v1/calendar/weeks/001", body: `{}`, header: cookieOnly(admin),
			status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions, after: untouched},
		{scenario: scenario{name: "DeleteWithoutToken", method: "DELETE", path: "/api/v1/calendar/days?unit=001&date=2025-01-01",
			header: cookieOnly(admin), status: 403, contentType: problemJSON, contains: csrfFailed}, service: sessions, after: untouched},
		{scenario: scenario{name: "DeleteRightToken", method: "DELETE", path: "/api/v1/calendar/days?unit=001&date=2025-01-01",
			header: withCSRF(admin), status: 204, store: func(f *fakeStore) {
				f.DeleteOfficialDayFn = func(context.Context, string, string) error { return nil }
			}}, service: sessions},
		{scenario: scenario{name: "AdminTokenNeedsNone", method: "POST", path: action, body: body, auth: true,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"},
			store:  acted, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "BearerBeatsCookie", method: "POST", path: action, body: body, auth: true,
			header: cookieOnly(officer), store: acted, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "StaffTokenNeedsNone", method: "POST", path: action, body: body,
			header: map[string]string{"Authorization": "Bearer mcs_officer"}, store: func(f *fakeStore) {
				acted(f)
				f.StaffByTokenFn = func(_ context.Context, token string) (*motcua.Staff, error) {
					if token != "mcs_officer" {
						t.Errorf("StaffByToken(%q)", token)
					}
					return &motcua.Staff{ID: "an.nv", Name: "Nguyễn Văn An", Grants: officer.actor.Grants}, nil
				}
			}, status: 200, contentType: "application/json"}, service: sessions},
	})
}

func TestLimitedSession(t *testing.T) {
	for _, limit := range []string{motcua.LimitPasswordChange, motcua.LimitTOTPSetup} {
		t.Run(limit, func(t *testing.T) {
			// A city administrator, who may use every route once signed in
			// fully, and a citizen.
			staffer := limited(cityAdmin(), limit)
			citizen := limited(citizenA(), limit)
			sessions := func(a *fakeAuth) {
				a.withSessions(staffer, citizen)
				renewed := staffSession("tok-renewed", staffer.actor).signedIn()
				a.ChangePasswordFn = func(context.Context, string, string, string) (*motcua.SignedIn, error) { return renewed, nil }
				a.ConfirmTOTPFn = func(context.Context, string, string, string) (*motcua.SignedIn, error) { return renewed, nil }
				a.BeginTOTPFn = func(context.Context, *motcua.Session) (*motcua.TOTPEnrolment, error) {
					return &motcua.TOTPEnrolment{Secret: "S", URI: "otpauth://totp/x"}, nil
				}
				a.SignOutFn = func(context.Context, string) error { return nil }
			}
			required := []string{`"code":"` + limit + `_required"`}
			const dossier = "/api/v1/dossiers/000.01.01.H26-250103-0001"
			var scs []authScenario
			refused := []struct{ method, path, body string }{
				{"GET", dossier, ""},
				{"GET", dossier + "/timeline", ""},
				{"POST", dossier + "/actions", `{"action":"forward"}`},
				{"GET", dossier + "/forms/01", ""},
				{"GET", "/api/v1/alerts", ""},
				{"POST", "/api/v1/processes", `{}`},
				{"GET", "/api/v1/admin/verify", ""},
				{"POST", "/api/v1/admin/staff/lan.pt/password", ""},
				{"GET", "/api/v1/audit", ""},
				{"GET", "/api/v1/audit/export", ""},
			}
			for _, r := range refused {
				scs = append(scs, authScenario{scenario: scenario{name: "Refused " + r.method + " " + r.path, method: r.method,
					path: r.path, body: r.body, header: withCSRF(staffer), status: 403, contentType: problemJSON, contains: required},
					service: sessions})
			}
			scs = append(scs,
				authScenario{scenario: scenario{name: "CitizenRefusedOwnDossier", path: dossier, header: withCSRF(citizen),
					status: 403, contentType: problemJSON, contains: required}, service: sessions},
				authScenario{scenario: scenario{name: "Session", path: "/api/v1/auth/session", header: cookieOnly(staffer),
					status: 200, contentType: "application/json", contains: []string{`"limited":"` + limit + `"`}}, service: sessions},
				authScenario{scenario: scenario{name: "Password", method: "POST", path: "/api/v1/auth/password",
					body: `{"current_password":"a","password":"b"}`, header: withCSRF(staffer), status: 200, contentType: "application/json"},
					service: sessions, after: sessionSet("motcua_session", "tok-renewed", false)},
				authScenario{scenario: scenario{name: "PasswordWithoutCSRF", method: "POST", path: "/api/v1/auth/password",
					body: `{"current_password":"a","password":"b"}`, header: cookieOnly(staffer),
					status: 403, contentType: problemJSON, contains: []string{`"code":"csrf_failed"`}}, service: sessions},
				authScenario{scenario: scenario{name: "BeginTOTP", method: "POST", path: "/api/v1/auth/totp", header: withCSRF(staffer),
					status: 200, contentType: "application/json"}, service: sessions},
				authScenario{scenario: scenario{name: "ConfirmTOTP", method: "POST", path: "/api/v1/auth/totp/confirm",
					body: `{"secret":"S","code":"123456"}`, header: withCSRF(staffer), status: 200, contentType: "application/json"},
					service: sessions, after: sessionSet("motcua_session", "tok-renewed", false)},
				authScenario{scenario: scenario{name: "SignOut", method: "POST", path: "/api/v1/auth/sign-out", header: withCSRF(staffer),
					status: 204}, service: sessions},
				authScenario{scenario: scenario{name: "PublicRoute", path: "/api/v1/units/001", header: cookieOnly(staffer),
					store: func(f *fakeStore) {
						f.FindUnitFn = func(context.Context, string) (*motcua.Unit, error) { return &motcua.Unit{Code: unitA}, nil }
					}, status: 200, contentType: "application/json"}, service: sessions},
			)
			runAuth(t, scs)
		})
	}
}

func TestHSTS(t *testing.T) {
	const hsts = "max-age=63072000; includeSubDomains"
	for _, tt := range []struct {
		name string
		on   bool
		path string
		want string
	}{
		{"Off", false, "/healthz", ""},
		{"OffProblem", false, "/nothing", ""},
		{"On", true, "/healthz", hsts},
		{"OnProblem", true, "/nothing", hsts},
		{"OnHome", true, "/", hsts},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newAuthServer(t, &fakeStore{}, nil, func(c *Config) { c.HSTS = tt.on })
			rec := scenario{path: tt.path}.do(s)
			if got := rec.Header().Values("Strict-Transport-Security"); tt.want == "" && len(got) > 0 ||
				tt.want != "" && (len(got) != 1 || got[0] != tt.want) {
				t.Errorf("Strict-Transport-Security = %q; want %q", got, tt.want)
			}
		})
	}
}

// waitAudited waits up to 2 s, the auditor appending every 100 ms, for a
// record that match accepts.
func waitAudited(t *testing.T, f *fakeStore, match func(r *motcua.AuditRecord) bool) motcua.AuditRecord {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		f.mu.Lock()
		for _, r := range f.audited {
			if match(r) {
				found := *r
				f.mu.Unlock()
				return found
			}
		}
		f.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no such audit record after 2 s; audited %v", f.auditedActions())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAuditedAccess(t *testing.T) {
	const ref = "000.01.01.H26-250103-0001"
	officer, citizen := officerA(), citizenA()
	newServer := func(t *testing.T) (*Server, *fakeStore) {
		f := &fakeStore{VerifyDossiersFn: func(context.Context) (*motcua.VerifyReport, error) { return &motcua.VerifyReport{}, nil },
			FindDossierFn: func(context.Context, string) (*motcua.Dossier, error) { return receivedDossier(), nil }}
		withDirectory(f)
		a := (&fakeAuth{}).withSessions(officer, officerB(), citizen)
		return newAuthServer(t, f, a), f
	}
	get := func(t *testing.T, s *Server, path string, header map[string]string, bearer bool) {
		t.Helper()
		rec := scenario{path: path, header: header, auth: bearer}.do(s)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status = %d; want 200\n%s", path, rec.Code, rec.Body)
		}
	}
	t.Run("AdminToken", func(t *testing.T) {
		// Uses are counted and appended a minute at a time, and when
		// the server stops.
		s, f := newServer(t)
		get(t, s, "/api/v1/admin/verify?x=1", nil, true)
		get(t, s, "/api/v1/admin/verify", nil, true)
		s.audits.close()
		r := waitAudited(t, f, func(r *motcua.AuditRecord) bool { return r.Action == motcua.AuditAdminToken })
		if !r.Actor.Same(motcua.BootstrapAdmin) || r.Object != "GET /api/v1/admin/verify" || r.Outcome != motcua.OutcomeOK ||
			r.IP != "192.0.2.1" || !r.At.Equal(testNow) || !strings.HasPrefix(r.Detail, "2 requests from ") {
			t.Errorf("record = %+v", r)
		}
	})
	t.Run("WrongAdminTokenIsNotAuditedAsUse", func(t *testing.T) {
		s, f := newServer(t)
		if rec := (scenario{path: "/api/v1/admin/verify", header: map[string]string{"Authorization": "Bearer nope"}}).do(s); rec.Code != 401 {
			t.Fatalf("status = %d; want 401", rec.Code)
		}
		s.audits.close()
		if as := f.auditedActions(); slices.Contains(as, motcua.AuditAdminToken) {
			t.Errorf("audited %v; a wrong token is no use of the administrator token", as)
		}
	})
	t.Run("OfficerViewsDossier", func(t *testing.T) {
		s, f := newServer(t)
		get(t, s, "/api/v1/dossiers/"+ref, cookieOnly(officer), false)
		r := waitAudited(t, f, func(r *motcua.AuditRecord) bool { return r.Action == motcua.AuditPersonalView })
		if r.Actor.ID != "an.nv" || r.Actor.Kind != motcua.ActorOfficer || r.Object != "dossier:"+ref || r.Outcome != motcua.OutcomeOK {
			t.Errorf("record = %+v", r)
		}
	})
	t.Run("CitizenViewsOwnDossier", func(t *testing.T) {
		s, f := newServer(t)
		get(t, s, "/api/v1/dossiers/"+ref, cookieOnly(citizen), false)
		s.audits.close() // appends whatever is queued
		if as := f.auditedActions(); len(as) > 0 {
			t.Errorf("audited %v; want nothing", as)
		}
	})
	t.Run("AdminTokenViewsDossier", func(t *testing.T) {
		s, f := newServer(t)
		get(t, s, "/api/v1/dossiers/"+ref, nil, true)
		s.audits.close()
		if as := f.auditedActions(); !slices.Equal(as, []string{motcua.AuditAdminToken}) {
			t.Errorf("audited %v; want only the token's use", as)
		}
	})
	t.Run("RefusedViewIsNotAudited", func(t *testing.T) {
		s, f := newServer(t)
		if rec := (scenario{path: "/api/v1/dossiers/" + ref, header: cookieOnly(officerB())}).do(s); rec.Code != 404 {
			t.Fatalf("status = %d; want 404", rec.Code)
		}
		s.audits.close()
		if as := f.auditedActions(); slices.Contains(as, motcua.AuditPersonalView) {
			t.Errorf("audited %v; a refused view showed nothing", as)
		}
	})
}

// TestAuditorAddAfterClose: a record added once the auditor is closed
// (a request still running when Serve gave up waiting) is appended
// directly.
func TestAuditorAddAfterClose(t *testing.T) {
	f := &fakeStore{t: t}
	a := newAuditor(f, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.close()
	for range 50 {
		a.add(&motcua.AuditRecord{Action: motcua.AuditAdminToken})
	}
	if n := len(f.auditedActions()); n != 50 {
		t.Errorf("%d records appended; want 50", n)
	}
}

func TestAuditList(t *testing.T) {
	aud, admin, officer, citizen := cityAuditor(), cityAdmin(), officerA(), citizenA()
	sessions := func(a *fakeAuth) { a.withSessions(aud, admin, officer, citizen) }
	rec := &motcua.AuditRecord{Seq: 8, At: testNow, Actor: officer.actor, Action: motcua.AuditSignIn, Object: "staff:an.nv",
		Outcome: motcua.OutcomeOK, IP: "192.0.2.9", PrevHash: "p8", Hash: "h8"}
	found := func(want motcua.AuditFilter) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.FindAuditFn = func(_ context.Context, got motcua.AuditFilter) ([]*motcua.AuditRecord, error) {
				if got.After != want.After || got.Action != want.Action || got.ActorID != want.ActorID || got.Object != want.Object ||
					!got.From.Equal(want.From) || !got.To.Equal(want.To) || got.Limit != want.Limit {
					t.Errorf("filter = %+v; want %+v", got, want)
				}
				return []*motcua.AuditRecord{rec}, nil
			}
		}
	}
	none := func(f *fakeStore) {
		f.FindAuditFn = func(context.Context, motcua.AuditFilter) ([]*motcua.AuditRecord, error) { return nil, nil }
	}
	full := motcua.AuditFilter{After: 7, Action: "sign_in", ActorID: "an.nv", Object: "staff:an.nv",
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 3, 2, 0, 0, 0, time.UTC), Limit: 50}
	const query = "?after=7&action=sign_in&actor=an.nv&object=staff:an.nv&from=2025-01-01T00:00:00Z&to=2025-01-03T09:00:00%2B07:00&limit=50"
	records := []string{`"records":[{"seq":8,`, `"action":"sign_in"`, `"object":"staff:an.nv"`, `"hash":"h8"`}
	bad := func(name, q string, fields ...string) authScenario {
		var contains []string
		for _, f := range fields {
			contains = append(contains, `"field":"`+f+`"`)
		}
		return authScenario{scenario: scenario{name: name, path: "/api/v1/audit?" + q, header: cookieOnly(aud),
			status: 400, contentType: problemJSON, contains: append(contains, `"code":"invalid_fields"`)}, service: sessions}
	}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "Filters", path: "/api/v1/audit" + query, header: cookieOnly(aud), store: found(full),
			status: 200, contentType: "application/json", contains: records, headers: map[string]string{"Cache-Control": "no-store"}},
			service: sessions},
		{scenario: scenario{name: "NoFilter", path: "/api/v1/audit", header: cookieOnly(aud), store: found(motcua.AuditFilter{}),
			status: 200, contentType: "application/json", contains: records}, service: sessions},
		{scenario: scenario{name: "Empty", path: "/api/v1/audit?action=export", header: cookieOnly(aud), store: none,
			status: 200, contentType: "application/json", contains: []string{`{"records":[]}`}}, service: sessions},
		bad("AfterNotANumber", "after=x", "after"),
		bad("AfterNegative", "after=-1", "after"),
		bad("FromNotRFC3339", "from=2025-01-01", "from"),
		bad("ToNotRFC3339", "to=yesterday", "to"),
		bad("LimitZero", "limit=0", "limit"),
		bad("LimitNotANumber", "limit=many", "limit"),
		bad("Several", "after=x&from=1&limit=-5", "after", "from", "limit"),
		{scenario: scenario{name: "CityAdmin", path: "/api/v1/audit", header: cookieOnly(admin), store: none,
			status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "AdminToken", path: "/api/v1/audit", auth: true, store: none,
			status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "Officer", path: "/api/v1/audit", header: cookieOnly(officer),
			status: 403, contentType: problemJSON, contains: []string{`"code":"forbidden"`}}, service: sessions},
		{scenario: scenario{name: "Citizen", path: "/api/v1/audit", header: cookieOnly(citizen),
			status: 403, contentType: problemJSON}, service: sessions},
		{scenario: scenario{name: "Anonymous", path: "/api/v1/audit", status: 401, contentType: problemJSON}, service: sessions},
		{scenario: scenario{name: "AuditorStaffToken", path: "/api/v1/audit", header: map[string]string{"Authorization": "Bearer mcs_aud"},
			store: func(f *fakeStore) {
				none(f)
				f.StaffByTokenFn = func(context.Context, string) (*motcua.Staff, error) {
					return &motcua.Staff{ID: "kiem.tra", Grants: aud.actor.Grants}, nil
				}
			}, status: 200, contentType: "application/json"}},
	})
}

func TestAuditExport(t *testing.T) {
	aud, officer := cityAuditor(), officerA()
	sessions := func(a *fakeAuth) { a.withSessions(aud, officer) }
	tricky := &motcua.AuditRecord{Seq: 3, At: testNow,
		Actor:  motcua.Actor{Kind: motcua.ActorOfficer, ID: "@an.nv", Name: "=HYPERLINK(\"http://x\")"},
		Action: motcua.AuditSignInFailed, Object: "+staff:an.nv", Outcome: motcua.OutcomeFailed, IP: "192.0.2.9",
		Detail: "-1+1", PrevHash: "p3", Hash: "h3"}
	plain := &motcua.AuditRecord{Seq: 4, At: testNow, Actor: officer.actor, Action: motcua.AuditSignIn, Object: "staff:an.nv",
		Outcome: motcua.OutcomeOK, Detail: "\tcmd", PrevHash: "h3", Hash: "h4"}
	header := []string{"seq", "at", "actor_kind", "actor_id", "actor_name", "action", "object", "outcome", "ip", "detail", "prev_hash", "hash"}
	readCSV := func(t *testing.T, rec *httptest.ResponseRecorder) [][]string {
		t.Helper()
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, rec.Body)
		}
		if len(rows) == 0 || !slices.Equal(rows[0], header) {
			t.Fatalf("header row = %q; want %q", rows, header)
		}
		return rows[1:]
	}
	exported := func(t *testing.T, f *fakeStore, actor, detail string) {
		t.Helper()
		// Synchronously: the record is there when the answer is.
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, r := range f.audited {
			if r.Action == motcua.AuditExport {
				if r.Actor.ID != actor || r.Object != "audit" || r.Detail != detail || r.Outcome != motcua.OutcomeOK {
					t.Errorf("export record = %+v", r)
				}
				return
			}
		}
		t.Errorf("the export is not audited; audited %d records", len(f.audited))
	}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "Neutralised", path: "/api/v1/audit/export?action=sign_in_failed&from=2025-01-01T00:00:00Z",
			header: cookieOnly(aud), store: func(f *fakeStore) {
				f.FindAuditFn = func(_ context.Context, got motcua.AuditFilter) ([]*motcua.AuditRecord, error) {
					if got.Action != "sign_in_failed" || got.From.IsZero() || got.Limit != 1000 || got.After != 0 {
						t.Errorf("filter = %+v", got)
					}
					return []*motcua.AuditRecord{tricky, plain}, nil
				}
			}, status: 200, contentType: "text/csv",
			headers: map[string]string{"Content-Disposition": `attachment; filename="audit.csv"`, "Cache-Control": "no-store"}},
			service: sessions, after: func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
				exported(t, f, "kiem.tra", "action=sign_in_failed&from=2025-01-01T00:00:00Z")
				rows := readCSV(t, rec)
				at := motcua.FormatTime(testNow)
				want := [][]string{
					{"3", at, "officer", "'@an.nv", "'=HYPERLINK(\"http://x\")", "sign_in_failed", "'+staff:an.nv",
						"failed", "192.0.2.9", "'-1+1", "p3", "h3"},
					{"4", at, "officer", "an.nv", "Nguyễn Văn An", "sign_in", "staff:an.nv", "ok", "", "'\tcmd", "h3", "h4"},
				}
				if !slices.EqualFunc(rows, want, slices.Equal) {
					t.Errorf("rows =\n%q\nwant\n%q", rows, want)
				}
			}},
		{scenario: scenario{name: "Pages", path: "/api/v1/audit/export", header: cookieOnly(aud), store: func(f *fakeStore) {
			var afters []int64
			f.FindAuditFn = func(_ context.Context, got motcua.AuditFilter) ([]*motcua.AuditRecord, error) {
				afters = append(afters, got.After)
				n := 1000
				if got.After == 1000 {
					n = 5
				}
				if len(afters) > 2 {
					t.Fatalf("FindAudit after %v; want after 0 then 1000", afters)
				}
				var page []*motcua.AuditRecord
				for i := range n {
					page = append(page, &motcua.AuditRecord{Seq: got.After + int64(i) + 1, At: testNow, Action: motcua.AuditSignIn})
				}
				return page, nil
			}
		}, status: 200, contentType: "text/csv"},
			service: sessions, after: func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
				if rows := readCSV(t, rec); len(rows) != 1005 || rows[1004][0] != "1005" {
					t.Errorf("%d rows; want 1005, the last numbered 1005", len(rows))
				}
				exported(t, f, "kiem.tra", "")
			}},
		{scenario: scenario{name: "TooLarge", path: "/api/v1/audit/export", header: cookieOnly(aud), store: func(f *fakeStore) {
			page := make([]*motcua.AuditRecord, 1000)
			for i := range page {
				page[i] = &motcua.AuditRecord{Seq: int64(i + 1)}
			}
			f.FindAuditFn = func(context.Context, motcua.AuditFilter) ([]*motcua.AuditRecord, error) { return page, nil }
		}, status: 413, contentType: problemJSON, contains: []string{`"code":"export_too_large"`}},
			service: sessions, after: func(t *testing.T, _ *httptest.ResponseRecorder, f *fakeStore) {
				if as := f.auditedActions(); len(as) > 0 {
					t.Errorf("audited %v; a refused export exported nothing", as)
				}
			}},
		{scenario: scenario{name: "BadFilter", path: "/api/v1/audit/export?to=soon", header: cookieOnly(aud),
			status: 400, contentType: problemJSON, contains: []string{`"field":"to"`}}, service: sessions},
		{scenario: scenario{name: "AdminToken", path: "/api/v1/audit/export?action=x", auth: true, store: func(f *fakeStore) {
			f.FindAuditFn = func(context.Context, motcua.AuditFilter) ([]*motcua.AuditRecord, error) { return nil, nil }
		}, status: 200, contentType: "text/csv"}, service: sessions,
			after: func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
				if rows := readCSV(t, rec); len(rows) != 0 {
					t.Errorf("rows = %q; want the header only", rows)
				}
				exported(t, f, motcua.BootstrapAdmin.ID, "action=x")
			}},
		{scenario: scenario{name: "Officer", path: "/api/v1/audit/export", header: cookieOnly(officer),
			status: 403, contentType: problemJSON}, service: sessions},
	})
}

// matrixStop is what the store and the authentication service answer,
// in the route matrix, a request that got through: a conflict, which no
// refusal looks like.
func matrixStop() error {
	return &motcua.Error{Code: motcua.ECONFLICT, Reason: "matrix_stop", Message: "The matrix stops here."}
}

// stopEverything sets every function field (named …Fn) of the fake v
// points to so that it answers matrixStop.
func stopEverything(v any) {
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		sf := rv.Type().Field(i)
		if !strings.HasSuffix(sf.Name, "Fn") || sf.Type.Kind() != reflect.Func {
			continue
		}
		ft := sf.Type
		rv.Field(i).Set(reflect.MakeFunc(ft, func([]reflect.Value) []reflect.Value {
			out := make([]reflect.Value, ft.NumOut())
			for j := range out {
				out[j] = reflect.Zero(ft.Out(j))
			}
			out[len(out)-1] = reflect.ValueOf(matrixStop()).Convert(ft.Out(len(out) - 1))
			return out
		}))
	}
}

// matrixStore is the fake store of the route matrix: it also answers the
// methods fakeStore has no function for.
type matrixStore struct{ *fakeStore }

func (matrixStore) FindProcedureVersion(context.Context, string, int) (*motcua.Procedure, error) {
	return nil, matrixStop()
}

// probe is one request of the route matrix and what each caller gets.
type probe struct {
	path   string
	body   string
	cookie *http.Cookie // sent besides the caller's
	// want has one letter per caller of the matrix, in order: o lets
	// the caller through (any status but 401, 403, 404 or 500), u is
	// 401, f is 403, n is 404 (a dossier or agency hidden from the
	// caller).
	want string
}

// TestRouteAccessMatrix sends every route of the routing table as every
// kind of caller and checks who gets through. A route without an
// expectation fails the test.
func TestRouteAccessMatrix(t *testing.T) {
	ca, cb, oa, ob, au, adm := citizenA(), citizenB(), officerA(), officerB(), cityAuditor(), cityAdmin()
	callers := []struct {
		name    string
		session *testSession
		bearer  string // the Authorization: Bearer token
	}{
		{"anonymous", nil, ""},
		{"citizen A (the applicant)", &ca, ""},
		{"citizen B", &cb, ""},
		{"officer of district A (received the dossier)", &oa, ""},
		{"officer of district B", &ob, ""},
		{"auditor", &au, ""},
		{"city administrator", &adm, ""},
		{"administrator token", nil, testToken},
		{"API client (dossiers:read, one-door at district A)", nil, matrixClientKey},
	}
	flow, err := json.Marshal(motcua.CitizenFlow{State: "s", Nonce: "n", Verifier: "v"})
	if err != nil {
		t.Fatal(err)
	}
	flowCk := &http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(flow)}
	const (
		byCode = "/api/v1/dossiers/000.01.01.H26-250103-0001"
		byID   = "/api/v1/dossiers/abcdefghijklmnopqrstuvwxyz"
		//          callers: anon, citizen A, citizen B, officer A, officer B, auditor, city admin, admin token, API client
		everyone     = "ooooooooo"
		anySignedIn  = "uooooooof" // an API client has no session, nor may it use the sign-in routes
		dossierOwner = "uononnooo" // the applicant and staff covering district A (the client too); not the auditor
		dossierStaff = "uffonnooo" // staff covering district A, and the client reading; not the auditor
		dossierWrite = "uffonnoof" // staff covering district A; not the auditor, nor the client without dossiers:write
		admins       = "ufffffoof"
		auditors     = "uffffooof"
	)
	const clientBody = `{"id":"partner","name":"Đối tác","scopes":["dossiers:read"],"grants":[{"role":"one_door","unit":"001"}]}`
	matrix := map[string][]probe{
		"GET /{$}":                 {{path: "/", want: everyone}},
		"GET /static/{name}":       {{path: "/static/motcua.css", want: everyone}},
		"GET /healthz":             {{path: "/healthz", want: everyone}},
		"GET /readyz":              {{path: "/readyz", want: everyone}},
		"GET /metrics":             {{path: "/metrics", want: everyone}},
		"GET /api/v1/openapi.json": {{path: "/api/v1/openapi.json", want: everyone}},

		"GET /api/v1/units":             {{path: "/api/v1/units", want: everyone}},
		"GET /api/v1/units/{code}":      {{path: "/api/v1/units/001", want: everyone}},
		"GET /api/v1/agencies":          {{path: "/api/v1/agencies", want: everyone}},
		"GET /api/v1/procedures":        {{path: "/api/v1/procedures", want: everyone}},
		"GET /api/v1/procedures/{code}": {{path: "/api/v1/procedures/DEMO-1.001193", want: everyone}},

		// Only a one-door officer of the receiving agency (or the token)
		// receives: the auditor and the city administrator hold no
		// one-door role there, the API client lacks dossiers:write.
		"POST /api/v1/dossiers":               {{path: "/api/v1/dossiers", body: dossierBody, want: "uffofffof"}},
		"GET /api/v1/dossiers/{ref}":          {{path: byCode, want: dossierOwner}, {path: byID, want: dossierOwner}},
		"POST /api/v1/dossiers/{ref}/actions": {{path: byCode + "/actions", body: `{"action":"forward"}`, want: dossierWrite}},

		"GET /api/v1/calendar/days":            {{path: "/api/v1/calendar/days?unit=001&from=2025-01-01&to=2025-01-31", want: everyone}},
		"POST /api/v1/calendar/days":           {{path: "/api/v1/calendar/days", body: `{"unit":"001","date":"2025-01-04","kind":"work"}`, want: admins}},
		"DELETE /api/v1/calendar/days":         {{path: "/api/v1/calendar/days?unit=001&date=2025-01-04", want: admins}},
		"GET /api/v1/calendar/due":             {{path: "/api/v1/calendar/due?unit=001&start=2025-01-03T02:00:00Z&days=3", want: everyone}},
		"GET /api/v1/calendar/weeks/{unit}":    {{path: "/api/v1/calendar/weeks/001", want: everyone}},
		"PUT /api/v1/calendar/weeks/{unit}":    {{path: "/api/v1/calendar/weeks/001", body: `{}`, want: admins}},
		"DELETE /api/v1/calendar/weeks/{unit}": {{path: "/api/v1/calendar/weeks/001", want: admins}},
		"GET /api/v1/calendar/changes":         {{path: "/api/v1/calendar/changes", want: admins}},

		"GET /api/v1/processes":        {{path: "/api/v1/processes", want: everyone}},
		"GET /api/v1/processes/{code}": {{path: "/api/v1/processes/P-1", want: everyone}},
		"POST /api/v1/processes":       {{path: "/api/v1/processes", body: `{}`, want: admins}},
		// By its unguessable ID anyone may follow a dossier; by its code
		// only those who may see it.
		"GET /api/v1/dossiers/{ref}/timeline": {{path: byID + "/timeline", want: everyone}, {path: byCode + "/timeline", want: dossierOwner}},
		"GET /api/v1/dossiers/{ref}/forms/{form}": {{path: byCode + "/forms/01", want: dossierStaff},
			{path: byID + "/forms/06", want: dossierStaff}},
		"GET /api/v1/agencies/{code}/register": {{path: "/api/v1/agencies/" + agencyA + "/register", want: dossierStaff}},
		// The API client lacks alerts:read.
		"GET /api/v1/alerts": {{path: "/api/v1/alerts", want: "uffooooof"}},

		"GET /api/v1/admin/verify":               {{path: "/api/v1/admin/verify", want: admins}},
		"PUT /api/v1/admin/staff/{id}":           {{path: "/api/v1/admin/staff/lan.pt", body: `{"name":"Phạm Thị Lan","grants":[]}`, want: admins}},
		"POST /api/v1/admin/staff/{id}/password": {{path: "/api/v1/admin/staff/lan.pt/password", want: admins}},
		"POST /api/v1/admin/clients":             {{path: "/api/v1/admin/clients", body: clientBody, want: admins}},
		"GET /api/v1/admin/clients":              {{path: "/api/v1/admin/clients", want: admins}},
		"PUT /api/v1/admin/clients/{id}": {{path: "/api/v1/admin/clients/partner",
			body: `{"name":"Đối tác","scopes":["dossiers:read"],"grants":[{"role":"one_door","unit":"001"}]}`, want: admins}},
		"POST /api/v1/admin/clients/{id}/key": {{path: "/api/v1/admin/clients/partner/key", want: admins}},
		"DELETE /api/v1/admin/clients/{id}":   {{path: "/api/v1/admin/clients/partner", want: admins}},

		"POST /api/v1/auth/sign-in":             {{path: "/api/v1/auth/sign-in", body: `{"login":"an.nv","password":"x"}`, want: everyone}},
		"GET /api/v1/auth/session":              {{path: "/api/v1/auth/session", want: anySignedIn}},
		"POST /api/v1/auth/sign-out":            {{path: "/api/v1/auth/sign-out", want: anySignedIn}},
		"POST /api/v1/auth/sign-out-everywhere": {{path: "/api/v1/auth/sign-out-everywhere", want: anySignedIn}},
		"POST /api/v1/auth/password":            {{path: "/api/v1/auth/password", body: `{"current_password":"a","password":"b"}`, want: anySignedIn}},
		"POST /api/v1/auth/totp":                {{path: "/api/v1/auth/totp", want: anySignedIn}},
		"POST /api/v1/auth/totp/confirm":        {{path: "/api/v1/auth/totp/confirm", body: `{"secret":"S","code":"1"}`, want: anySignedIn}},
		"GET /auth/citizen/sign-in":             {{path: "/auth/citizen/sign-in", want: everyone}},
		"GET /auth/citizen/callback":            {{path: "/auth/citizen/callback?code=c&state=s", cookie: flowCk, want: everyone}},
		"POST /api/v1/auth/citizen/register":    {{path: "/api/v1/auth/citizen/register", body: `{"email":"an@example.vn","name":"An","password":"x"}`, want: everyone}},
		"GET /auth/citizen/verify":              {{path: "/auth/citizen/verify?token=mcv_x", want: everyone}},
		"POST /api/v1/auth/citizen/sign-in":     {{path: "/api/v1/auth/citizen/sign-in", body: `{"login":"an@example.vn","password":"x"}`, want: everyone}},
		// Every person downloads their own data; the administrator token
		// and API clients are no person.
		"GET /api/v1/me/data": {{path: "/api/v1/me/data", want: "uooooooff"}},

		"GET /api/v1/audit":        {{path: "/api/v1/audit", want: auditors}},
		"GET /api/v1/audit/export": {{path: "/api/v1/audit/export", want: auditors}},
	}

	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		seen[key] = true
		probes, ok := matrix[key]
		if !ok {
			t.Errorf("route %s has no expectation in the access matrix", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			f := &fakeStore{}
			stopEverything(f)
			withDirectory(f)
			f.FindDossierFn = func(context.Context, string) (*motcua.Dossier, error) { return receivedDossier(), nil }
			a := &fakeAuth{}
			stopEverything(a)
			f.ClientByKeyFn = func(_ context.Context, key string) (*motcua.APIClient, error) {
				if key != matrixClientKey {
					return nil, unauthorized()
				}
				return matrixClient(), nil
			}
			a.withSessions(ca, cb, oa, ob, au, adm)
			a.BeginCitizenFn = func(context.Context) (*motcua.CitizenFlow, error) {
				return &motcua.CitizenFlow{State: "s", Nonce: "n", Verifier: "v", URL: "https://id.example.vn/authorize"}, nil
			}
			s := newAuthServer(t, f, a, func(c *Config) { c.Store = matrixStore{f} })
			for _, p := range probes {
				if len(p.want) != len(callers) {
					t.Fatalf("%s: want %q has %d letters; want one per caller, %d", p.path, p.want, len(p.want), len(callers))
				}
				for i, c := range callers {
					req := httptest.NewRequest(rt.method, p.path, strings.NewReader(p.body))
					if p.body != "" {
						req.Header.Set("Content-Type", "application/json")
					}
					if c.session != nil {
						req.AddCookie(&http.Cookie{Name: "motcua_session", Value: c.session.token})
						if unsafeMethod(rt.method) {
							req.Header.Set(csrfHeader, c.session.session.CSRF)
						}
					}
					if c.bearer != "" {
						req.Header.Set("Authorization", "Bearer "+c.bearer)
					}
					if p.cookie != nil {
						req.AddCookie(p.cookie)
					}
					if _, pattern := s.mux.Handler(req); pattern != key {
						t.Fatalf("%s %s goes to %q; want %q", rt.method, p.path, pattern, key)
					}
					rec := httptest.NewRecorder()
					s.Handler().ServeHTTP(rec, req)
					got, body := rec.Code, rec.Body.String()
					var ok bool
					switch p.want[i] {
					case 'o':
						ok = got != 401 && got != 403 && got != 404 && got != 500
					case 'u':
						ok = got == 401
					case 'f':
						ok = got == 403
					case 'n':
						ok = got == 404 && !strings.Contains(body, "route_not_found")
					default:
						t.Fatalf("%s: unknown expectation %q", p.path, p.want[i])
					}
					if !ok {
						t.Errorf("%s %s as %s: status %d; want %s\n%s", rt.method, p.path, c.name, got, expectation(p.want[i]), body)
					}
				}
			}
		})
	}
	for key := range matrix {
		if !seen[key] {
			t.Errorf("the access matrix expects %s, which is no route", key)
		}
	}
}

// matrixClientKey is the key of matrixClient.
const matrixClientKey = "mck_matrix"

// matrixClient is the API client of the route matrix: it reads dossiers
// as a one-door officer of district A, and may do nothing else.
func matrixClient() *motcua.APIClient {
	return &motcua.APIClient{ID: "partner", Name: "Đối tác", Scopes: []string{motcua.ScopeDossiersRead},
		Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitA}}}
}

// expectation names a letter of probe.want.
func expectation(c byte) string {
	switch c {
	case 'o':
		return "to be let through (not 401, 403, 404 or 500)"
	case 'u':
		return "401"
	case 'f':
		return "403"
	case 'n':
		return "404 (hidden)"
	}
	return string(c)
}

// TestRejectedCredentialsAudited checks that refused credentials are
// counted in the audit log, one record per kind and address, and that a
// request without any is not.
func TestRejectedCredentialsAudited(t *testing.T) {
	f := &fakeStore{StaffByTokenFn: func(context.Context, string) (*motcua.Staff, error) {
		return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized", Message: "no"}
	}}
	s := newAuthServer(t, f, nil)
	for _, h := range []map[string]string{
		{"Authorization": "Bearer wrong"},
		{"Authorization": "Bearer wrong-again"},
		{"Authorization": "Bearer mcs_unknown"},
		{"Authorization": "Basic eDp5"},
		nil,
	} {
		if rec := (scenario{path: "/api/v1/alerts", header: h}).do(s); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%v: status %d; want 401", h, rec.Code)
		}
	}
	s.audits.close()
	got := map[string]string{}
	f.mu.Lock()
	for _, r := range f.audited {
		if r.Action == motcua.AuditAccessDenied {
			got[r.Object] = r.Detail
			if r.Outcome != motcua.OutcomeDenied || r.Actor.Kind != "anonymous" {
				t.Errorf("record %+v", r)
			}
		}
	}
	f.mu.Unlock()
	for object, n := range map[string]string{"credential:bearer_token": "2 requests", "credential:staff_token": "1 request at",
		"credential:authorization": "1 request at"} {
		if !strings.HasPrefix(got[object], n) {
			t.Errorf("%s: %q; want %s", object, got[object], n)
		}
	}
	if len(got) != 3 {
		t.Errorf("records %v; want three kinds", got)
	}
}

// TestUnitAdministrator checks what a unit administrator of district A
// may do to staff: create and change staff whose grants lie in district A
// only, never grant city administrator, reset the passwords of district
// A's staff; district B's staff are as absent to them.
func TestUnitAdministrator(t *testing.T) {
	ua := staffSession("tok-unit-admin", motcua.Actor{Kind: motcua.ActorOfficer, ID: "quan-tri-a", Name: "Quản trị quận A",
		Grants: []motcua.Grant{{Role: motcua.RoleUnitAdmin, Unit: unitA}}})
	existing := map[string]*motcua.Staff{
		"can-bo-a": {ID: "can-bo-a", Name: "A", Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitA}}},
		"can-bo-b": {ID: "can-bo-b", Name: "B", Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: unitB}}},
	}
	grant := func(role, unit string) string {
		return fmt.Sprintf(`{"name":"Cán bộ","grants":[{"role":%q,"unit":%q}]}`, role, unit)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"new staff in A", "PUT", "/api/v1/admin/staff/moi", grant(motcua.RoleSpecialist, unitA), http.StatusOK},
		{"A's staff kept in A", "PUT", "/api/v1/admin/staff/can-bo-a", grant(motcua.RoleLeader, unitA), http.StatusOK},
		{"new staff in B", "PUT", "/api/v1/admin/staff/moi", grant(motcua.RoleSpecialist, unitB), http.StatusForbidden},
		{"A's staff moved to B", "PUT", "/api/v1/admin/staff/can-bo-a", grant(motcua.RoleOneDoor, unitB), http.StatusForbidden},
		{"a city administrator made", "PUT", "/api/v1/admin/staff/moi", grant(motcua.RoleCityAdmin, unitA), http.StatusForbidden},
		{"B's staff taken over", "PUT", "/api/v1/admin/staff/can-bo-b", grant(motcua.RoleOneDoor, unitA), http.StatusNotFound},
		{"A's password reset", "POST", "/api/v1/admin/staff/can-bo-a/password", "", http.StatusOK},
		{"B's password reset", "POST", "/api/v1/admin/staff/can-bo-b/password", "", http.StatusNotFound},
		{"nobody's password reset", "POST", "/api/v1/admin/staff/khong-co/password", "", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeStore{
				FindStaffFn: func(_ context.Context, id string) (*motcua.Staff, error) {
					if st, ok := existing[id]; ok {
						return st, nil
					}
					return nil, motcua.NotFound("staff", id)
				},
				SaveStaffFn: func(_ context.Context, st *motcua.Staff) (string, error) { return "mcs_new", nil },
			}
			withDirectory(f)
			a := (&fakeAuth{ResetPasswordFn: func(context.Context, string) (string, error) { return "tam-thoi", nil }}).withSessions(ua)
			s := newAuthServer(t, f, a)
			rec := scenario{method: tc.method, path: tc.path, body: tc.body, header: withCSRF(ua)}.do(s)
			if rec.Code != tc.status {
				t.Errorf("%s %s: status %d; want %d\n%s", tc.method, tc.path, rec.Code, tc.status, rec.Body)
			}
		})
	}
}
