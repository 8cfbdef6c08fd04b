package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/calendar"
	"motcua/workflow"
)

const dossierBody = `{
	"procedure": "DEMO-1.001193",
	"agency": "000.01.01.H26",
	"channel": "counter",
	"applicant": {"kind": "citizen", "name": "Nguyễn Văn An", "id_number": "001090000001", "phone": "0912345678"},
	"form": {"child": {"name": "Nguyễn Văn Bình", "born": "2025-01-01"}, "copies": 2},
	"attachments": [{"name": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": 1024}]
}`

// receivedDossier returns a dossier received at the counter at testNow.
func receivedDossier() *motcua.Dossier {
	due := testNow.Add(8 * time.Hour)
	return &motcua.Dossier{
		ID: "abcdefghijklmnopqrstuvwxyz", Code: "000.01.01.H26-250103-0001",
		ProcedureCode: "DEMO-1.001193", ProcedureVersion: 2, AgencyCode: "000.01.01.H26", UnitCode: "001",
		Applicant: motcua.Applicant{Kind: "citizen", Name: "Nguyễn Văn An", IDNumber: "001090000001"},
		Channel:   "counter", Form: json.RawMessage(`{}`), Attachments: []motcua.Attachment{},
		Status: motcua.StatusReceived, SubmittedAt: testNow, ReceivedAt: &testNow, DueAt: &due,
		DueExplanation: &motcua.Due{At: due, SummaryVI: "Hẹn trả trong ngày", SummaryEN: "Due the same day"},
		Version:        1,
		Events: []*motcua.Event{{Seq: 1, Action: motcua.ActionReceive, Actor: motcua.BootstrapAdmin, At: testNow,
			FromStatus: motcua.StatusSubmitted, ToStatus: motcua.StatusReceived, Payload: json.RawMessage(`{}`), Hash: "h1"}},
	}
}

