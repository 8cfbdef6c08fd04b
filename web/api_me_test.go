package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"motcua"
)

// meCitizen is the profile of citizenA.
func meCitizen() *motcua.Citizen {
	return &motcua.Citizen{ID: "cit-a", Issuer: "https://id.example.vn", Subject: "vneid-a", Name: "Công dân cit-a",
		IDNumber: personA, Phone: "0912345678", Email: "a@example.vn", EmailVerified: true, Address: "Hà Nội",
		CreatedAt: testNow, UpdatedAt: testNow}
}

// meSessions answers FindSessions with one session of kind and subject,
// whose CSRF token must never be shown.
func meSessions(t *testing.T, kind, subject string) func(context.Context, string, string, int) ([]*motcua.Session, error) {
	return func(_ context.Context, k, s string, limit int) ([]*motcua.Session, error) {
		if k != kind || s != subject || limit != personalSessions {
			t.Errorf("FindSessions(%q, %q, %d); want %q, %q, %d", k, s, limit, kind, subject, personalSessions)
		}
		return []*motcua.Session{{Kind: kind, Subject: subject, CSRF: "never-shown-csrf", MFA: true, CreatedAt: testNow,
			LastSeenAt: testNow, ExpiresAt: testNow.Add(time.Hour), IP: "203.0.113.7", UserAgent: "Firefox/140"}}, nil
	}
}

// records returns n audit records numbered from 1.
func records(n int) []*motcua.AuditRecord {
	recs := make([]*motcua.AuditRecord, n)
	for i := range recs {
		recs[i] = &motcua.AuditRecord{Seq: int64(i + 1), At: testNow, Actor: motcua.Actor{Kind: motcua.ActorOfficer, ID: "an.nv"},
			Action: motcua.AuditSignIn, Object: "staff:an.nv", Outcome: motcua.OutcomeOK, Hash: "h" + strconv.Itoa(i+1)}
	}
	return recs
}

// exportedPersonalData checks that the download was audited, once, as an
// export of object by actor.
func exportedPersonalData(actor motcua.Actor, object string) func(*testing.T, *httptest.ResponseRecorder, *fakeStore) {
	return func(t *testing.T, _ *httptest.ResponseRecorder, f *fakeStore) {
		t.Helper()
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.audited) != 1 {
			t.Fatalf("audited %d records; want the export", len(f.audited))
		}
		r := f.audited[0]
		if r.Action != motcua.AuditExport || r.Object != object || !r.Actor.Same(actor) || r.Outcome != motcua.OutcomeOK ||
			!r.At.Equal(testNow) || r.IP == "" {
			t.Errorf("audit record = %+v; want an export of %s by %s", r, object, actor.ID)
		}
	}
}

// decodePersonal decodes a download.
func decodePersonal(t *testing.T, rec *httptest.ResponseRecorder) personalData {
	t.Helper()
	var doc personalData
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	return doc
}

