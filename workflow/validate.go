package workflow

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"motcua"
)

// Limits of a process definition.
const (
	maxSteps       = 100
	maxActions     = 50  // per step
	maxName        = 200 // runes, of names and labels
	maxPathVisits  = 1 << 16
	hoursPerDayApx = 8
)

var (
	processCodeRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	stepIDRE      = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
)

// Validate checks process p whole against procedure version proc and the
// directory, and returns an EINVALID error with one field error per
// problem, or nil. Fields are named like "code", "start",
// "steps[review].role" and "steps[review].actions[forward].to" (a step or
// action without a valid, unique ID or name is named by its index), and
// messages name the step: `step "review": action "forward" goes to
// unknown step "aprove"`.
//
// Beyond the form of each field it checks, when the start and the steps
// every moving action goes to exist, that every step can be reached
// from the start, that a step returning the result (an action of type
// return) can be reached from every step, and that the budgets of the
// steps on every simple path from the start to a step returning the
// result add up to no more than the procedure's legal time. Budgets are
// compared in working hours, an approximation for the units that are not
// working time: same_day counts 8 hours, working_days v 8v, and days v
// also 8v, as if every calendar day were a working day.
func Validate(p *motcua.Process, proc *motcua.Procedure, dir motcua.Directory) error {
	if p == nil {
		return (&motcua.Fields{{Field: "process", Reason: motcua.FieldRequired, Message: "no process"}}).Err()
	}
	v := &validator{p: p, proc: proc, dir: directory(dir)}
	v.header()
	if len(p.Steps) == 0 {
		v.fs.Add("steps", motcua.FieldRequired, "a process needs at least one step")
		return v.fs.Err()
	}
	if len(p.Steps) > maxSteps {
		v.fs.Add("steps", motcua.FieldTooLong, fmt.Sprintf("a process has at most %d steps", maxSteps))
		return v.fs.Err()
	}
	v.steps()
	if !v.broken {
		v.graph()
		v.budgets()
	}
	return v.fs.Err()
}

// validator collects the problems of a process.
type validator struct {
	p    *motcua.Process
	proc *motcua.Procedure
	dir  motcua.Directory
	fs   motcua.Fields
	keys []string                // the field key of each step: its ID, or its index
	byID map[string]*motcua.Step // the steps with valid, unique IDs
	// broken is set when the start or the step a moving action goes to
	// is missing: the graph is then not checked, whose problems would
	// only repeat these.
	broken bool
}

func (v *validator) add(field, reason, format string, args ...any) {
	v.fs.Add(field, reason, fmt.Sprintf(format, args...))
}

// name checks a required or optional name.
func (v *validator) name(field, s string, required bool, what string) {
	switch {
	case strings.TrimSpace(s) == "" && required:
		v.add(field, motcua.FieldRequired, "%s: a name is required", what)
	case utf8.RuneCountInString(s) > maxName:
		v.add(field, motcua.FieldTooLong, "%s: the name is longer than %d characters", what, maxName)
	}
}

func (v *validator) header() {
	p := v.p
	if !processCodeRE.MatchString(p.Code) {
		v.add("code", motcua.FieldFormat, "the code must be 1 to 64 letters, digits, dots, hyphens or underscores")
	}
	switch {
	case v.proc == nil:
		v.add("procedure", motcua.FieldUnknown, "no such procedure")
	case p.Procedure == "":
		v.add("procedure", motcua.FieldRequired, "name the procedure, %s", v.proc.Code)
	case p.Procedure != v.proc.Code:
		v.add("procedure", motcua.FieldValue, "the process is for procedure %q, not %q", p.Procedure, v.proc.Code)
	}
	v.name("name", p.Name, true, "the process")
	v.name("name_en", p.NameEN, false, "the process")
	if p.Start == "" {
		v.add("start", motcua.FieldRequired, "name the step a dossier enters at receipt")
	}
	if p.DueSoon != (motcua.ProcessingTime{}) && !p.DueSoon.Valid() {
		v.add("due_soon", motcua.FieldValue, "the due-soon time must be a positive value in same_day, working_hours, working_days or days")
	}
	seen := map[string]bool{}
	for i, code := range p.Agencies {
		field := fmt.Sprintf("agencies[%d]", i)
		if _, ok := v.dir.Agency(code); !ok {
			v.add(field, motcua.FieldUnknown, "no agency %q", code)
		} else if seen[code] {
			v.add(field, motcua.FieldValue, "agency %s is listed twice", code)
		}
		seen[code] = true
	}
}