func TestCreateDossier(t *testing.T) {
	created := func(wantKey string, replay bool) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.CreateDossierFn = func(ctx context.Context, in *motcua.DossierInput, key string) (*motcua.Dossier, bool, error) {
				if a, _ := motcua.ActorFromContext(ctx); !a.Same(motcua.BootstrapAdmin) {
					t.Errorf("actor = %+v; want the bootstrap administrator", a)
				}
				if key != wantKey {
					t.Errorf("idempotency key = %q; want %q", key, wantKey)
				}
				if in.ProcedureCode != "DEMO-1.001193" || in.Applicant.Name != "Nguyễn Văn An" || len(in.Attachments) != 1 ||
					!strings.Contains(string(in.Form), `"born":"2025-01-01"`) {
					t.Errorf("input = %+v", in)
				}
				return receivedDossier(), replay, nil
			}
		}
	}
	dossier := []string{`"id":"abcdefghijklmnopqrstuvwxyz"`, `"code":"000.01.01.H26-250103-0001"`, `"status":"received"`,
		`"received_at":"2025-01-03T02:00:00Z"`, `"due_at":"2025-01-03T10:00:00Z"`, `"due_explanation":{`}
	invalid := []string{`"code":"invalid_fields"`, `"title":"Dữ liệu không hợp lệ"`}
	run(t, []scenario{
		{name: "Created", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true, store: created("", false),
			status: 201, contentType: "application/json", contains: dossier,
			headers: map[string]string{"Location": "/api/v1/dossiers/abcdefghijklmnopqrstuvwxyz", "Idempotent-Replayed": "", "Cache-Control": "no-store"}},
		{name: "CharsetUTF8", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true, store: created("", false),
			header: map[string]string{"Content-Type": "application/json; charset=UTF-8"}, status: 201, contentType: "application/json"},
		{name: "IdempotencyKey", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true,
			header: map[string]string{"Idempotency-Key": "8e03978e-40d5-43e8-bc93-6894a57f9324"},
			store:  created("8e03978e-40d5-43e8-bc93-6894a57f9324", false), status: 201, contentType: "application/json",
			headers: map[string]string{"Idempotent-Replayed": ""}},
		{name: "Replay", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true,
			header: map[string]string{"Idempotency-Key": `"k1"`}, store: created(`"k1"`, true),
			status: 201, contentType: "application/json", contains: dossier,
			headers: map[string]string{"Idempotent-Replayed": "true", "Location": "/api/v1/dossiers/abcdefghijklmnopqrstuvwxyz"}},
		{name: "KeyReused", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true,
			header: map[string]string{"Idempotency-Key": "k1"}, store: func(f *fakeStore) {
				f.CreateDossierFn = func(context.Context, *motcua.DossierInput, string) (*motcua.Dossier, bool, error) {
					return nil, false, motcua.Errorf(motcua.ECONFLICT, "idempotency_key_reused", "Idempotency key reused with a different request.")
				}
			}, status: 409, contentType: problemJSON, contains: []string{`"code":"idempotency_key_reused"`, `"title":"Khóa Idempotency-Key đã được dùng cho yêu cầu khác"`}},
		{name: "KeyTooLong", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true,
			header: map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}, status: 400, contentType: problemJSON,
			contains: append([]string{`"field":"Idempotency-Key"`, `"reason":"too_long"`}, invalid...)},
		{name: "KeyNotASCII", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true,
			header: map[string]string{"Idempotency-Key": "khóa"}, status: 400, contentType: problemJSON,
			contains: []string{`"field":"Idempotency-Key"`, `"reason":"format"`}},
		{name: "InvalidFields", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true, store: func(f *fakeStore) {
			f.CreateDossierFn = func(context.Context, *motcua.DossierInput, string) (*motcua.Dossier, bool, error) {
				var fs motcua.Fields
				fs.Add("procedure", motcua.FieldUnknown, "no such procedure")
				fs.Add("channel", motcua.FieldValue, "channel must be counter, online or post")
				fs.Add("applicant.id_number", motcua.FieldFormat, "a personal identification number has 12 digits")
				fs.Add("applicant.address", motcua.FieldTooLong, "address is too long")
				return nil, false, fs.Err()
			}
		}, status: 400, contentType: problemJSON, contains: append([]string{
			`{"field":"procedure","reason":"unknown","message":"Không có thủ tục hành chính này"}`,
			`{"field":"channel","reason":"value","message":"Kênh nộp phải là counter (trực tiếp), online (trực tuyến) hoặc post (bưu chính)"}`,
			`{"field":"applicant.id_number","reason":"format","message":"Số định danh cá nhân gồm 12 chữ số"}`,
			`{"field":"applicant.address","reason":"too_long","message":"Quá dài"}`,
		}, invalid...)},
		{name: "InvalidFieldsEnglish", method: "POST", path: "/api/v1/dossiers", body: dossierBody, auth: true,
			header: map[string]string{"Accept-Language": "vi;q=0.5, en;q=0.8"}, store: func(f *fakeStore) {
				f.CreateDossierFn = func(context.Context, *motcua.DossierInput, string) (*motcua.Dossier, bool, error) {
					var fs motcua.Fields
					fs.Add("applicant.address", motcua.FieldTooLong, "address is too long")
					fs.Add("attachments[0].name", motcua.FieldRequired, "")
					return nil, false, fs.Err()
				}
			}, status: 400, contentType: problemJSON, contains: []string{`"title":"Invalid input"`,
				`{"field":"applicant.address","reason":"too_long","message":"Too long"}`,
				`{"field":"attachments[0].name","reason":"required","message":"Required"}`}},
	})
}

