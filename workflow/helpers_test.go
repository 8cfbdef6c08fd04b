package workflow_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"motcua"
	"motcua/calendar"
	"motcua/workflow"
)

// The units and agencies of the test directory, shaped like the testkit
// catalogue: the city, a district with a commune, and another district
// without any agency.
const (
	unitCity     = "01"
	unitDistrict = "001"
	unitOther    = "002"
	unitCommune  = "00001"

	agencyDept     = "000.00.12.H26" // Sở Tư pháp, of the city
	agencyDistrict = "000.01.20.H26" // UBND Quận Ba Đình
	agencyCommune  = "001.01.20.H26" // UBND Phường Phúc Xá
)

// directory is a Directory over maps.
type directory struct {
	parents  map[string]string         // unit → parent ("" at the top)
	agencies map[string]*motcua.Agency // by code
	handles  map[string][]string       // procedure → agencies handling it
}

func (d *directory) Agency(code string) (*motcua.Agency, bool) {
	a, ok := d.agencies[code]
	return a, ok
}

func (d *directory) ParentUnit(unit string) (string, bool) {
	p, ok := d.parents[unit]
	return p, ok && p != ""
}

func (d *directory) AgencyAt(unit, procedure string) (*motcua.Agency, bool) {
	for _, code := range d.handles[procedure] {
		if a := d.agencies[code]; a != nil && a.UnitCode == unit {
			return a, true
		}
	}
	for _, a := range d.agencies {
		if a.UnitCode == unit && a.Kind == motcua.AgencyPeoplesCommittee {
			return a, true
		}
	}
	return nil, false
}

// testDirectory returns the test directory.
func testDirectory() *directory {
	return &directory{
		parents: map[string]string{unitCity: "", unitDistrict: unitCity, unitOther: unitCity, unitCommune: unitDistrict},
		agencies: map[string]*motcua.Agency{
			agencyDept:     {Code: agencyDept, Name: "Sở Tư pháp", NameEN: "Department of Justice", Kind: motcua.AgencyDepartment, UnitCode: unitCity},
			agencyDistrict: {Code: agencyDistrict, Name: "UBND Quận Ba Đình", NameEN: "Ba Dinh District People's Committee", Kind: motcua.AgencyPeoplesCommittee, UnitCode: unitDistrict},
			agencyCommune:  {Code: agencyCommune, Name: "UBND Phường Phúc Xá", NameEN: "Phuc Xa Ward People's Committee", Kind: motcua.AgencyPeoplesCommittee, UnitCode: unitCommune},
		},
		handles: map[string][]string{"DEMO-HT-001": {agencyCommune}},
	}
}

// codes is a NextCode that numbers dossiers per agency and day.
type codes struct{ n map[string]int }

func (c *codes) next(agency string, at time.Time) (string, error) {
	if c.n == nil {
		c.n = make(map[string]int)
	}
	key := agency + "-" + at.In(motcua.Location()).Format("060102")
	c.n[key]++
	return fmt.Sprintf("%s-%04d", key, c.n[key]), nil
}

var (
	ict = time.FixedZone("ICT", 7*60*60)
	// received is a Monday morning.
	received = time.Date(2026, 11, 30, 9, 0, 0, 123456789, ict)
	cal      = calendar.Default()

	// officer is the commune's one-door officer, specialist and leader.
	officer = staff("officer-1", "Lê Văn Cường",
		motcua.Grant{Role: motcua.RoleOneDoor, Unit: unitCommune},
		motcua.Grant{Role: motcua.RoleSpecialist, Unit: unitCommune},
		motcua.Grant{Role: motcua.RoleLeader, Unit: unitCommune})
	oneDoor            = staff("one-door", "Trần Thị Hoa", motcua.Grant{Role: motcua.RoleOneDoor, Unit: unitCommune})
	specialist         = staff("specialist", "Phạm Minh Đức", motcua.Grant{Role: motcua.RoleSpecialist, Unit: unitCommune})
	districtSpecialist = staff("district-specialist", "Hoàng Văn Nam", motcua.Grant{Role: motcua.RoleSpecialist, Unit: unitDistrict, Agency: agencyDistrict})
	deptLeader         = staff("dept-leader", "Vũ Thị Lan", motcua.Grant{Role: motcua.RoleLeader, Unit: unitCity, Agency: agencyDept})
	deptSpecialist     = staff("dept-specialist", "Đỗ Văn Hùng", motcua.Grant{Role: motcua.RoleSpecialist, Unit: unitCity, Agency: agencyDept})
	citizen            = motcua.Actor{Kind: motcua.ActorCitizen, ID: "001090000001", Name: "Nguyễn Văn An"}
	admin              = motcua.BootstrapAdmin
)

func staff(id, name string, grants ...motcua.Grant) motcua.Actor {
	return motcua.Actor{Kind: motcua.ActorOfficer, ID: id, Name: name, Grants: grants}
}

func procedure() *motcua.Procedure {
	return &motcua.Procedure{
		Code: "DEMO-HT-001", Version: 3, Name: "Đăng ký khai sinh",
		EffectiveFrom:  time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		ServiceLevel:   motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull},
		ProcessingTime: motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays},
		AgencyCodes:    []string{agencyCommune},
	}
}

func input(channel string) *motcua.DossierInput {
	in := &motcua.DossierInput{
		ProcedureCode: "DEMO-HT-001", AgencyCode: agencyCommune, Channel: channel,
		Applicant: motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: "001090000001"},
		Form:      json.RawMessage(`{"child_name":"Nguyễn Văn Bình"}`),
	}
	in.Normalize()
	return in
}

