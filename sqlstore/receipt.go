package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"motcua"
)

// Receipts out of the committers. A receipt's work — reading the
// procedure and agency, validating, following the process, computing the
// due times, chaining and encoding — is done before it is queued for a
// batch, in the request's goroutine, with a stand-in for the dossier code:
// a random token of the DB's, which no input can hold. The committer then
// only draws the code, puts it in place of the token (which changes the
// hash of the event that records it and of those after it), and inserts
// the rows. So receipts are computed in parallel while a batch commits,
// and a batch holds the write lock only to write.
//
// A receipt is received at the time it was prepared, a little before its
// batch commits. Codes follow those times at each agency: a batch writes
// an agency's receipts in the order of their times, and a receipt
// prepared before one of its agency already written by this process (its
// goroutine was held up between preparing and queueing) is computed again
// in the batch, at the batch's time.

// pendingReceipt is a receipt prepared out of the committers.
type pendingReceipt struct {
	in    *motcua.DossierInput
	actor motcua.Actor
	at    time.Time
	// d, row and deadlines hold the DB's code token where d's code goes,
	// when coded.
	d         *motcua.Dossier
	row       []any
	deadlines []motcua.Deadline
	coded     bool
	// stand is what the code changes: the token, then the hashes of d's
	// events from the first that holds it. holes are the row's values
	// that hold some of them, split around them.
	stand []string
	holes map[int]*template
	// revision is that of the legal calendar the receipt was computed
	// with.
	revision int64
}

// newCodeToken returns a token for codes not yet drawn: random, so that no
// input holds it, and made of characters JSON writes as they are.
func newCodeToken() string {
	var b [16]byte
	rand.Read(b[:])
	return "code-" + hex.EncodeToString(b[:])
}

// prepareReceipt computes the receipt of in by actor, out of any write
// transaction, at the DB's time now. Returns EINVALID as CreateDossier
// does.
func (db *DB) prepareReceipt(ctx context.Context, in *motcua.DossierInput, actor motcua.Actor) (*pendingReceipt, error) {
	tx := db.snapshots()
	r, err := db.receipts.find(ctx, tx, in)
	if err != nil {
		return nil, err
	}
	env, err := receiptEnv(ctx, tx, in, r, actor)
	if err != nil {
		return nil, err
	}
	p := &pendingReceipt{in: in, actor: actor, at: tx.now, revision: r.revision}
	env.NextCode = func(string, time.Time) (string, error) {
		p.coded = true
		return db.codeToken, nil
	}
	if p.d, p.deadlines, err = newDossier(ctx, tx, in, r, env); err != nil {
		return nil, err
	}
	if p.row, err = dossierRow(p.d); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	if p.coded {
		p.plan(db.codeToken)
	}
	return p, nil
}

// insert draws the receipt's code in tx, when it needs one, and writes the
// dossier. It leaves p as it was, for the batch may run it again.
func (p *pendingReceipt) insert(ctx context.Context, tx *txn) (*motcua.Dossier, error) {
	d, row, deadlines, ok, err := p.ready(ctx, tx)
	if err != nil {
		return nil, err
	} else if !ok {
		// Out of order, or computed with a calendar since changed:
		// received at the batch's time instead.
		return createDossier(ctx, tx, p.in, p.actor)
	}
	if err := insertDossier(ctx, tx, row, d.Events, deadlines); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	return d, nil
}

// ready returns the receipt's dossier, row and deadlines as tx is to
// write them, with its code drawn when it needs one; or ok false when it
// may not be written as prepared (pendingReceipt.current).
func (p *pendingReceipt) ready(ctx context.Context, tx *txn) (d *motcua.Dossier, row []any, deadlines []motcua.Deadline, ok bool, err error) {
	if ok, err = p.current(ctx, tx); err != nil || !ok {
		return nil, nil, nil, false, err
	}
	if !p.coded {
		return p.d, p.row, p.deadlines, true, nil
	}
	code, err := tx.drawCode(ctx, p.in.AgencyCode, p.at)
	if err != nil {
		return nil, nil, nil, false, err
	}
	d, row, deadlines = p.withCode(code)
	return d, row, deadlines, true, nil
}

