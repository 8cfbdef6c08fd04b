package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"motcua"
)

// auditor appends the audit records of frequent events — staff views of
// personal data, uses of the administrator token — in batches, off the
// request's path: a record is appended at most flushEvery after its
// request, together with those of the requests around it, so that a busy
// server pays one append for many requests. Uses of the administrator
// token are counted rather than recorded one by one: a record a minute
// for each route and address, with the number of requests and the first
// and last (what they changed is recorded anyway: a dossier's events
// name their actor, and configuration changes are audited one by one).
// Sign-ins and changes are audited by the services themselves,
// synchronously.
type auditor struct {
	store motcua.AuditService
	log   *slog.Logger
	ch    chan *motcua.AuditRecord
	done  chan struct{}

	mu     sync.RWMutex // held to send on ch, and to close it
	closed bool

	usesMu sync.Mutex
	uses   map[useKey]*use
}

// useKey and use count the requests of one kind from one address: made
// with the administrator token to a route (action AuditAdminToken), or
// carrying a credential of a kind that was refused (AuditAccessDenied).
type useKey struct{ action, object, ip string }

type use struct {
	n           int
	first, last time.Time
}

// Limits of the auditor's batches.
const (
	auditQueue = 4096
	auditBatch = 512
	flushEvery = 100 * time.Millisecond
	// usesEvery is how often the counts of the administrator token's
	// uses are appended; maxUses bounds the routes and addresses counted
	// in between.
	usesEvery = time.Minute
	maxUses   = 1000
)

func newAuditor(store motcua.AuditService, log *slog.Logger) *auditor {
	a := &auditor{store: store, log: log, ch: make(chan *motcua.AuditRecord, auditQueue), done: make(chan struct{}),
		uses: map[useKey]*use{}}
	if store == nil {
		close(a.done)
		return a
	}
	go a.run()
	return a
}

// add queues a record; when the queue is full it waits, so that records
// are never dropped.
func (a *auditor) add(r *motcua.AuditRecord) {
	if a.store == nil {
		return
	}
	a.mu.RLock()
	if a.closed {
		// A request that outlived the server's shutdown: append it
		// directly.
		a.mu.RUnlock()
		a.write([]*motcua.AuditRecord{r})
		return
	}
	a.ch <- r
	a.mu.RUnlock()
}

// used counts a request made with the administrator token to route from
// ip at now.
func (a *auditor) used(route, ip string, now time.Time) {
	a.count(useKey{motcua.AuditAdminToken, route, ip}, now)
}

// rejected counts a request from ip at now whose credential, of kind
// (session, staff_token, client_key, bearer_token, authorization), was
// refused.
func (a *auditor) rejected(kind, ip string, now time.Time) {
	a.count(useKey{motcua.AuditAccessDenied, "credential:" + kind, ip}, now)
}

// count counts a request under k.
func (a *auditor) count(k useKey, now time.Time) {
	if a.store == nil {
		return
	}
	a.usesMu.Lock()
	defer a.usesMu.Unlock()
	u := a.uses[k]
	if u == nil {
		if len(a.uses) >= maxUses {
			// Too many routes and addresses at once: count this
			// address's requests together.
			k.object = "*"
			if u = a.uses[k]; u == nil {
				u = &use{first: now}
				a.uses[k] = u
			}
		} else {
			u = &use{first: now}
			a.uses[k] = u
		}
	}
	u.n++
	u.last = now
}

// takeUses returns the records of the uses counted so far, and starts
// counting again.
func (a *auditor) takeUses() []*motcua.AuditRecord {
	a.usesMu.Lock()
	uses := a.uses
	a.uses = map[useKey]*use{}
	a.usesMu.Unlock()
	recs := make([]*motcua.AuditRecord, 0, len(uses))
	for k, u := range uses {
		r := &motcua.AuditRecord{At: u.last, Actor: motcua.BootstrapAdmin, Action: k.action,
			Object: k.object, Outcome: motcua.OutcomeOK, IP: k.ip,
			Detail: fmt.Sprintf("%d requests from %s to %s", u.n, motcua.FormatTime(u.first), motcua.FormatTime(u.last))}
		if u.n == 1 {
			r.Detail = "1 request at " + motcua.FormatTime(u.first)
		}
		if k.action == motcua.AuditAccessDenied {
			r.Actor, r.Outcome = motcua.Actor{Kind: "anonymous"}, motcua.OutcomeDenied
		}
		recs = append(recs, r)
	}
	slices.SortFunc(recs, func(x, y *motcua.AuditRecord) int { return x.At.Compare(y.At) })
	return recs
}