// world is the environment of a test: the directory, the codes and the
// process the dossiers follow.
type world struct {
	t     testing.TB
	dir   *directory
	codes *codes
	proc  *motcua.Procedure
	p     *motcua.Process
}

func newWorld(t testing.TB, p *motcua.Process) *world {
	t.Helper()
	proc := procedure()
	if p == nil {
		p = workflow.Default(proc)
	}
	w := &world{t: t, dir: testDirectory(), codes: &codes{}, proc: proc, p: p}
	if err := workflow.Validate(p, proc, w.dir); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return w
}

func (w *world) env(now time.Time, a motcua.Actor) motcua.Env {
	return motcua.Env{Now: now, Actor: a, Calendar: cal, Directory: w.dir, NextCode: w.codes.next}
}

// create creates a dossier of channel by a at now.
func (w *world) create(channel string, a motcua.Actor, now time.Time) *workflow.Outcome {
	w.t.Helper()
	out, err := workflow.New(input(channel), w.proc, w.p, unitCommune, w.env(now, a))
	if err != nil {
		w.t.Fatalf("New: %v", err)
	}
	checkOutcome(w.t, nil, out)
	return out
}

// apply applies req by a at now and fails the test on error. It checks
// that the input dossier is unchanged and the outcome consistent.
func (w *world) apply(d *motcua.Dossier, req motcua.ActionRequest, a motcua.Actor, now time.Time) *workflow.Outcome {
	w.t.Helper()
	before := workflow.Clone(d)
	out, err := workflow.Apply(w.p, w.proc, d, req, w.env(now, a))
	if err != nil {
		w.t.Fatalf("%s by %s: %v", req.Action, a.ID, err)
	}
	if !reflect.DeepEqual(before, d) {
		w.t.Fatalf("%s modified its input dossier", req.Action)
	}
	checkOutcome(w.t, d, out)
	return out
}

// fail applies req by a at now and returns its error, failing the test
// if there is none or if the input changed.
func (w *world) fail(d *motcua.Dossier, req motcua.ActionRequest, a motcua.Actor, now time.Time) *motcua.Error {
	w.t.Helper()
	before := workflow.Clone(d)
	out, err := workflow.Apply(w.p, w.proc, d, req, w.env(now, a))
	if err == nil || out != nil {
		w.t.Fatalf("%s by %s succeeded; want an error", req.Action, a.ID)
	}
	if !reflect.DeepEqual(before, d) {
		w.t.Fatalf("failed %s modified its input dossier", req.Action)
	}
	var e *motcua.Error
	if !errors.As(err, &e) {
		w.t.Fatalf("%s: error %v is not a *motcua.Error", req.Action, err)
	}
	return e
}

// checkOutcome checks the events of an outcome: numbered after the
// previous version, in UTC microseconds, with JSON object payloads.
func checkOutcome(t testing.TB, before *motcua.Dossier, out *workflow.Outcome) {
	t.Helper()
	version := 0
	if before != nil {
		version = before.Version
	}
	d := out.Dossier
	if d.Version != version+len(out.Events) || len(out.Events) == 0 {
		t.Fatalf("version %d after %d events from version %d", d.Version, len(out.Events), version)
	}
	for i, e := range out.Events {
		var m map[string]any
		if e.Seq != version+i+1 || e.DossierID != d.ID || e.At.Location() != time.UTC || e.At.Nanosecond()%1000 != 0 ||
			e.Hash != "" || len(e.Actor.Grants) != 0 || json.Unmarshal(e.Payload, &m) != nil || m == nil {
			t.Fatalf("event %d = %+v", i, e)
		}
	}
	if last := out.Events[len(out.Events)-1]; last.ToStatus != d.Status {
		t.Fatalf("last event goes to %s; the dossier is %s", last.ToStatus, d.Status)
	}
	if before != nil && !slices.Equal(before.Events, d.Events) {
		t.Fatalf("outcome's dossier has other events than its input")
	}
}

// payload decodes an event's payload.
func payload(t testing.TB, e *motcua.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Payload, &m); err != nil {
		t.Fatalf("%s payload %s: %v", e.Action, e.Payload, err)
	}
	return m
}

// checkPayload checks that an event's payload holds want.
func checkPayload(t testing.TB, e *motcua.Event, want map[string]any) {
	t.Helper()
	m := payload(t, e)
	for k, v := range want {
		got, _ := json.Marshal(m[k])
		w, _ := json.Marshal(v)
		if string(got) != string(w) {
			t.Errorf("%s payload %s = %s; want %s", e.Action, k, got, w)
		}
	}
}

// fieldNames returns the "field:reason" pairs of an EINVALID error.
func fieldNames(t testing.TB, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *motcua.Error
	if !errors.As(err, &e) || e.Code != motcua.EINVALID {
		t.Fatalf("error %v; want %s", err, motcua.EINVALID)
	}
	var fs []string
	for _, f := range e.Fields {
		fs = append(fs, f.Field+":"+f.Reason)
	}
	return fs
}

// utc returns t in UTC truncated to the microsecond, as the engine
// records times.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// at returns the local time of day h:m on the date of base plus days.
func at(days, h, m int) time.Time {
	y, mo, d := received.Date()
	return time.Date(y, mo, d+days, h, m, 0, 0, ict)
}

// task returns the task of d with id.
func task(t testing.TB, d *motcua.Dossier, id int) *motcua.Task {
	t.Helper()
	for _, x := range d.Tasks {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("dossier has no task %d", id)
	return nil
}

// mainTask returns d's open step task.
func mainTask(t testing.TB, d *motcua.Dossier) *motcua.Task {
	t.Helper()
	for _, x := range d.Tasks {
		if x.Open() && x.Kind == motcua.TaskStep {
			return x
		}
	}
	t.Fatalf("dossier has no open step task")
	return nil
}