// steps checks each step and its actions.
func (v *validator) steps() {
	p := v.p
	v.byID = make(map[string]*motcua.Step, len(p.Steps))
	v.keys = make([]string, len(p.Steps))
	for i := range p.Steps {
		s := &p.Steps[i]
		v.keys[i] = strconv.Itoa(i)
		if _, dup := v.byID[s.ID]; stepIDRE.MatchString(s.ID) && !dup {
			v.byID[s.ID] = s
			v.keys[i] = s.ID
		}
	}
	if _, ok := v.byID[p.Start]; !ok {
		v.broken = true
		if p.Start != "" {
			v.add("start", motcua.FieldUnknown, "the start step %q does not exist", p.Start)
		}
	}
	for i := range p.Steps {
		v.step(i)
	}
}

func (v *validator) step(i int) {
	s := &v.p.Steps[i]
	f := "steps[" + v.keys[i] + "]"
	what := fmt.Sprintf("step %q", s.ID)
	switch {
	case s.ID == "":
		v.add(f+".id", motcua.FieldRequired, "step %d: an ID is required", i)
	case !stepIDRE.MatchString(s.ID):
		v.add(f+".id", motcua.FieldFormat, "%s: an ID is 1 to 40 lower-case letters, digits or underscores", what)
	case v.byID[s.ID] != s:
		v.add(f+".id", motcua.FieldValue, "%s: the ID is used by another step", what)
	}
	v.name(f+".name", s.Name, true, what)
	v.name(f+".name_en", s.NameEN, false, what)
	if !stepRole(s.Role) {
		reason := motcua.FieldValue
		if s.Role == "" {
			reason = motcua.FieldRequired
		}
		v.add(f+".role", reason, "%s: the role must be one_door, specialist or leader", what)
	}
	switch s.At.Kind {
	case "", motcua.PlaceReceiving, motcua.PlaceParent, motcua.PlaceChild:
		if s.At.Agency != "" {
			v.add(f+".at.agency", motcua.FieldValue, "%s: only a step at a named agency names one", what)
		}
		if s.At.Kind == motcua.PlaceChild && s.ID == v.p.Start {
			v.add(f+".at.kind", motcua.FieldValue, "%s: the start step cannot run below the receiving unit, as no request names the agency there", what)
		}
	case motcua.PlaceAgency:
		if s.At.Agency == "" {
			v.add(f+".at.agency", motcua.FieldRequired, "%s: name the agency the step runs at", what)
		} else if _, ok := v.dir.Agency(s.At.Agency); !ok {
			v.add(f+".at.agency", motcua.FieldUnknown, "%s: agency %q does not exist", what, s.At.Agency)
		}
	default:
		v.add(f+".at.kind", motcua.FieldValue, "%s: the place must be receiving, agency, parent or child", what)
	}
	if s.Budget != (motcua.ProcessingTime{}) && !s.Budget.Valid() {
		v.add(f+".budget", motcua.FieldValue, "%s: the budget must be a positive value in same_day, working_hours, working_days or days", what)
	}
	if len(s.Actions) > maxActions {
		v.add(f+".actions", motcua.FieldTooLong, "%s: a step has at most %d actions", what, maxActions)
		return
	}
	names := make(map[string]bool, len(s.Actions))
	for j := range s.Actions {
		v.action(s, f, what, j, names)
	}
}

