package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/scheduler"
	"motcua/sqlstore"
	"motcua/web"
)

// threeLevels is a process of the testkit's birth registration that
// crosses three levels: the commune checks, the district appraises, the
// city's Department of Justice approves, and the commune returns the
// result. Budgets add up to 7 of the legal 8 working hours.
const threeLevels = `
code: QT-TEST-3LEVELS
procedure: DEMO-1.001193
name: Đăng ký khai sinh liên thông ba cấp
name_en: Birth registration across three levels
effective_from: "2020-01-01T00:00:00Z"
start: check
steps:
  - id: check
    name: Kiểm tra hồ sơ
    name_en: Check
    role: specialist
    budget: {value: 2, unit: working_hours}
    actions:
      - {type: transfer, name: to_district, to: appraise}
      - {type: request_supplement}
      - {type: refuse}
  - id: appraise
    name: Thẩm định
    name_en: Appraisal
    role: specialist
    at: {kind: parent}
    budget: {value: 2, unit: working_hours}
    actions:
      - {type: transfer, name: to_city, to: approve}
      - {type: send_back, to: check}
      - {type: consult, agencies: ["000.00.12.H26"], budget: {value: 1, unit: working_hours}}
  - id: approve
    name: Phê duyệt
    name_en: Approval
    role: leader
    at: {kind: agency, agency: "000.00.12.H26"}
    budget: {value: 2, unit: working_hours}
    actions:
      - {type: approve, to: result}
      - {type: send_back, to: appraise}
  - id: result
    name: Trả kết quả
    name_en: Return
    role: one_door
    budget: {value: 1, unit: working_hours}
    actions:
      - {type: return}
`

// api is a client of a test server.
type api struct {
	t   *testing.T
	url string
}

func (c api) do(method, path, token, contentType, body string) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, b
}

// must does a request and fails the test unless it answers want, then
// decodes a JSON answer into v (when not nil).
func (c api) must(want int, method, path, token, body string, v any) []byte {
	c.t.Helper()
	ct := "application/json"
	if strings.HasPrefix(body, "\ncode:") {
		ct = "application/yaml"
	}
	got, b := c.do(method, path, token, ct, body)
	if got != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return b
}

// staff creates a staff member with one grant and returns its token.
func (c api) staff(admin, id, role, unit, agency string) string {
	c.t.Helper()
	var st struct{ Token string }
	body := fmt.Sprintf(`{"name":"Cán bộ %s","grants":[{"role":%q,"unit":%q,"agency":%q}]}`, id, role, unit, agency)
	c.must(http.StatusOK, "PUT", "/api/v1/admin/staff/"+id, admin, body, &st)
	return st.Token
}

func act(action string, version int, extra string) string {
	return fmt.Sprintf(`{"action":%q,"version":%d%s}`, action, version, extra)
}