func TestMyData(t *testing.T) {
	ca, oa := citizenA(), officerA()
	noPerson := citizenSession("tok-no-person", "cit-c", "")
	sessions := func(a *fakeAuth) { a.withSessions(ca, oa, noPerson) }
	d := receivedDossier()
	dossierDoc, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	attachment := map[string]string{"Content-Disposition": `attachment; filename="motcua-personal-data.json"`, "Cache-Control": "no-store"}
	citizenStore := func(f *fakeStore) {
		f.FindCitizenFn = func(_ context.Context, id string) (*motcua.Citizen, error) {
			if id != "cit-a" {
				t.Errorf("FindCitizen(%q)", id)
			}
			return meCitizen(), nil
		}
		f.FindDossiersOfPersonFn = func(_ context.Context, idNumber string, limit int) ([]json.RawMessage, error) {
			if idNumber != personA || limit != personalDossiers+1 {
				t.Errorf("FindDossiersOfPerson(%q, %d); want %q, %d", idNumber, limit, personA, personalDossiers+1)
			}
			return []json.RawMessage{dossierDoc}, nil
		}
		f.FindSessionsFn = meSessions(t, motcua.SessionCitizen, "cit-a")
		f.FindAuditAboutFn = func(_ context.Context, s motcua.AuditSubject, limit int) ([]*motcua.AuditRecord, error) {
			want := motcua.AuditSubject{ActorKind: motcua.ActorCitizen, ActorID: "cit-a",
				Objects: []string{"citizen:cit-a", "dossier:" + d.ID, "dossier:" + d.Code}}
			if s.ActorKind != want.ActorKind || s.ActorID != want.ActorID || !slices.Equal(s.Objects, want.Objects) || limit != personalAudit+1 {
				t.Errorf("FindAuditAbout(%+v, %d); want %+v, %d", s, limit, want, personalAudit+1)
			}
			return []*motcua.AuditRecord{{Seq: 7, At: testNow, Actor: oa.actor, Action: motcua.AuditPersonalView,
				Object: "dossier:" + d.Code, Outcome: motcua.OutcomeOK}}, nil
		}
	}
	staffStore := func(n int) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.FindStaffFn = func(_ context.Context, id string) (*motcua.Staff, error) {
				if id != "an.nv" {
					t.Errorf("FindStaff(%q)", id)
				}
				return &motcua.Staff{ID: "an.nv", Name: "Nguyễn Văn An", Email: "an@phuong.hanoi.vn", Grants: oa.actor.Grants,
					CreatedAt: testNow, UpdatedAt: testNow}, nil
			}
			f.FindSessionsFn = meSessions(t, motcua.SessionStaff, "an.nv")
			f.FindAuditAboutFn = func(_ context.Context, s motcua.AuditSubject, limit int) ([]*motcua.AuditRecord, error) {
				if s.ActorKind != motcua.ActorOfficer || s.ActorID != "an.nv" || !slices.Equal(s.Objects, []string{"staff:an.nv"}) {
					t.Errorf("FindAuditAbout(%+v)", s)
				}
				return records(min(n, limit)), nil
			}
		}
	}
	nothingAudited := func(t *testing.T, _ *httptest.ResponseRecorder, f *fakeStore) {
		if as := f.auditedActions(); len(as) > 0 {
			t.Errorf("audited %v; want nothing", as)
		}
	}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "Citizen", path: "/api/v1/me/data", header: cookieOnly(ca), store: citizenStore,
			status: 200, contentType: "application/json", headers: attachment,
			contains: []string{`"kind":"citizen"`, `"id_number":"` + personA + `"`, `"issuer":"https://id.example.vn"`, `"subject":"vneid-a"`,
				`"code":"` + d.Code + `"`, `"user_agent":"Firefox/140"`, `"object":"dossier:` + d.Code + `"`, `"audit_limit":10000`},
			excludes: []string{"never-shown-csrf", "tok-citizen-a", `"staff"`}},
			service: sessions, after: func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
				exportedPersonalData(ca.actor, "citizen:cit-a")(t, rec, f)
				doc := decodePersonal(t, rec)
				if len(doc.Dossiers) != 1 || doc.DossiersTruncated || len(doc.Sessions) != 1 || len(doc.Audit) != 1 || doc.AuditTruncated ||
					doc.Citizen.ID != "cit-a" || !doc.GeneratedAt.Equal(testNow) {
					t.Errorf("download = %+v", doc)
				}
				checkPersonalSchema(t, rec.Body.Bytes())
			}},
		{scenario: scenario{name: "CitizenWithoutNumber", path: "/api/v1/me/data", header: cookieOnly(noPerson), store: func(f *fakeStore) {
			f.FindCitizenFn = func(context.Context, string) (*motcua.Citizen, error) {
				return &motcua.Citizen{ID: "cit-c", Issuer: "https://id.example.vn", Subject: "s"}, nil
			}
			f.FindDossiersOfPersonFn = func(_ context.Context, idNumber string, _ int) ([]json.RawMessage, error) {
				if idNumber != "" {
					t.Errorf("FindDossiersOfPerson(%q)", idNumber)
				}
				return []json.RawMessage{}, nil
			}
			f.FindSessionsFn = meSessions(t, motcua.SessionCitizen, "cit-c")
			f.FindAuditAboutFn = func(context.Context, motcua.AuditSubject, int) ([]*motcua.AuditRecord, error) { return nil, nil }
		}, status: 200, contentType: "application/json", contains: []string{`"dossiers":[]`, `"audit":[]`}},
			service: sessions, after: exportedPersonalData(noPerson.actor, "citizen:cit-c")},
		{scenario: scenario{name: "ManyDossiers", path: "/api/v1/me/data", header: cookieOnly(ca), store: func(f *fakeStore) {
			citizenStore(f)
			f.FindDossiersOfPersonFn = func(_ context.Context, _ string, limit int) ([]json.RawMessage, error) {
				docs := make([]json.RawMessage, limit)
				for i := range docs {
					docs[i] = json.RawMessage(`{"id":"d` + strconv.Itoa(i) + `"}`)
				}
				return docs, nil
			}
			f.FindAuditAboutFn = func(_ context.Context, s motcua.AuditSubject, _ int) ([]*motcua.AuditRecord, error) {
				if len(s.Objects) != 1+personalDossiers || s.Objects[personalDossiers] != "dossier:d999" {
					t.Errorf("FindAuditAbout with %d objects; want the profile and each dossier kept", len(s.Objects))
				}
				return nil, nil
			}
		}, status: 200, contentType: "application/json", contains: []string{`"dossiers_truncated":true`}},
			service: sessions, after: func(t *testing.T, rec *httptest.ResponseRecorder, _ *fakeStore) {
				if doc := decodePersonal(t, rec); len(doc.Dossiers) != personalDossiers {
					t.Errorf("dossiers = %d; want %d", len(doc.Dossiers), personalDossiers)
				}
			}},
		{scenario: scenario{name: "Staff", path: "/api/v1/me/data", header: cookieOnly(oa), store: staffStore(3),
			status: 200, contentType: "application/json", headers: attachment,
			contains: []string{`"kind":"officer"`, `"staff":{"id":"an.nv"`, `"grants":[`, `"audit_truncated":false`},
			excludes: []string{"never-shown-csrf", "token", `"citizen"`, "password"}},
			service: sessions, after: func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
				exportedPersonalData(oa.actor, "staff:an.nv")(t, rec, f)
				doc := decodePersonal(t, rec)
				if len(doc.Audit) != 3 || len(doc.Dossiers) != 0 || len(doc.Sessions) != 1 || doc.Staff.ID != "an.nv" {
					t.Errorf("download = %+v", doc)
				}
				checkPersonalSchema(t, rec.Body.Bytes())
			}},
		{scenario: scenario{name: "StaffWithALongHistory", path: "/api/v1/me/data", header: cookieOnly(oa), store: staffStore(personalAudit + 5),
			status: 200, contentType: "application/json", contains: []string{`"audit_truncated":true`}},
			service: sessions, after: func(t *testing.T, rec *httptest.ResponseRecorder, _ *fakeStore) {
				doc := decodePersonal(t, rec)
				if len(doc.Audit) != personalAudit || doc.Audit[0].Seq != 2 || doc.Audit[personalAudit-1].Seq != personalAudit+1 {
					t.Errorf("audit = %d records from %d; want the last %d", len(doc.Audit), doc.Audit[0].Seq, personalAudit)
				}
			}},
		{scenario: scenario{name: "StaffToken", path: "/api/v1/me/data", header: map[string]string{"Authorization": "Bearer mcs_officer"},
			store: func(f *fakeStore) {
				staffStore(1)(f)
				f.StaffByTokenFn = func(context.Context, string) (*motcua.Staff, error) {
					return &motcua.Staff{ID: "an.nv", Name: "Nguyễn Văn An", Grants: oa.actor.Grants}, nil
				}
			}, status: 200, contentType: "application/json"}, service: sessions},
		{scenario: scenario{name: "AdminToken", path: "/api/v1/me/data", auth: true, status: 403, contentType: problemJSON,
			contains: []string{`"code":"not_a_person"`, "Không có dữ liệu cá nhân để tải về"}}, service: sessions, after: nothingAudited},
		{scenario: scenario{name: "AdminTokenEnglish", path: "/api/v1/me/data", auth: true, header: map[string]string{"Accept-Language": "en"},
			status: 403, contentType: problemJSON, contains: []string{"No personal data to download", "administrator token"}},
			service: sessions, after: nothingAudited},
		{scenario: scenario{name: "APIClient", path: "/api/v1/me/data", header: map[string]string{"Authorization": "Bearer " + matrixClientKey},
			store: func(f *fakeStore) {
				f.ClientByKeyFn = func(context.Context, string) (*motcua.APIClient, error) { return matrixClient(), nil }
			}, status: 403, contentType: problemJSON}, service: sessions, after: nothingAudited},
		{scenario: scenario{name: "Anonymous", path: "/api/v1/me/data", status: 401, contentType: problemJSON},
			service: sessions, after: nothingAudited},
		{scenario: scenario{name: "ProfileGone", path: "/api/v1/me/data", header: cookieOnly(ca), store: func(f *fakeStore) {
			f.FindCitizenFn = func(_ context.Context, id string) (*motcua.Citizen, error) {
				return nil, motcua.NotFound("citizen", id)
			}
		}, status: 404, contentType: problemJSON}, service: sessions, after: nothingAudited},
	})
}