func (v *validator) action(s *motcua.Step, f, what string, j int, names map[string]bool) {
	a := &s.Actions[j]
	name := actionName(a)
	key := strconv.Itoa(j)
	_, global := globalKind(name)
	validName := stepIDRE.MatchString(name) && !global && !names[name]
	if validName {
		key = name
	}
	f += ".actions[" + key + "]"
	what += fmt.Sprintf(": action %q", name)
	switch {
	case a.Type == "":
		v.add(f+".type", motcua.FieldRequired, "%s: a type is required", what)
	case !stepType(a.Type):
		v.add(f+".type", motcua.FieldValue, "%s: unknown type %q", what, a.Type)
	}
	switch {
	case name == "":
	case !stepIDRE.MatchString(name):
		v.add(f+".name", motcua.FieldFormat, "%s: a name is 1 to 40 lower-case letters, digits or underscores", what)
	case global:
		v.add(f+".name", motcua.FieldValue, "%s: the name is taken by a global action", what)
	case names[name]:
		v.add(f+".name", motcua.FieldValue, "%s: another action of the step has this name", what)
	}
	names[name] = true
	v.name(f+".label", a.Label, false, what)
	v.name(f+".label_en", a.LabelEN, false, what)
	if motcua.MovingType(a.Type) {
		if a.To == "" {
			v.broken = true
			v.add(f+".to", motcua.FieldRequired, "%s: name the step it goes to", what)
		} else if v.byID[a.To] == nil {
			v.broken = true
			v.add(f+".to", motcua.FieldUnknown, "%s goes to unknown step %q", what, a.To)
		}
	} else if a.To != "" {
		v.add(f+".to", motcua.FieldValue, "%s: only forward, send_back, submit, approve, sign and transfer go to a step", what)
	}
	if a.Type != motcua.TypeConsult {
		if len(a.Agencies) > 0 || a.Role != "" || a.Budget != (motcua.ProcessingTime{}) {
			v.add(f, motcua.FieldValue, "%s: only a consultation has agencies, a role or a budget", what)
		}
		return
	}
	seen := map[string]bool{}
	for k, code := range a.Agencies {
		af := fmt.Sprintf("%s.agencies[%d]", f, k)
		switch _, ok := v.dir.Agency(code); {
		case !ok:
			v.add(af, motcua.FieldUnknown, "%s consults agency %q, which does not exist", what, code)
		case seen[code]:
			v.add(af, motcua.FieldValue, "%s consults agency %s twice", what, code)
		case s.At.Kind == motcua.PlaceAgency && code == s.At.Agency:
			v.add(af, motcua.FieldValue, "%s consults agency %s, where the step runs", what, code)
		}
		seen[code] = true
	}
	if a.Role != "" && !stepRole(a.Role) {
		v.add(f+".role", motcua.FieldValue, "%s: the role must be one_door, specialist or leader", what)
	}
	if a.Budget != (motcua.ProcessingTime{}) && !a.Budget.Valid() {
		v.add(f+".budget", motcua.FieldValue, "%s: the budget must be a positive value in same_day, working_hours, working_days or days", what)
	}
}