// newFlowServer serves a store with the testkit catalogue on dsn.
func newFlowServer(t *testing.T, dsn string, clock motcua.Clock) (*sqlstore.DB, api) {
	db := testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: clock})
	if err := db.ImportCatalog(context.Background(), testkit.Catalog()); err != nil {
		t.Fatal(err)
	}
	s := web.NewServer(web.Config{Store: db, AdminToken: "admin-token", Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return db, api{t, srv.URL}
}

// TestProcessAcrossLevels drives a dossier through a process that crosses
// the commune, the district and the city, with a consultation, through
// the API with staff tokens, and checks roles, versions, the timeline, the
// forms, the register and the alerts.
func TestProcessAcrossLevels(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		// Monday 2 March 2026, 08:00 in Hanoi.
		clock := testkit.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		db, c := newFlowServer(t, dsn, clock)
		const admin = "admin-token"

		var proc motcua.Process
		c.must(http.StatusCreated, "POST", "/api/v1/processes", admin, threeLevels, &proc)
		if proc.Version != 1 || len(proc.Steps) != 4 {
			t.Fatalf("process stored as %+v", proc)
		}

		oneDoor := c.staff(admin, "mot-cua-xa", motcua.RoleOneDoor, testkit.UnitCommune, "")
		communeSpec := c.staff(admin, "chuyen-vien-xa", motcua.RoleSpecialist, testkit.UnitCommune, "")
		districtSpec := c.staff(admin, "chuyen-vien-huyen", motcua.RoleSpecialist, testkit.UnitDistrict, testkit.AgencyDistrict)
		cityLeader := c.staff(admin, "lanh-dao-so", motcua.RoleLeader, testkit.UnitCity, testkit.AgencyJustice)
		citySpec := c.staff(admin, "chuyen-vien-so", motcua.RoleSpecialist, testkit.UnitCity, testkit.AgencyJustice)
		outsider := c.staff(admin, "chuyen-vien-khac", motcua.RoleSpecialist, testkit.UnitOther, "")

		in, _ := json.Marshal(testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter))
		// Only the commune's one-door officer may receive at the commune.
		c.must(http.StatusForbidden, "POST", "/api/v1/dossiers", districtSpec, string(in), nil)
		var d motcua.Dossier
		c.must(http.StatusCreated, "POST", "/api/v1/dossiers", oneDoor, string(in), &d)
		if d.Process != "QT-TEST-3LEVELS" || len(d.Tasks) != 1 || d.Tasks[0].Step != "check" || d.Tasks[0].DueAt == nil {
			t.Fatalf("new dossier: process %s v%d, tasks %+v", d.Process, d.ProcessVersion, d.Tasks)
		}
		path := "/api/v1/dossiers/" + d.Code
		actions := path + "/actions"

		// Someone of another district sees nothing of it, and cannot act.
		c.must(http.StatusNotFound, "GET", path, outsider, "", nil)
		c.must(http.StatusNotFound, "POST", actions, outsider, act("to_district", d.Version, ""), nil)
		// The district does not see the commune's dossier before it is
		// transferred; the commune's one-door officer sees it but lacks
		// the specialist's role.
		c.must(http.StatusNotFound, "POST", actions, districtSpec, act("to_district", d.Version, ""), nil)
		b := c.must(http.StatusForbidden, "POST", actions, oneDoor, act("to_district", d.Version, ""), nil)
		if !strings.Contains(string(b), "role_required") {
			t.Errorf("403 without role_required: %s", b)
		}
		// An action the step does not offer.
		c.must(http.StatusConflict, "POST", actions, communeSpec, act("approve", d.Version, ""), nil)

		// Two officers transfer at once with the same version: one wins.
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Go(func() {
				codes[i], _ = c.do("POST", actions, communeSpec, "application/json",
					act("to_district", d.Version, `,"note":"nội bộ: đủ hồ sơ","message":"Hồ sơ đã chuyển UBND quận thẩm định"`))
			})
		}
		wg.Wait()
		if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
			t.Fatalf("concurrent transfers answered %v, want one 200 and one 409", codes)
		}
		c.must(http.StatusOK, "GET", path, districtSpec, "", &d)
		if d.Status != motcua.StatusProcessing || len(d.Tasks) != 2 || d.Tasks[1].Agency != testkit.AgencyDistrict || !d.Tasks[1].Linked {
			t.Fatalf("after the transfer: %s, tasks %+v", d.Status, d.Tasks)
		}

		// The district consults the city's department, and cannot move on
		// before its answer.
		clock.Advance(30 * time.Minute)
		c.must(http.StatusOK, "POST", actions, districtSpec, act("consult", d.Version, ""), &d)
		c.must(http.StatusConflict, "POST", actions, districtSpec, act("to_city", d.Version, ""), nil)
		c.must(http.StatusOK, "POST", actions, citySpec, act("answer", d.Version, `,"answer":"Đồng ý"`), &d)
		c.must(http.StatusOK, "POST", actions, districtSpec, act("to_city", d.Version, ""), &d)
		clock.Advance(time.Hour)
		c.must(http.StatusOK, "POST", actions, cityLeader, act("approve", d.Version, ""), &d)
		if d.Status != motcua.StatusResultReady || d.FinishedAt == nil {
			t.Fatalf("after approval: %s", d.Status)
		}

		// The citizen's timeline, by the dossier's ID, without a token.
		var tl struct {
			Status   motcua.Status
			Steps    []struct{ Step, Agency, State string }
			Messages []struct{ Text string }
		}
		b = c.must(http.StatusOK, "GET", "/api/v1/dossiers/"+d.ID+"/timeline", "", "", &tl)
		if strings.Contains(string(b), "nội bộ") {
			t.Errorf("the timeline shows an internal note: %s", b)
		}
		if len(tl.Steps) < 4 || len(tl.Messages) != 1 {
			t.Errorf("timeline: %s", b)
		}
		// By its code, only staff who may see it.
		c.must(http.StatusUnauthorized, "GET", path+"/timeline", "", "", nil)
		c.must(http.StatusNotFound, "GET", path+"/timeline", outsider, "", nil)

		// Forms: the receipt and the processing-control slip.
		for _, form := range []string{"01", "06"} {
			pdf := c.must(http.StatusOK, "GET", path+"/forms/"+form, oneDoor, "", nil)
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("form %s is not a PDF", form)
			}
			if text, ok := pdfText(t, pdf); ok && !strings.Contains(text, d.Code) {
				t.Errorf("form %s does not show the code %s:\n%s", form, d.Code, text)
			}
		}
		c.must(http.StatusConflict, "GET", path+"/forms/03", oneDoor, "", nil)
		xlsx := c.must(http.StatusOK, "GET", "/api/v1/agencies/"+testkit.AgencyCommune+"/register?from=2026-03-01&to=2026-03-31", oneDoor, "", nil)
		if !bytes.HasPrefix(xlsx, []byte("PK")) {
			t.Errorf("the register is not an XLSX workbook")
		}

		// The result step's due time passes: the one-door officer of the
		// commune is alerted, once; the outsider is not.
		clock.Advance(24 * time.Hour)
		sched := scheduler.New(db, clock, scheduler.Config{})
		if _, err := sched.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n, err := sched.RunOnce(context.Background()); err != nil || n != 0 {
			t.Errorf("a second scan emitted %d alerts (%v)", n, err)
		}
		var alerts struct{ Items []motcua.Alert }
		c.must(http.StatusOK, "GET", "/api/v1/alerts?kind=overdue", oneDoor, "", &alerts)
		if len(alerts.Items) == 0 || alerts.Items[0].Code != d.Code {
			t.Errorf("the one-door officer's overdue alerts: %+v", alerts.Items)
		}
		c.must(http.StatusOK, "GET", "/api/v1/alerts", outsider, "", &alerts)
		if len(alerts.Items) != 0 {
			t.Errorf("the outsider sees alerts: %+v", alerts.Items)
		}

		c.must(http.StatusOK, "POST", actions, oneDoor, act("return", d.Version, ""), &d)
		if d.Status != motcua.StatusReturned {
			t.Fatalf("after return: %s", d.Status)
		}
		for _, tk := range d.Tasks {
			if tk.Open() {
				t.Errorf("task %d is still open after the return", tk.ID)
			}
		}

		// Every stored document is what its dossier's history makes it,
		// however many of its actions were computed from the state kept in
		// memory.
		rep, err := db.VerifyDossiers(context.Background())
		if err != nil || !rep.OK {
			t.Fatalf("VerifyDossiers = %+v, %v", rep, err)
		}
	})
}