// checkPersonalSchema checks a download against the PersonalData schema
// of the OpenAPI document and the schemas of its members: every
// required member present, every member documented.
func checkPersonalSchema(t *testing.T, body []byte) {
	t.Helper()
	doc := loadOpenAPI(t)
	var check func(name string, schema map[string]any, v any)
	check = func(name string, schema map[string]any, v any) {
		if ref, ok := schema["$ref"].(string); ok {
			s, found := resolve(doc, ref)
			if !found {
				t.Fatalf("%s: %s names nothing", name, ref)
			}
			schema = s.(map[string]any)
		}
		switch v := v.(type) {
		case map[string]any:
			props, _ := schema["properties"].(map[string]any)
			if props == nil {
				return
			}
			required, _ := schema["required"].([]any)
			for _, r := range required {
				if _, ok := v[r.(string)]; !ok {
					t.Errorf("%s: required member %s is missing", name, r)
				}
			}
			for m, mv := range v {
				p, ok := props[m].(map[string]any)
				if !ok {
					t.Errorf("%s: member %s is not documented", name, m)
					continue
				}
				check(name+"."+m, p, mv)
			}
		case []any:
			items, _ := schema["items"].(map[string]any)
			for i, x := range v {
				check(name+"["+strconv.Itoa(i)+"]", items, x)
			}
		}
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	check("PersonalData", map[string]any{"$ref": "#/components/schemas/PersonalData"}, v)
}