// plan finds what drawing the code will change: the events from the
// first whose payload holds the token, and the row's values that hold the
// token or those events' hashes.
func (p *pendingReceipt) plan(token string) {
	p.stand = []string{token}
	for i, e := range p.d.Events {
		if strings.Contains(string(e.Payload), token) {
			for _, e := range p.d.Events[i:] {
				p.stand = append(p.stand, e.Hash)
			}
			break
		}
	}
	p.holes = map[int]*template{}
	for i, v := range p.row {
		if s, ok := v.(string); ok {
			if t := newTemplate(s, p.stand); t != nil {
				p.holes[i] = t
			}
		}
	}
}

// withCode returns copies of the receipt's dossier, row and deadlines
// with code in place of the token: the events from the first that holds
// it chained again, and their new hashes in place of the former ones.
func (p *pendingReceipt) withCode(code string) (*motcua.Dossier, []any, []motcua.Deadline) {
	token, d := p.stand[0], p.d
	values := []string{code}
	events := slices.Clone(d.Events)
	if first := len(events) - (len(p.stand) - 1); first < len(events) {
		for j := first; j < len(events); j++ {
			c := *events[j]
			c.Payload = []byte(strings.ReplaceAll(string(c.Payload), token, code))
			events[j] = &c
		}
		prev := ""
		if first > 0 {
			prev = events[first-1].Hash
		}
		motcua.Chain(prev, events[first:])
		for _, e := range events[first:] {
			values = append(values, e.Hash)
		}
	}
	c := *d
	c.Events = events
	c.Code = code
	row := slices.Clone(p.row)
	for i, t := range p.holes {
		row[i] = t.fill(values)
	}
	c.Document = []byte(row[len(row)-1].(string))
	deadlines := slices.Clone(p.deadlines)
	for i := range deadlines {
		if deadlines[i].Code == token {
			deadlines[i].Code = code
		}
	}
	return &c, row, deadlines
}

// template is a string split around the occurrences of some strings,
// which fill replaces.
type template struct {
	parts []string // len(holes)+1 pieces of the string between them
	holes []int    // which string each occurrence is, in order
	size  int      // the length of the parts
}

// newTemplate splits s around the occurrences of stand, or returns nil
// when it holds none.
func newTemplate(s string, stand []string) *template {
	var t *template
	for {
		at, which := -1, 0
		for k, x := range stand {
			if i := strings.Index(s, x); i >= 0 && (at < 0 || i < at) {
				at, which = i, k
			}
		}
		if at < 0 {
			break
		}
		if t == nil {
			t = &template{}
		}
		t.parts = append(t.parts, s[:at])
		t.holes = append(t.holes, which)
		t.size += at
		s = s[at+len(stand[which]):]
	}
	if t != nil {
		t.parts = append(t.parts, s)
		t.size += len(s)
	}
	return t
}

// fill returns the string with values[k] in place of each occurrence of
// the kth string.
func (t *template) fill(values []string) string {
	n := t.size
	for _, h := range t.holes {
		n += len(values[h])
	}
	var b strings.Builder
	b.Grow(n)
	for i, h := range t.holes {
		b.WriteString(t.parts[i])
		b.WriteString(values[h])
	}
	b.WriteString(t.parts[len(t.parts)-1])
	return b.String()
}

// insertReceipts writes the receipts of the batch's operations that have
// one at once, when there are several, drawing their codes in the
// batch's order, and answers them. It reports which operations it has
// written (nil when none): the others, and receipts to be received at the
// batch's time instead, run as usual.
func insertReceipts(ctx context.Context, tx *txn, batch []*op) ([]bool, error) {
	n := 0
	for _, o := range batch {
		if o.receipt != nil {
			n++
		}
	}
	if n < 2 {
		return nil, nil
	}
	written := make([]bool, len(batch))
	ds := make([]*motcua.Dossier, len(batch))
	var rows [][]any
	var events []*motcua.Event
	var deadlines []motcua.Deadline
	for i, o := range batch {
		p := o.receipt
		if p == nil {
			continue
		}
		d, row, dls, ok, err := p.ready(ctx, tx)
		if err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		written[i], ds[i] = true, d
		rows = append(rows, row)
		events = append(events, d.Events...)
		deadlines = append(deadlines, dls...)
	}
	if len(rows) > 0 {
		if err := insertDossiers(ctx, tx, rows, events, deadlines); err != nil {
			return nil, fmt.Errorf("sqlstore: create dossiers: %w", err)
		}
	}
	for i, o := range batch {
		if written[i] {
			o.created(ds[i])
		}
	}
	return written, nil
}