// TestProcessRejected checks that a process failing validation is
// rejected whole, naming the step, and that nothing is stored.
func TestProcessRejected(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		_, c := newFlowServer(t, dsn, testkit.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)))
		bad := strings.Replace(threeLevels, "to: approve}", "to: aprove}", 1)
		b := c.must(http.StatusBadRequest, "POST", "/api/v1/processes", "admin-token", bad, nil)
		if !strings.Contains(string(b), `"field":"steps[appraise].actions[to_city].to"`) || !strings.Contains(string(b), "aprove") {
			t.Errorf("the error does not name the step and the target: %s", b)
		}
		var list struct{ Items []motcua.Process }
		c.must(http.StatusOK, "GET", "/api/v1/processes", "", "", &list)
		if len(list.Items) != 0 {
			t.Errorf("a rejected process was stored: %+v", list.Items)
		}
		c.must(http.StatusForbidden, "POST", "/api/v1/processes", c.staff("admin-token", "x", motcua.RoleLeader, testkit.UnitCity, ""), threeLevels, nil)
	})
}

// pdfText extracts a PDF's text with pdftotext when it is installed
// (always under CI).
func pdfText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required under CI=true")
		}
		return "", false
	}
	cmd := exec.Command(path, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out), true
}

// TestForms produces each statutory form through the API once the
// dossier is where the form applies, and checks its text.
func TestForms(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		_, c := newFlowServer(t, dsn, testkit.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)))
		const admin = "admin-token"
		in, _ := json.Marshal(testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter))
		create := func() (motcua.Dossier, string) {
			var d motcua.Dossier
			c.must(http.StatusCreated, "POST", "/api/v1/dossiers", admin, string(in), &d)
			return d, "/api/v1/dossiers/" + d.Code
		}
		form := func(path, form string, want ...string) {
			t.Helper()
			pdf := c.must(http.StatusOK, "GET", path+"/forms/"+form, admin, "", nil)
			text, ok := pdfText(t, pdf)
			if !ok {
				return
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("form %s lacks %q:\n%s", form, w, text)
				}
			}
		}

		d, path := create()
		for _, f := range []string{"02", "03", "04", "05"} {
			c.must(http.StatusConflict, "GET", path+"/forms/"+f, admin, "", nil)
		}
		c.must(http.StatusBadRequest, "GET", path+"/forms/09", admin, "", nil)
		c.must(http.StatusOK, "POST", path+"/actions", admin, act("start", d.Version, ""), &d)
		c.must(http.StatusOK, "POST", path+"/actions", admin,
			act("request_supplement", d.Version, `,"items":["Bản sao Căn cước công dân","Tờ khai có chữ ký"]`), &d)
		form(path, "02", d.Code, "Bản sao Căn cước công dân", "Tờ khai có chữ ký")
		c.must(http.StatusOK, "POST", path+"/actions", admin, act("supplement", d.Version, ""), &d)
		c.must(http.StatusOK, "POST", path+"/actions", admin,
			act("extend", d.Version, `,"reason":"Cần xác minh thêm tại địa phương","extend":{"value":2,"unit":"working_days"}`), &d)
		form(path, "04", d.Code, "Cần xác minh thêm tại địa phương")
		c.must(http.StatusOK, "POST", path+"/actions", admin, act("refuse", d.Version, `,"reasons":["Người yêu cầu không đủ điều kiện"]`), &d)
		form(path, "03", d.Code, "Người yêu cầu không đủ điều kiện")
		form(path, "06", d.Code)

		d, path = create()
		c.must(http.StatusOK, "POST", path+"/actions", admin, act("withdraw", d.Version, `,"reasons":["Theo đơn xin rút hồ sơ"]`), &d)
		form(path, "05", d.Code, "Theo đơn xin rút hồ sơ")
	})
}