// TestBadBody checks that bad request bodies are refused before the store
// is called: the fake store fails the test on any call.
func TestBadBody(t *testing.T) {
	huge := `{"procedure":"` + strings.Repeat("a", maxBodyBytes) + `"}`
	type bad struct {
		name, body, contentType string
		status                  int
		contains                []string
	}
	tests := []bad{
		{"TooLarge", huge, "", 413, []string{`"code":"body_too_large"`, `"title":"Nội dung quá lớn"`, "1 MiB"}},
		{"InvalidUTF8", "{\"procedure\":\"Đăng ký \xff\"}", "", 400, []string{`"code":"invalid_utf8"`}},
		{"InvalidUTF8InKey", "{\"\xc3\":1}", "", 400, []string{`"code":"invalid_utf8"`}},
		{"Malformed", `{"procedure": }`, "", 400, []string{`"code":"malformed_json"`, `"title":"JSON không đúng cú pháp"`, "byte 15"}},
		{"Truncated", `{"procedure": "x"`, "", 400, []string{`"code":"malformed_json"`}},
		{"Empty", " ", "", 400, []string{`"code":"malformed_json"`}},
		{"TrailingData", `{} {}`, "", 400, []string{`"code":"malformed_json"`}},
		{"TrailingGarbage", `{}x`, "", 400, []string{`"code":"malformed_json"`}},
		{"Array", ` []`, "", 400, []string{`"code":"malformed_json"`, "byte 2"}},
		{"Null", `null`, "", 400, []string{`"code":"malformed_json"`}},
		{"UnknownFields", `{"procedure":"p","zeta":1,"alpha":{"x":1},"applicant":{"kind":"citizen","nickname":"An"},"attachments":[{"name":"a","path":"/etc"}]}`,
			"", 400, []string{`"code":"invalid_fields"`,
				`{"field":"alpha","reason":"unexpected","message":"Trường không được hỗ trợ"}`,
				`{"field":"applicant.nickname","reason":"unexpected"`,
				`{"field":"attachments[0].path","reason":"unexpected"`,
				`{"field":"zeta","reason":"unexpected"`}},
		{"CaseMismatch", `{"Procedure":"p"}`, "", 400, []string{`{"field":"Procedure","reason":"unexpected"`}},
		{"WrongTypes", `{"procedure":5,"applicant":"An","attachments":[{"name":"a","size":"big"},{"name":"b","size":1.5}],"form":[]}`,
			"", 400, []string{`{"field":"procedure","reason":"type","message":"Sai kiểu dữ liệu"}`,
				`{"field":"applicant","reason":"type"`, `{"field":"attachments[0].size","reason":"type"`,
				`{"field":"attachments[1].size","reason":"type"`}},
		{"TextPlain", dossierBody, "text/plain", 415, []string{`"code":"unsupported_media_type"`, `"title":"Kiểu nội dung không được hỗ trợ"`}},
		{"NoContentType", dossierBody, "-", 415, []string{`"code":"unsupported_media_type"`}},
		{"OtherCharset", dossierBody, "application/json; charset=iso-8859-1", 415, []string{`"code":"unsupported_media_type"`}},
		{"Form", "procedure=p", "application/x-www-form-urlencoded", 415, nil},
	}
	for _, path := range []string{"/api/v1/dossiers", "/api/v1/dossiers/abc/actions"} {
		var scenarios []scenario
		for _, tt := range tests {
			if path != "/api/v1/dossiers" && (tt.name == "UnknownFields" || tt.name == "WrongTypes" || tt.name == "CaseMismatch") {
				continue
			}
			h := map[string]string{}
			switch tt.contentType {
			case "":
			case "-":
				h["Content-Type"] = ""
			default:
				h["Content-Type"] = tt.contentType
			}
			scenarios = append(scenarios, scenario{name: path + "/" + tt.name, method: "POST", path: path, body: tt.body, header: h,
				auth: true, status: tt.status, contentType: problemJSON, contains: tt.contains})
		}
		run(t, scenarios)
	}
}

func TestCreateDossierNormalizesToNFC(t *testing.T) {
	// "Nguyễn" with decomposed marks, raw and as JSON escapes, in values,
	// keys of the form and nested form values.
	body := "{\"procedure\":\"p\",\"agency\":\"a\",\"channel\":\"counter\"," +
		"\"applicant\":{\"kind\":\"citizen\",\"name\":\"Nguye\u0302\u0303n Va\u0306n An\",\"address\":\"Nguye\\u0302\\u0303n Tra\\u0303i\"}," +
		"\"form\":{\"ho\u0323 te\u0302n\":[\"Nguye\\u0302\\u0303n\"],\"n\":12345678901234567890,\"note\":\"<b> & </b>\"}}"
	var got *motcua.DossierInput
	f := &fakeStore{CreateDossierFn: func(_ context.Context, in *motcua.DossierInput, _ string) (*motcua.Dossier, bool, error) {
		got = in
		return receivedDossier(), false, nil
	}}
	s, _ := newTestServer(t, f)
	rec := scenario{method: "POST", path: "/api/v1/dossiers", body: body, auth: true}.do(s)
	if rec.Code != 201 {
		t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
	}
	if got.Applicant.Name != "Nguyễn Văn An" || got.Applicant.Address != "Nguyễn Trãi" {
		t.Errorf("applicant = %q, %q; want NFC", got.Applicant.Name, got.Applicant.Address)
	}
	if want := `{"họ tên":["Nguyễn"],"n":12345678901234567890,"note":"<b> & </b>"}`; string(got.Form) != want {
		t.Errorf("form = %s; want %s", got.Form, want)
	}
}