// ended returns ctx's error, or context.DeadlineExceeded once its
// deadline has passed even if ctx has not noticed yet: a connection whose
// dial timed out at the deadline may report it first.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// current reports whether the receipt may be written as prepared in
// tx: computed with the legal calendar still in force, and, when it draws
// a code, not before a receipt of its agency already written.
func (p *pendingReceipt) current(ctx context.Context, tx *txn) (bool, error) {
	rev, err := tx.calendarRevision(ctx)
	if err != nil {
		return false, err
	}
	if rev != p.revision {
		return false, nil
	}
	return !p.coded || tx.db.receipts.admit(p.in.AgencyCode, p.at, tx.now), nil
}

// receiptOrder keeps, for each agency, the latest time of a receipt this
// process has written, so that its codes follow its receipt times; and
// what receipts read of procedures and agencies.
type receiptOrder struct {
	mu   sync.Mutex
	last map[string]time.Time
	// read holds, per procedure and agency code, the receipt read last
	// (*readReceipt): kept for directoryTTL, for changes made by other
	// processes, and forgotten at a change made by this one.
	read sync.Map
}

// readReceipt is a receipt read, and when.
type readReceipt struct {
	r      receipt
	loaded time.Time
}

// find returns the receipt of in at tx's time: read again after
// directoryTTL, or once the procedure version it names is no longer the
// one in force then. Its calendar revision is the latest this process has
// built, which the batch checks (pendingReceipt.current).
func (o *receiptOrder) find(ctx context.Context, tx *txn, in *motcua.DossierInput) (*receipt, error) {
	key := [2]string{in.ProcedureCode, in.AgencyCode}
	if v, ok := o.read.Load(key); ok {
		e := v.(*readReceipt)
		cal := tx.db.cal.Load()
		if cal != nil && time.Since(e.loaded) < directoryTTL && !tx.now.Before(e.r.procedure.EffectiveFrom) &&
			(e.r.next == nil || tx.now.Before(*e.r.next)) {
			r := e.r
			r.revision = cal.revision
			return &r, nil
		}
	}
	r, err := findReceipt(ctx, tx, in)
	if err == nil && r.procedure != nil && r.agency != nil {
		o.read.Store(key, &readReceipt{r: *r, loaded: time.Now()})
	}
	return r, err
}

// calendarRevision returns the calendar revision as tx sees it, read once.
func (tx *txn) calendarRevision(ctx context.Context) (int64, error) {
	if !tx.hasRevision {
		if err := tx.queryRow(ctx, calendarRevisionQuery).Scan(&tx.revision); err != nil {
			return 0, fmt.Errorf("sqlstore: read the calendar revision: %w", err)
		}
		tx.hasRevision = true
	}
	return tx.revision, nil
}

// admit reports whether a receipt at agency prepared at at may be written
// with that time, and records the time written: at if admitted, the
// batch's time now otherwise.
func (o *receiptOrder) admit(agency string, at, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.last == nil {
		o.last = map[string]time.Time{}
	}
	if at.Before(o.last[agency]) {
		o.last[agency] = now
		return false
	}
	o.last[agency] = at
	return true
}

// drawCode returns the next dossier code of agency for a receipt at at,
// from the numbers tx reserved for its batch when it has them, or from
// the agency's counter.
func (tx *txn) drawCode(ctx context.Context, agency string, at time.Time) (string, error) {
	if c := tx.codes; c != nil && c.has(agency, at) {
		return c.draw(agency, at)
	}
	return nextCode(ctx, tx, agency, at)
}