func (a *auditor) run() {
	defer close(a.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	lastUses := time.Now()
	var batch []*motcua.AuditRecord
	for {
		select {
		case r, ok := <-a.ch:
			if !ok {
				a.write(append(batch, a.takeUses()...))
				return
			}
			batch = append(batch, r)
			if len(batch) < auditBatch {
				continue
			}
		case now := <-t.C:
			if now.Sub(lastUses) >= usesEvery {
				batch = append(batch, a.takeUses()...)
				lastUses = now
			}
		}
		a.write(batch)
		batch = batch[:0]
	}
}

func (a *auditor) write(batch []*motcua.AuditRecord) {
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err := a.store.Audit(ctx, batch...)
		if err == nil {
			return
		}
		if attempt == 5 || ctx.Err() != nil {
			a.log.Error("audit records lost", "records", len(batch), "error", err)
			return
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
}

// close appends what is queued and stops.
func (a *auditor) close() {
	if a.store == nil {
		return
	}
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.ch)
	}
	a.mu.Unlock()
	<-a.done
}

// viewed audits a staff member's view or export of a person's data. A
// citizen's view of their own data is not audited, nor the
// administrator token's, whose every use is.
func (s *Server) viewed(r *http.Request, action, object string) {
	c := callerOf(r)
	if c.actor.Kind != motcua.ActorOfficer {
		return
	}
	s.audits.add(&motcua.AuditRecord{At: s.clock.Now(), Actor: c.actor, Action: action, Object: object,
		Outcome: motcua.OutcomeOK, IP: clientIP(r)})
}

// auditFilter reads the filter of the audit routes from the query.
func auditFilter(r *http.Request) (motcua.AuditFilter, error) {
	q := r.URL.Query()
	f := motcua.AuditFilter{Action: q.Get("action"), ActorID: q.Get("actor"), Object: q.Get("object")}
	var fs motcua.Fields
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fs.Add("after", motcua.FieldFormat, "after is a record number")
		}
		f.After = n
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fs.Add(p.name, motcua.FieldFormat, p.name+" is an RFC 3339 time")
			}
			*p.t = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fs.Add("limit", motcua.FieldValue, "limit is a positive number")
		}
		f.Limit = n
	}
	return f, fs.Err()
}

// listAudit answers with audit records, for auditors.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	recs, err := s.store.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []*motcua.AuditRecord{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"records": recs})
}

// maxAuditExport bounds an export; a larger one is refused rather than
// cut short.
const maxAuditExport = 100_000

// exportAudit answers with the filtered audit records as CSV, and audits
// the export.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	var all []*motcua.AuditRecord
	f.Limit = 1000
	for {
		page, err := s.store.FindAudit(r.Context(), f)
		if err != nil {
			return err
		}
		all = append(all, page...)
		if len(all) > maxAuditExport {
			return &motcua.Error{Code: motcua.ETOOLARGE, Reason: "export_too_large",
				Message: "More than 100,000 records match; narrow the filter (from, to, action)."}
		}
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].Seq
	}
	c := callerOf(r)
	err = s.store.Audit(r.Context(), &motcua.AuditRecord{At: s.clock.Now(), Actor: c.actor, Action: motcua.AuditExport,
		Object: "audit", Outcome: motcua.OutcomeOK, IP: clientIP(r), Detail: r.URL.RawQuery})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="audit.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "at", "actor_kind", "actor_id", "actor_name", "action", "object", "outcome", "ip", "detail", "prev_hash", "hash"})
	for _, rec := range all {
		cw.Write([]string{strconv.FormatInt(rec.Seq, 10), motcua.FormatTime(rec.At), cell(rec.Actor.Kind), cell(rec.Actor.ID),
			cell(rec.Actor.Name), cell(rec.Action), cell(rec.Object), cell(rec.Outcome), cell(rec.IP), cell(rec.Detail),
			rec.PrevHash, rec.Hash})
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from reading a value as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe. The hash chain is over the records, not the export.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