func TestGetDossier(t *testing.T) {
	run(t, []scenario{
		{name: "ByCode", path: "/api/v1/dossiers/000.01.01.H26-250103-0001", auth: true, store: func(f *fakeStore) {
			f.FindDossierFn = func(_ context.Context, ref string) (*motcua.Dossier, error) {
				if ref != "000.01.01.H26-250103-0001" {
					t.Errorf("ref = %q", ref)
				}
				return receivedDossier(), nil
			}
		}, status: 200, contentType: "application/json",
			contains: []string{`"code":"000.01.01.H26-250103-0001"`, `"events":[{"seq":1,"action":"receive","actor":{"kind":"admin","id":"bootstrap-admin"`}},
		{name: "NotFound", path: "/api/v1/dossiers/nope", auth: true, store: func(f *fakeStore) {
			f.FindDossierFn = func(_ context.Context, ref string) (*motcua.Dossier, error) {
				return nil, motcua.NotFound("dossier", ref)
			}
		}, status: 404, contentType: problemJSON,
			contains: []string{`"code":"dossier_not_found"`, `"title":"Không tìm thấy hồ sơ"`, `"detail":"Không tìm thấy hồ sơ “nope”."`}},
		{name: "NotFoundEnglish", path: "/api/v1/dossiers/nope", auth: true, header: map[string]string{"Accept-Language": "en"}, store: func(f *fakeStore) {
			f.FindDossierFn = func(_ context.Context, ref string) (*motcua.Dossier, error) {
				return nil, motcua.NotFound("dossier", ref)
			}
		}, status: 404, contentType: problemJSON, contains: []string{`"title":"Dossier not found"`, `"detail":"There is no dossier “nope”."`}},
		{name: "Unauthorized", path: "/api/v1/dossiers/000.01.01.H26-250103-0001", status: 401, contentType: problemJSON},
	})
}

// applyDefault applies req to d as the store does for a procedure
// without a process of its own: with workflow.Apply on the default
// process, as the bootstrap administrator.
func applyDefault(d *motcua.Dossier, req motcua.ActionRequest) error {
	p := &motcua.Procedure{Code: d.ProcedureCode, Version: d.ProcedureVersion,
		ProcessingTime: motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay}}
	_, err := workflow.Apply(workflow.Default(p), p, d, req,
		motcua.Env{Now: testNow, Actor: motcua.BootstrapAdmin, Calendar: calendar.Default()})
	return err
}

// withProcess makes f answer the dossier and its process (the default
// one), which the web layer reads for the actions' labels.
func withProcess(f *fakeStore) {
	f.FindDossierFn = func(context.Context, string) (*motcua.Dossier, error) { return receivedDossier(), nil }
	f.DossierProcessFn = func(_ context.Context, d *motcua.Dossier) (*motcua.Process, error) {
		return workflow.Default(&motcua.Procedure{Code: d.ProcedureCode, Version: d.ProcedureVersion}), nil
	}
}

func TestApplyAction(t *testing.T) {
	// notAllowed answers as the store does: with the error of
	// workflow.Apply.
	notAllowed := func(f *fakeStore) {
		f.ApplyActionFn = func(_ context.Context, _ string, req motcua.ActionRequest) (*motcua.Dossier, error) {
			return nil, applyDefault(receivedDossier(), req)
		}
		withProcess(f)
	}
	run(t, []scenario{
		{name: "Start", method: "POST", path: "/api/v1/dossiers/abcdefghijklmnopqrstuvwxyz/actions", auth: true,
			body: `{"action":"request_supplement","items":["Bản sao giấy chứng sinh"],"note":"Thiếu giấy tờ"}`, store: func(f *fakeStore) {
				f.ApplyActionFn = func(ctx context.Context, ref string, req motcua.ActionRequest) (*motcua.Dossier, error) {
					if a, _ := motcua.ActorFromContext(ctx); !a.Same(motcua.BootstrapAdmin) {
						t.Errorf("actor = %+v", a)
					}
					if ref != "abcdefghijklmnopqrstuvwxyz" || req.Action != "request_supplement" || len(req.Items) != 1 || req.Note != "Thiếu giấy tờ" {
						t.Errorf("ApplyAction(%q, %+v)", ref, req)
					}
					d := receivedDossier()
					d.Status = motcua.StatusSupplementRequested
					return d, nil
				}
			}, status: 200, contentType: "application/json", contains: []string{`"status":"supplement_requested"`}},
		{name: "NotAllowed", method: "POST", path: "/api/v1/dossiers/x/actions", auth: true, body: `{"action":"return"}`, store: notAllowed,
			status: 409, contentType: problemJSON, contains: []string{
				`"type":"/problems/action_not_allowed"`, `"code":"action_not_allowed"`,
				`"title":"Thao tác không được phép ở trạng thái hiện tại"`,
				`"detail":"Không thể “Trả kết quả” khi hồ sơ ở trạng thái “đã tiếp nhận”. Các thao tác được phép: Chuyển xử lý, Yêu cầu bổ sung hồ sơ, Yêu cầu thực hiện nghĩa vụ tài chính, Từ chối tiếp nhận, nhận xử lý, rút hồ sơ."`,
				`"allowed":["start","request_supplement","request_payment","refuse","pick","withdraw"]`}},
		{name: "NotAllowedEnglish", method: "POST", path: "/api/v1/dossiers/x/actions", auth: true, body: `{"action":"return"}`, store: notAllowed,
			header: map[string]string{"Accept-Language": "en-US"}, status: 409, contentType: problemJSON, contains: []string{
				`"title":"Action not allowed in the current status"`,
				`"detail":"Cannot “Return the result” while the dossier is “received”. Allowed actions: Start processing, Request a supplement, Request payment, Refuse, pick up, withdraw."`,
				`"allowed":["start","request_supplement","request_payment","refuse","pick","withdraw"]`}},
		{name: "NoneAllowed", method: "POST", path: "/api/v1/dossiers/x/actions", auth: true, body: `{"action":"start"}`, store: func(f *fakeStore) {
			f.ApplyActionFn = func(_ context.Context, _ string, req motcua.ActionRequest) (*motcua.Dossier, error) {
				d := receivedDossier()
				d.Status = motcua.StatusReturned
				return nil, applyDefault(d, req)
			}
			withProcess(f)
		}, status: 409, contentType: problemJSON, contains: []string{`"allowed":[]`, "Các thao tác được phép: không có."}},
		{name: "UnknownAction", method: "POST", path: "/api/v1/dossiers/x/actions", auth: true, body: `{"action":"fly"}`, store: notAllowed,
			status: 400, contentType: problemJSON, contains: []string{`{"field":"action","reason":"value","message":"Thao tác không hợp lệ"}`}},
		{name: "UnknownMember", method: "POST", path: "/api/v1/dossiers/x/actions", auth: true, body: `{"action":"start","reasons_":"typo"}`,
			status: 400, contentType: problemJSON, contains: []string{`{"field":"reasons_","reason":"unexpected"`}},
		{name: "DossierNotFound", method: "POST", path: "/api/v1/dossiers/x/actions", auth: true, body: `{"action":"start"}`, store: func(f *fakeStore) {
			f.ApplyActionFn = func(_ context.Context, ref string, _ motcua.ActionRequest) (*motcua.Dossier, error) {
				return nil, motcua.NotFound("dossier", ref)
			}
		}, status: 404, contentType: problemJSON, contains: []string{`"code":"dossier_not_found"`}},
	})
}