// next returns the steps s moves to.
func (v *validator) next(s *motcua.Step) []*motcua.Step {
	var out []*motcua.Step
	for _, a := range s.Actions {
		if motcua.MovingType(a.Type) {
			if t := v.byID[a.To]; t != nil && !containsStep(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

func containsStep(ss []*motcua.Step, s *motcua.Step) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// graph checks that every step is reachable from the start and that a
// step returning the result is reachable from every step.
func (v *validator) graph() {
	p := v.p
	results := map[*motcua.Step]bool{}
	prev := map[*motcua.Step][]*motcua.Step{}
	for i := range p.Steps {
		s := &p.Steps[i]
		if v.byID[s.ID] != s {
			continue
		}
		if isResult(s) {
			results[s] = true
		}
		for _, t := range v.next(s) {
			prev[t] = append(prev[t], s)
		}
	}
	if len(results) == 0 {
		v.add("steps", motcua.FieldValue, "no step returns the result: give one an action of type return")
	}
	if start := v.byID[p.Start]; start != nil {
		reached := walk([]*motcua.Step{start}, v.next)
		for i := range p.Steps {
			s := &p.Steps[i]
			if v.byID[s.ID] == s && !reached[s] {
				v.add("steps["+v.keys[i]+"]", motcua.FieldValue, "step %q cannot be reached from the start step %q", s.ID, p.Start)
			}
		}
	}
	if len(results) == 0 {
		return
	}
	var ends []*motcua.Step
	for i := range p.Steps {
		if s := &p.Steps[i]; results[s] {
			ends = append(ends, s)
		}
	}
	finishing := walk(ends, func(s *motcua.Step) []*motcua.Step { return prev[s] })
	for i := range p.Steps {
		s := &p.Steps[i]
		if v.byID[s.ID] == s && !finishing[s] {
			v.add("steps["+v.keys[i]+"]", motcua.FieldValue, "from step %q no step that returns the result can be reached", s.ID)
		}
	}
}

// walk returns the steps reachable from from by next, from included.
func walk(from []*motcua.Step, next func(*motcua.Step) []*motcua.Step) map[*motcua.Step]bool {
	seen := map[*motcua.Step]bool{}
	queue := append([]*motcua.Step(nil), from...)
	for _, s := range from {
		seen[s] = true
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range next(s) {
			if !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	return seen
}

// budgets checks that no simple path from the start to a step returning
// the result has budgets adding up to more than the legal time.
func (v *validator) budgets() {
	start := v.byID[v.p.Start]
	if start == nil || v.proc == nil || !v.proc.ProcessingTime.Valid() {
		return
	}
	legal := budgetHours(v.proc.ProcessingTime)
	worst, hours, ok := v.longestAcyclic(start)
	if !ok {
		worst, hours, ok = v.longestSimple(start)
	}
	if !ok {
		v.add("steps", motcua.FieldValue, "the process has too many paths to check its budgets against the legal time: simplify it")
		return
	}
	if hours <= legal {
		return
	}
	ids := make([]string, len(worst))
	for i, s := range worst {
		ids[i] = s.ID
	}
	total, limit := hoursText(hours, legal)
	v.add("steps", motcua.FieldValue, "%s: %s, more than the legal %s", strings.Join(ids, " → "), total, limit)
}

// stepHours returns the budget of s in working hours, zero if it has
// none or an invalid one.
func stepHours(s *motcua.Step) int {
	if s.Budget.Valid() {
		return budgetHours(s.Budget)
	}
	return 0
}

// longestAcyclic returns the path from start to a step returning the
// result with the largest budgets, and their sum, when the steps
// reachable from start form no cycle; false when they do.
func (v *validator) longestAcyclic(start *motcua.Step) ([]*motcua.Step, int, bool) {
	const (
		unseen = iota
		active
		done
	)
	mark := map[*motcua.Step]int{}
	var order []*motcua.Step // reverse topological order
	var visit func(s *motcua.Step) bool
	visit = func(s *motcua.Step) bool {
		mark[s] = active
		for _, t := range v.next(s) {
			switch mark[t] {
			case active:
				return false
			case unseen:
				if !visit(t) {
					return false
				}
			}
		}
		mark[s] = done
		order = append(order, s)
		return true
	}
	if !visit(start) {
		return nil, 0, false
	}
	best := map[*motcua.Step]int{start: stepHours(start)}
	prev := map[*motcua.Step]*motcua.Step{}
	var end *motcua.Step
	for i := len(order) - 1; i >= 0; i-- {
		s := order[i]
		if isResult(s) && (end == nil || best[s] > best[end]) {
			end = s
		}
		for _, t := range v.next(s) {
			if h := best[s] + stepHours(t); h > best[t] || prev[t] == nil {
				best[t], prev[t] = h, s
			}
		}
	}
	if end == nil {
		return nil, 0, true
	}
	var path []*motcua.Step
	for s := end; s != nil; s = prev[s] {
		path = append([]*motcua.Step{s}, path...)
	}
	return path, best[end], true
}

// longestSimple returns the simple path from start to a step returning
// the result with the largest budgets, and their sum, searching every
// simple path; false when there are too many to search.
func (v *validator) longestSimple(start *motcua.Step) ([]*motcua.Step, int, bool) {
	var (
		path, worst []*motcua.Step
		worstHours  = -1
		visits      int
		on          = map[*motcua.Step]bool{}
		left        int // the hours of the steps not on the path
	)
	for s := range walk([]*motcua.Step{start}, v.next) {
		left += stepHours(s)
	}
	var dfs func(s *motcua.Step, hours int) bool
	dfs = func(s *motcua.Step, hours int) bool {
		if visits++; visits > maxPathVisits {
			return false
		}
		h := stepHours(s)
		hours += h
		left -= h
		path = append(path, s)
		on[s] = true
		if isResult(s) && hours > worstHours {
			worstHours, worst = hours, append(worst[:0], path...)
		}
		if hours+left > worstHours { // else no path through here does better
			for _, t := range v.next(s) {
				if !on[t] && !dfs(t, hours) {
					return false
				}
			}
		}
		on[s] = false
		path = path[:len(path)-1]
		left += h
		return true
	}
	if !dfs(start, 0) {
		return nil, 0, false
	}
	return worst, worstHours, true
}

// budgetHours returns t in working hours, approximately: see Validate.
func budgetHours(t motcua.ProcessingTime) int {
	switch t.Unit {
	case motcua.SameDay:
		return hoursPerDayApx
	case motcua.WorkingHours:
		return t.Value
	}
	return t.Value * hoursPerDayApx
}

// hoursText writes a total and a limit in working days when both are
// whole days, else in working hours: "12 working days", "10".
func hoursText(total, limit int) (string, string) {
	unit, n, m := "working hour", total, limit
	if total%hoursPerDayApx == 0 && limit%hoursPerDayApx == 0 {
		unit, n, m = "working day", total/hoursPerDayApx, limit/hoursPerDayApx
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit), strconv.Itoa(m)
}

// stepRole reports whether r is a role that acts in steps.
func stepRole(r string) bool {
	return r == motcua.RoleOneDoor || r == motcua.RoleSpecialist || r == motcua.RoleLeader
}

// stepType reports whether t is a step action type.
func stepType(t string) bool {
	for _, x := range motcua.StepTypes {
		if x == t {
			return true
		}
	}
	return false
}
