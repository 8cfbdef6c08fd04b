package workflow_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"motcua"
	"motcua/seed"
	"motcua/workflow"
)

// demoDirectory returns the directory of the demo catalogue and its
// procedures by code.
func demoDirectory(t *testing.T) (*directory, map[string]*motcua.Procedure) {
	t.Helper()
	c, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	dir := &directory{parents: map[string]string{}, agencies: map[string]*motcua.Agency{}, handles: map[string][]string{}}
	for _, u := range c.Units {
		dir.parents[u.Code] = u.ParentCode
	}
	for _, a := range c.Agencies {
		dir.agencies[a.Code] = a
	}
	procs := map[string]*motcua.Procedure{}
	for _, p := range c.Procedures {
		procs[p.Code] = p
		dir.handles[p.Code] = p.AgencyCodes
	}
	return dir, procs
}

// TestSamples validates the sample processes of seed/processes against
// the demo catalogue, and takes a dossier of each through the process to
// its return.
func TestSamples(t *testing.T) {
	dir, procs := demoDirectory(t)
	files, err := filepath.Glob("../seed/processes/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(procs) {
		t.Errorf("%d sample processes for %d demo procedures", len(files), len(procs))
	}
	seen := map[string]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !norm.NFC.IsNormal(b) {
				t.Error("the file is not in NFC")
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var p motcua.Process
			if err := dec.Decode(&p); err != nil {
				t.Fatal(err)
			}
			var raw map[string]any
			json.Unmarshal(b, &raw)
			if _, ok := raw["created_by"]; ok || raw["created_at"] != nil {
				t.Error("a sample names its creator")
			}
			proc := procs[p.Procedure]
			if proc == nil || p.Code != "QT-"+p.Procedure || filepath.Base(file) != p.Code+".json" || p.Version != 1 || seen[p.Procedure] {
				t.Fatalf("process %s version %d of procedure %s in %s", p.Code, p.Version, p.Procedure, file)
			}
			seen[p.Procedure] = true
			if err := workflow.Validate(&p, proc, dir); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			walk(t, &p, proc, dir)
		})
	}
}

// walk takes a counter dossier of the first agency handling proc through
// p: at each step it asks the fixed consultations, if any, and takes the
// first moving action, until a step returns the result.
func walk(t *testing.T, p *motcua.Process, proc *motcua.Procedure, dir *directory) {
	t.Helper()
	agency := dir.agencies[proc.AgencyCodes[0]]
	in := input(motcua.ChannelCounter)
	in.ProcedureCode, in.AgencyCode = proc.Code, agency.Code
	c := &codes{}
	env := func(n int) motcua.Env {
		return motcua.Env{Now: received.Add(time.Duration(n) * time.Hour), Actor: admin, Calendar: cal, Directory: dir, NextCode: c.next}
	}
	out, err := workflow.New(in, proc, p, agency.UnitCode, env(0))
	if err != nil {
		t.Fatal(err)
	}
	d := out.Dossier
	consulted := map[string]bool{}
	for n := 1; n < 30; n++ {
		m := mainTask(t, d)
		s := findStep(p, m.Step)
		var req motcua.ActionRequest
		for _, a := range s.Actions {
			name := a.Name
			if name == "" {
				name = a.Type
			}
			switch {
			case req.Action != "":
			case a.Type == motcua.TypeConsult && len(a.Agencies) > 0 && !consulted[s.ID]:
				consulted[s.ID] = true
				req = motcua.ActionRequest{Action: name}
			case a.Type == motcua.TypeReturn || motcua.MovingType(a.Type):
				req = motcua.ActionRequest{Action: name}
				if to := findStep(p, a.To); to != nil && to.At.Kind == motcua.PlaceChild {
					req.Agencies = []string{childAgency(t, dir, m.Unit)}
				}
			}
		}
		out, err := workflow.Apply(p, proc, d, req, env(n))
		if err != nil {
			t.Fatalf("%s at step %s: %v", req.Action, s.ID, err)
		}
		d = out.Dossier
		for _, task := range d.Tasks {
			if task.Open() && task.Kind == motcua.TaskConsult {
				out, err := workflow.Apply(p, proc, d, motcua.ActionRequest{Action: "answer", Task: task.ID, Answer: "Thống nhất"}, env(n))
				if err != nil {
					t.Fatalf("answer %d: %v", task.ID, err)
				}
				d = out.Dossier
			}
		}
		if d.Status == motcua.StatusReturned {
			var path []string
			for _, task := range d.Tasks {
				path = append(path, task.Step+"@"+task.Agency)
			}
			t.Logf("%s", strings.Join(path, " → "))
			return
		}
	}
	t.Fatalf("the dossier is %s after 30 actions", d.Status)
}

// childAgency returns the agency of a unit directly below unit.
func childAgency(t *testing.T, dir *directory, unit string) string {
	t.Helper()
	best := ""
	for code, a := range dir.agencies {
		if dir.parents[a.UnitCode] == unit && (best == "" || code < best) {
			best = code
		}
	}
	if best == "" {
		t.Fatalf("no agency below unit %s", unit)
	}
	return best
}