func TestVerify(t *testing.T) {
	run(t, []scenario{
		{name: "Intact", path: "/api/v1/admin/verify", auth: true, store: func(f *fakeStore) {
			f.VerifyDossiersFn = func(context.Context) (*motcua.VerifyReport, error) {
				return &motcua.VerifyReport{OK: true, Dossiers: 2, Events: 5}, nil
			}
		}, status: 200, contentType: "application/json", contains: []string{`{"ok":true,"dossiers":2,"events":5,"problems":[]}`}},
		{name: "Broken", path: "/api/v1/admin/verify", auth: true, store: func(f *fakeStore) {
			f.VerifyDossiersFn = func(context.Context) (*motcua.VerifyReport, error) {
				return &motcua.VerifyReport{Dossiers: 2, Events: 5, Problems: []motcua.ChainProblem{
					{Kind: motcua.ProblemEdited, DossierID: "d1", Seq: 2, Message: "event 2 does not match its hash"}}}, nil
			}
		}, status: 200, contentType: "application/json", contains: []string{`"ok":false`, `"kind":"edited"`}},
	})
}

// TestDossierScope checks that what canSeeDossier reads survives the
// document: a dossier encoded as the store keeps it and decoded by
// dossierScope sees the same callers.
func TestDossierScope(t *testing.T) {
	full := benchDossier()
	full.Tasks = []*motcua.Task{
		{ID: 1, Kind: motcua.TaskStep, Agency: full.AgencyCode, Unit: full.UnitCode},
		{ID: 2, Kind: motcua.TaskConsult, Agency: "000.00.12.H26", Unit: "01"},
	}
	doc, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dossierScope(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != full.ID || d.Code != full.Code || d.AgencyCode != full.AgencyCode || d.UnitCode != full.UnitCode ||
		d.Applicant.IDNumber != full.Applicant.IDNumber || len(d.Tasks) != 2 ||
		d.Tasks[1].Agency != "000.00.12.H26" || d.Tasks[1].Unit != "01" {
		t.Errorf("dossierScope = %+v (applicant %+v, %d tasks), want the fields of %s", d, d.Applicant, len(d.Tasks), doc)
	}
	for _, bad := range []string{"", "{", `{"tasks":{}}`} {
		if _, err := dossierScope(bad); err == nil {
			t.Errorf("dossierScope(%q) = nil error", bad)
		}
	}
}
