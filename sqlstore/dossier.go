package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"motcua"
	"motcua/workflow"
)

// CreateDossier validates and stores a new dossier with its first events,
// in one transaction that also assigns its code when it is received. The
// procedure version in force now is pinned, and the dossier belongs to the
// unit of the receiving agency. The actor is the one carried by ctx, or
// motcua.SystemActor. Concurrent calls share transactions (group commit);
// each returns once the dossier is committed.
//
// When idempotencyKey is not empty and the actor used it before with the
// same input, it returns the dossier created then and replay true; with
// different input it returns ECONFLICT. Concurrent requests with one key
// create one dossier. Returns EINVALID listing every bad field, including
// unknown procedures and agencies; nothing is written then.
func (db *DB) CreateDossier(ctx context.Context, in *motcua.DossierInput, idempotencyKey string) (d *motcua.Dossier, replay bool, err error) {
	defer markUnavailable(&err)
	if len(idempotencyKey) > maxIdempotencyKey {
		var fs motcua.Fields
		fs.Add("idempotency_key", motcua.FieldTooLong, "an idempotency key has at most 255 bytes")
		return nil, false, fs.Err()
	}
	in.Normalize()
	key := idempotency{actor: actorFrom(ctx), key: idempotencyKey}
	if key.key != "" {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, false, fmt.Errorf("sqlstore: create dossier: %w", err)
		}
		sum := sha256.Sum256(b)
		key.fingerprint = hex.EncodeToString(sum[:])
	}

	actor := key.actor
	p, err := db.prepareReceipt(ctx, in, actor)
	if err != nil {
		if cerr := ended(ctx); cerr != nil {
			// A read cut short by the caller is no failure of the
			// database.
			return nil, false, cerr
		}
		return nil, false, err
	}
	o := &op{key: in.AgencyCode, at: p.at, run: func(ctx context.Context, tx *txn) error {
		if key.key != "" {
			var found bool
			if d, found, err = key.replay(ctx, tx); found || err != nil {
				replay = found
				return err
			}
		}
		replay = false
		if d, err = p.insert(ctx, tx); err != nil {
			return err
		}
		if key.key != "" {
			if _, err := tx.exec(ctx, insertIdempotencyQuery, actor.Kind, actor.ID, key.key, key.fingerprint, d.ID, tx.now); err != nil {
				return fmt.Errorf("sqlstore: record idempotency key: %w", err)
			}
		}
		return nil
	}}
	if p.coded {
		o.code = in.AgencyCode
	}
	if key.key != "" {
		// A key's row is locked too, out of the batches' order.
		o.key = ""
	} else {
		o.receipt = p
		o.created = func(c *motcua.Dossier) { d, replay = c, false }
	}
	err = db.enqueue(ctx, o)
	if key.key != "" && db.d.isUniqueViolation(err) {
		// A concurrent request with the same key committed first.
		tx, terr := db.beginRead(ctx)
		if terr != nil {
			return nil, false, terr
		}
		defer tx.Rollback()
		if d, found, rerr := key.replay(ctx, tx); found || rerr != nil {
			return d, found, rerr
		}
	}
	if err != nil {
		return nil, false, err
	}
	if !replay && len(d.Events) > 0 {
		db.recent.put(d, d.Events[len(d.Events)-1].Hash, eventsJSON{})
	}
	return d, replay, nil
}

// CreateDossiers validates and stores new dossiers as CreateDossier does,
// without idempotency keys, for loading many at once (a thousand per call
// is a good size): all in one transaction, or none when one is invalid.
// The actor is the one carried by ctx, or motcua.SystemActor. Returns the
// dossiers in the order of ins, or EINVALID listing every bad field,
// prefixed with the index of its input ("[3].applicant.id_number").
func (db *DB) CreateDossiers(ctx context.Context, ins []*motcua.DossierInput) (ds []*motcua.Dossier, err error) {
	defer markUnavailable(&err)
	if len(ins) == 0 {
		return nil, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	receipts := map[[2]string]*receipt{}
	var fs motcua.Fields
	for i, in := range ins {
		in.Normalize()
		k := [2]string{in.ProcedureCode, in.AgencyCode}
		r := receipts[k]
		if r == nil {
			if r, err = findReceipt(ctx, tx, in); err != nil {
				return nil, err
			}
			receipts[k] = r
		}
		addFields(&fs, fmt.Sprintf("[%d].", i), in.ValidateWith(r.procedure, r.agency, r.handled))
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}

	counts := map[string]int{}
	for _, in := range ins {
		counts[in.AgencyCode]++
	}
	codes, err := reserveCodes(ctx, tx, counts)
	if err != nil {
		return nil, err
	}
	tx.codes = codes
	actor := actorFrom(ctx)
	ds = make([]*motcua.Dossier, len(ins))
	dossiers := make([][]any, len(ins))
	var events [][]any
	var deadlines []motcua.Deadline
	for i, in := range ins {
		r := receipts[[2]string{in.ProcedureCode, in.AgencyCode}]
		s, err := tx.calendarAt(ctx, r.revision)
		if err != nil {
			return nil, err
		}
		env, err := tx.env(ctx, actor, s)
		if err != nil {
			return nil, err
		}
		var dls []motcua.Deadline
		if ds[i], dls, err = newDossier(ctx, tx, in, r, env); err != nil {
			return nil, err
		}
		deadlines = append(deadlines, dls...)
		if dossiers[i], err = dossierRow(ds[i]); err != nil {
			return nil, fmt.Errorf("sqlstore: create dossiers: %w", err)
		}
		for _, e := range ds[i].Events {
			events = append(events, eventRow(e))
		}
	}
	if err := codes.giveBack(ctx, tx); err != nil {
		return nil, err
	}
	if err := insertRows(ctx, tx, "dossiers", dossierWriteColumns, dossiers); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossiers: %w", err)
	}
	if err := insertRows(ctx, tx, "dossier_events", eventColumns, events); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossiers: %w", err)
	}
	if err := insertDeadlines(ctx, tx, deadlines); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossiers: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossiers: %w", err)
	}
	return ds, nil
}

// FindDossier returns the dossier with the ID or code ref, with its events
// in order. Returns ENOTFOUND.
func (db *DB) FindDossier(ctx context.Context, ref string) (d *motcua.Dossier, err error) {
	defer markUnavailable(&err)
	if db.d.roundTrips {
		d, _, err := readDossier(ctx, db.snapshots(), ref)
		return d, err
	}
	d, _, err = findDossier(ctx, db.snapshots(), ref, false)
	return d, err
}

// FindDossierJSON returns the stored API document of the dossier ref, one
// primary-key read; a dossier written before documents were kept is read
// and encoded. Returns ENOTFOUND.
func (db *DB) FindDossierJSON(ctx context.Context, ref string) (doc string, err error) {
	defer markUnavailable(&err)
	q := findDocByCodeQuery
	if motcua.IsDossierID(ref) {
		q = findDocByIDQuery
	}
	// Scanned into a string, the document is the one the driver copied
	// from the database.
	var stored sql.NullString
	err = db.snapshots().keyRow(ctx, q, ref).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", motcua.NotFound("dossier", ref)
	case err != nil:
		return "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
	case stored.Valid:
		return stored.String, nil
	}
	d, err := db.FindDossier(ctx, ref)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// ApplyAction performs an action on the dossier ref and returns it with
// its events. The action is computed on the dossier as read, its events
// chained to its head, and the change written in a transaction that
// concurrent calls share (group commit) only if the dossier's version is
// still the one read; a receipt, which draws a code, runs whole in the
// transaction with the row locked. Returns ENOTFOUND, EINVALID, EFORBIDDEN
// naming the role needed, or ECONFLICT naming the allowed actions in
// Params["allowed"] (or "stale_version" and "dossier_changed" when the
// dossier changed since the version the request names).
func (db *DB) ApplyAction(ctx context.Context, ref string, req motcua.ActionRequest) (d *motcua.Dossier, err error) {
	defer markUnavailable(&err)
	actor := actorFrom(ctx)
	// The change is computed on a snapshot, out of the committers, so
	// that reading, decoding and encoding run in parallel while a batch
	// commits; the committer only writes it, if the dossier has not
	// changed since. A dossier changed in between is read again, unless
	// the request named the version it saw.
	for attempt := 0; ; attempt++ {
		// The first attempt starts from the state this process last
		// wrote, when it has it and it is the version the request names.
		var from *snapshot
		if sn, ok := db.recent.get(ref); ok && attempt == 0 && (req.Version == 0 || req.Version == sn.d.Version) {
			from = &sn
		}
		c, err := computeChange(ctx, db.snapshots(), ref, req, actor, false, from)
		if errors.Is(err, errNeedsTransaction) {
			break
		} else if err != nil && from != nil {
			// Refused on a snapshot, which may be stale: ask again of
			// the dossier as stored.
			db.recent.drop(ref)
			continue
		} else if err != nil {
			return nil, err
		}
		if db.d.engine == EnginePostgres && !c.whole {
			// The change locks its dossier's rows only, which are its
			// key's: several go in one batch with one commit.
			err = db.enqueue(ctx, &op{key: c.d.ID, run: c.writeOne, change: c})
			if errors.Is(err, errStale) {
				err = c.stale(ctx, db)
			}
		} else {
			err = db.batched(ctx, "", c.write)
		}
		if errors.Is(err, errCalendarChanged) && attempt < 3 {
			// Build the current calendar, and compute again.
			if _, err := db.snapshots().calendar(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if motcua.ErrorCode(err) == motcua.ECONFLICT {
			db.recent.drop(ref)
			if req.Version == 0 && attempt < 3 || from != nil && attempt == 0 {
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		db.recent.put(c.d, c.d.Events[len(c.d.Events)-1].Hash, c.eventsJSON)
		return c.d, nil
	}
	// The dossier's row is locked before its agency's counter.
	err = db.batched(ctx, "", func(ctx context.Context, tx *txn) error {
		var err error
		d, err = applyAction(ctx, tx, ref, req, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func actorFrom(ctx context.Context) motcua.Actor {
	if a, ok := motcua.ActorFromContext(ctx); ok {
		return a
	}
	return motcua.SystemActor
}

// maxIdempotencyKey is the length limit of idempotency keys, in bytes.
const maxIdempotencyKey = 255

// idempotency is an idempotency key of an actor and the fingerprint of
// the input it came with.
type idempotency struct {
	actor       motcua.Actor
	key         string
	fingerprint string
}

const (
	findIdempotencyQuery = `SELECT fingerprint, dossier_id FROM idempotency_keys
		WHERE actor_kind = ? AND actor_id = ? AND key = ?`
	insertIdempotencyQuery = `INSERT INTO idempotency_keys (actor_kind, actor_id, key, fingerprint, dossier_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`
)

// replay returns the dossier created earlier with the key, and reports
// whether there was one. Returns ECONFLICT if the input differed.
func (k idempotency) replay(ctx context.Context, tx *txn) (*motcua.Dossier, bool, error) {
	var fingerprint, id string
	err := tx.queryRow(ctx, findIdempotencyQuery, k.actor.Kind, k.actor.ID, k.key).Scan(&fingerprint, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("sqlstore: find idempotency key: %w", err)
	}
	if fingerprint != k.fingerprint {
		return nil, false, &motcua.Error{Code: motcua.ECONFLICT, Reason: "idempotency_key_reused",
			Message: "This idempotency key was used for a different request.", Params: map[string]string{"key": k.key}}
	}
	d, _, err := findDossier(ctx, tx, id, false)
	return d, err == nil, err
}

// receipt is what the receipt of a dossier needs from the database: the
// version of the procedure in force and the agency (nil when unknown),
// whether the agency handles that version, and the calendar revision.
type receipt struct {
	procedure *motcua.Procedure
	agency    *motcua.Agency
	handled   bool
	revision  int64
	// next is when the next version of the procedure comes into force,
	// or nil.
	next *time.Time
}

// receiptQuery reads a receipt in one statement, when both the procedure
// and the agency exist.
const receiptQuery = `SELECT p.code, p.version, a.unit_code,
	EXISTS (SELECT 1 FROM procedure_agencies pa
		WHERE pa.procedure_code = p.code AND pa.procedure_version = p.version AND pa.agency_code = a.code),
	(SELECT revision FROM calendar_revision WHERE id = 1),
	(SELECT min(effective_from) FROM procedures n WHERE n.code = p.code AND n.effective_from > ?)
	FROM (SELECT code, version FROM procedures WHERE code = ? AND effective_from <= ?
		ORDER BY effective_from DESC, version DESC LIMIT 1) p
	CROSS JOIN agencies a WHERE a.code = ?`

// findReceipt reads the receipt of in at tx's time.
func findReceipt(ctx context.Context, tx *txn, in *motcua.DossierInput) (*receipt, error) {
	var r receipt
	if in.ProcedureCode != "" && in.AgencyCode != "" {
		var code string
		var version int
		a := motcua.Agency{Code: in.AgencyCode}
		err := tx.queryRow(ctx, receiptQuery, tx.now, in.ProcedureCode, tx.now, in.AgencyCode).Scan(&code, &version, &a.UnitCode, &r.handled, &r.revision, nullTime(&r.next))
		if err == nil {
			r.procedure, err = tx.procedureVersion(ctx, code, version)
			r.agency = &a
			return &r, err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("sqlstore: find procedure %s and agency %s: %w", in.ProcedureCode, in.AgencyCode, err)
		}
	}
	// One is unknown: find out which for the validation.
	var err error
	if in.ProcedureCode != "" {
		if r.procedure, err = findProcedureInForce(ctx, tx, in.ProcedureCode, tx.now); err != nil && motcua.ErrorCode(err) != motcua.ENOTFOUND {
			return nil, err
		}
	}
	if in.AgencyCode != "" {
		if r.agency, err = findAgency(ctx, tx, in.AgencyCode); err != nil && motcua.ErrorCode(err) != motcua.ENOTFOUND {
			return nil, err
		}
	}
	return &r, nil
}

// receiptEnv validates in against its receipt r and returns what
// computing its dossier by actor in tx needs.
func receiptEnv(ctx context.Context, tx *txn, in *motcua.DossierInput, r *receipt, actor motcua.Actor) (motcua.Env, error) {
	if err := in.ValidateWith(r.procedure, r.agency, r.handled); err != nil {
		return motcua.Env{}, err
	}
	s, err := tx.calendarAt(ctx, r.revision)
	if err != nil {
		return motcua.Env{}, err
	}
	return tx.env(ctx, actor, s)
}

func createDossier(ctx context.Context, tx *txn, in *motcua.DossierInput, actor motcua.Actor) (*motcua.Dossier, error) {
	r, err := findReceipt(ctx, tx, in)
	if err != nil {
		return nil, err
	}
	env, err := receiptEnv(ctx, tx, in, r, actor)
	if err != nil {
		return nil, err
	}
	d, deadlines, err := newDossier(ctx, tx, in, r, env)
	if err != nil {
		return nil, err
	}
	row, err := dossierRow(d)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	if err := insertDossier(ctx, tx, row, d.Events, deadlines); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	return d, nil
}

// insertDossier inserts a new dossier, row its values of
// dossierWriteColumns, with its events and deadlines: in one statement
// where the engine can, as one round trip costs more than the statement.
func insertDossier(ctx context.Context, tx *txn, row []any, events []*motcua.Event, deadlines []motcua.Deadline) error {
	if !tx.db.d.insertWith {
		if _, err := tx.exec(ctx, insertDossierQuery, row...); err != nil {
			return err
		}
		if err := insertEvents(ctx, tx, events); err != nil {
			return err
		}
		return insertDeadlines(ctx, tx, deadlines)
	}
	return insertDossiers(ctx, tx, [][]any{row}, events, deadlines)
}

// insertDossiers inserts new dossiers, rows their values of
// dossierWriteColumns, with their events and deadlines, a multi-row
// statement per table; on PostgreSQL one statement in all.
func insertDossiers(ctx context.Context, tx *txn, rows [][]any, events []*motcua.Event, deadlines []motcua.Deadline) error {
	values := func(q *strings.Builder, tuple string, n int) {
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tuple)
		}
	}
	var queue [][]any
	for _, dl := range deadlines {
		for _, k := range queueOf(dl) {
			queue = append(queue, k.row(dl.DossierID))
		}
	}
	type table struct {
		query string
		args  []any
	}
	var tables []table
	add := func(insert, tuple string, n int, row func(i int) []any) {
		if n == 0 {
			return
		}
		var q strings.Builder
		q.WriteString(insert)
		values(&q, tuple, n)
		var args []any
		for i := range n {
			args = append(args, row(i)...)
		}
		tables = append(tables, table{q.String(), args})
	}
	dossierTuple := insertDossierQuery[strings.LastIndex(insertDossierQuery, "("):]
	add(`INSERT INTO dossiers (`+dossierWriteColumns+`) VALUES `, dossierTuple, len(rows), func(i int) []any { return rows[i] })
	add(`INSERT INTO deadlines (`+deadlineColumns+`) VALUES `, deadlineTuple, len(deadlines), func(i int) []any { return deadlineRow(deadlines[i]) })
	add(`INSERT INTO deadline_queue (`+queueColumns+`) VALUES `, queueTuple, len(queue), func(i int) []any { return queue[i] })
	add(`INSERT INTO dossier_events (`+eventColumns+`) VALUES `, eventTuple, len(events), func(i int) []any { return eventRow(events[i]) })
	if !tx.db.d.insertWith {
		for _, t := range tables {
			if _, err := tx.exec(ctx, t.query, t.args...); err != nil {
				return err
			}
		}
		return nil
	}
	if len(rows) > 1 {
		return insertDossiersUnnest(ctx, tx, rows, events, deadlines, queue)
	}
	// The dossiers first, for the others refer to them; the events
	// last, as the statement's main part.
	var parts []string
	var args []any
	for _, t := range tables {
		parts = append(parts, t.query)
		args = append(args, t.args...)
	}
	_, err := tx.exec(ctx, withParts(parts, parts[len(parts)-1]), args...)
	return err
}

// Column types of the tables a receipt writes, on PostgreSQL, in the
// order of their column lists: text, integer or timestamptz.
const (
	dossierTypes  = "tttitttttttdddtddditttittitt"
	eventTypes    = "tittttdttttt"
	deadlineTypes = "tittttdd"
	queueTypes    = "dtitd"
)

// insertDossiersUnnest inserts several new dossiers on PostgreSQL in one
// statement whose text depends only on which tables it writes: each
// column is passed as an array and the rows are unnested. A statement
// that grew with its rows would be prepared, and kept by the server and
// the driver, once for every shape of batch.
func insertDossiersUnnest(ctx context.Context, tx *txn, rows [][]any, events []*motcua.Event, deadlines []motcua.Deadline, queue [][]any) error {
	type table struct {
		name, columns, types string
		rows                 [][]any
	}
	evs := make([][]any, len(events))
	for i, e := range events {
		evs[i] = eventRow(e)
	}
	dls := make([][]any, len(deadlines))
	for i, dl := range deadlines {
		dls[i] = deadlineRow(dl)
	}
	tables := []table{{"dossiers", dossierWriteColumns, dossierTypes, rows}}
	if len(deadlines) > 0 {
		tables = append(tables, table{"deadlines", deadlineColumns, deadlineTypes, dls},
			table{"deadline_queue", queueColumns, queueTypes, queue})
	}
	tables = append(tables, table{"dossier_events", eventColumns, eventTypes, evs})
	var parts []string
	var args []any
	for _, t := range tables {
		var q strings.Builder
		fmt.Fprintf(&q, "INSERT INTO %s (%s) SELECT * FROM unnest(", t.name, t.columns)
		for c, typ := range []byte(t.types) {
			if c > 0 {
				q.WriteString(", ")
			}
			col, err := columnArray(t.rows, c, typ)
			if err != nil {
				return fmt.Errorf("sqlstore: insert into %s: %w", t.name, err)
			}
			args = append(args, col)
			q.WriteString("?::" + map[byte]string{'t': "text[]", 'i': "bigint[]", 'd': "timestamptz[]"}[typ])
		}
		q.WriteString(")")
		parts = append(parts, q.String())
	}
	_, err := tx.exec(ctx, withParts(parts, parts[len(parts)-1]), args...)
	return err
}

// columnArray returns column c of rows as a slice of typ's Go type, NULLs
// as nil pointers.
func columnArray(rows [][]any, c int, typ byte) (any, error) {
	switch typ {
	case 't':
		col := make([]*string, len(rows))
		for i, r := range rows {
			switch v := r[c].(type) {
			case nil:
			case string:
				col[i] = &v
			default:
				return nil, fmt.Errorf("column %d: %T is not text", c, v)
			}
		}
		return col, nil
	case 'i':
		col := make([]*int64, len(rows))
		for i, r := range rows {
			var n int64
			switch v := r[c].(type) {
			case nil:
				continue
			case int:
				n = int64(v)
			case int64:
				n = v
			default:
				return nil, fmt.Errorf("column %d: %T is not an integer", c, v)
			}
			col[i] = &n
		}
		return col, nil
	default:
		col := make([]*time.Time, len(rows))
		for i, r := range rows {
			var t time.Time
			switch v := r[c].(type) {
			case nil:
				continue
			case *time.Time:
				if v == nil {
					continue
				}
				t = *v
			case time.Time:
				t = v
			default:
				return nil, fmt.Errorf("column %d: %T is not a time", c, v)
			}
			t = t.UTC().Truncate(time.Microsecond)
			col[i] = &t
		}
		return col, nil
	}
}

// newDossier makes the dossier of valid input, following the process in
// force for its procedure and agency, with its chained events and its
// deadlines.
func newDossier(ctx context.Context, tx *txn, in *motcua.DossierInput, r *receipt, env motcua.Env) (*motcua.Dossier, []motcua.Deadline, error) {
	p, err := tx.processFor(ctx, r.procedure, in.AgencyCode)
	if err != nil {
		return nil, nil, err
	}
	out, err := workflow.New(in, r.procedure, p, r.agency.UnitCode, env)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	motcua.Chain("", out.Events)
	d := out.Dossier
	d.Events = out.Events
	return d, out.Deadlines, nil
}

// change is an action on a dossier computed from the dossier as read at
// version: the new state with its whole history, the events to append,
// and the deadlines before and after.
type change struct {
	d        *motcua.Dossier
	version  int
	events   []*motcua.Event
	was, now []motcua.Deadline
	// whole rewrites the deadlines: the dossier had no tasks, so its rows
	// may be of another shape.
	whole bool
	// state holds the values of updateDossierQuery's SET clause, encoded
	// before the change reaches a committer, which then only writes;
	// eventsJSON the JSON of the new state's events, for the next change.
	state      []any
	eventsJSON eventsJSON
	// revision is that of the legal calendar the change was computed
	// with.
	revision int64
}

// errNeedsTransaction is returned by computeChange, out of a write
// transaction, for an action that needs one to compute: a receipt, which
// draws the next dossier code.
var errNeedsTransaction = errors.New("the action needs a write transaction")

// computeChange reads the dossier ref in tx (locking it when lock is set),
// or starts from the snapshot from when not nil, and computes the action
// req by actor on it. Out of a write transaction (tx.Tx nil) an action
// that draws a code fails with errNeedsTransaction.
func computeChange(ctx context.Context, tx *txn, ref string, req motcua.ActionRequest, actor motcua.Actor, lock bool, from *snapshot) (*change, error) {
	var d *motcua.Dossier
	var head string
	var err error
	if from != nil {
		d, head = from.d, from.head
	} else if tx.Tx == nil && tx.db.d.engine == EnginePostgres {
		// PostgreSQL, out of a transaction: one statement, one round
		// trip.
		d, head, err = readDossier(ctx, tx, ref)
	} else {
		d, head, err = findDossier(ctx, tx, ref, lock)
	}
	if err != nil {
		return nil, err
	}
	proc, err := tx.procedureVersion(ctx, d.ProcedureCode, d.ProcedureVersion)
	if err != nil {
		return nil, err
	}
	p, err := tx.pinnedProcess(ctx, d, proc)
	if err != nil {
		return nil, err
	}
	if tx.Tx == nil && tx.db.d.engine == EnginePostgres {
		// The calendar this process built last, without a round trip:
		// writeOne writes the change only if it is still current.
		tx.cal = tx.db.cal.Load()
	}
	s, err := tx.calendar(ctx)
	if err != nil {
		return nil, err
	}
	env, err := tx.env(ctx, actor, s)
	if err != nil {
		return nil, err
	}
	if tx.Tx == nil {
		env.NextCode = func(string, time.Time) (string, error) { return "", errNeedsTransaction }
	}
	c := &change{version: d.Version, whole: len(d.Tasks) == 0, revision: s.revision}
	if !c.whole {
		if c.was, err = workflow.Deadlines(p, d, s.cal); err != nil {
			return nil, err
		}
	}
	events := slices.Clip(d.Events)
	out, err := workflow.Apply(p, proc, d, req, env)
	if err != nil {
		return nil, err
	}
	motcua.Chain(head, out.Events)
	c.d, c.events, c.now = out.Dossier, out.Events, out.Deadlines
	c.d.Events = append(events, out.Events...)
	var prior eventsJSON
	if from != nil {
		prior = from.events
	}
	if c.state, c.eventsJSON, err = dossierStateFrom(c.d, c.d.Events[len(c.d.Events)-1].Hash, prior); err != nil {
		return nil, fmt.Errorf("sqlstore: apply %s to %s: %w", req.Action, c.d.ID, err)
	}
	return c, nil
}

// write writes the change in tx: the dossier's row, if it is still at
// the version read (ECONFLICT "dossier_changed" otherwise), its new events
// and its deadlines.
func (c *change) write(ctx context.Context, tx *txn) error {
	d := c.d
	if err := updateDossier(ctx, tx, d.ID, c.state, c.version); err != nil {
		return err
	}
	if err := insertEvents(ctx, tx, c.events); err != nil {
		return fmt.Errorf("sqlstore: apply %s to %s: %w", c.events[0].Action, d.ID, err)
	}
	var err error
	if c.whole {
		err = writeDeadlines(ctx, tx, d.ID, c.now)
	} else {
		err = syncDeadlines(ctx, tx, d.ID, c.was, c.now)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: apply %s to %s: %w", c.events[0].Action, d.ID, err)
	}
	return nil
}

// errCalendarChanged reports that the legal calendar changed after a
// change was computed with it.
var errCalendarChanged = errors.New("sqlstore: the legal calendar changed")

// errStale reports that a change written by writeOne found its dossier
// changed, or the legal calendar, since it was computed.
var errStale = errors.New("sqlstore: the dossier or the calendar changed")

// writeOne writes the change on PostgreSQL in tx as one statement — the
// dossier's row if it is still at the version read, its events and its
// deadlines — so that an action costs one round trip in its batch. When
// the row has changed, or the legal calendar since the revision the
// change was computed with, the statement fails whole: its final division
// by the number of rows updated, times the number of calendar revisions
// still at c's, divides by zero (and the events' key is taken by the
// other change's events anyway). Returns errStale then, which stale tells
// apart once the batch has ended.
func (c *change) writeOne(ctx context.Context, tx *txn) error {
	s := c.statement()
	if _, err := tx.exec(ctx, s.q, s.args...); err != nil {
		return c.failed(err)
	}
	return nil
}

// failed returns the error of c's statement that failed with err.
func (c *change) failed(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "22012" || pe.Code == "23505") {
		return errStale
	}
	return fmt.Errorf("sqlstore: apply %s to %s: %w", c.events[0].Action, c.d.ID, err)
}

// statement returns writeOne's statement.
func (c *change) statement() statement {
	d := c.d
	parts := []string{updateDossierQuery + ` RETURNING 1`}
	args := append(slices.Clip(c.state), d.ID, c.version)
	var b strings.Builder
	b.WriteString(`INSERT INTO dossier_events (` + eventColumns + `) VALUES `)
	for i, e := range c.events {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(eventTuple)
		args = append(args, eventRow(e)...)
	}
	parts = append(parts, b.String())
	dparts, dargs := diffDeadlines(c.was, c.now).parts(d.ID)
	parts = append(parts, dparts...)
	args = append(args, dargs...)
	q := withParts(parts, `SELECT 1 / ((SELECT count(*) FROM w0) *
		(SELECT count(*) FROM calendar_revision WHERE id = 1 AND revision = ?))::integer`)
	return statement{q, append(args, c.revision)}
}

// stale returns the error of c, whose write found its dossier or the
// legal calendar changed: errCalendarChanged if the calendar's revision
// is no longer c's, else ECONFLICT "dossier_changed".
func (c *change) stale(ctx context.Context, db *DB) error {
	var rev int64
	if err := db.read.QueryRowContext(ctx, calendarRevisionQuery).Scan(&rev); err != nil {
		return fmt.Errorf("sqlstore: read the calendar revision: %w", err)
	}
	if rev != c.revision {
		return errCalendarChanged
	}
	return motcua.Errorf(motcua.ECONFLICT, "dossier_changed", "Dossier %s was changed by someone else; reload it and try again.", c.d.ID)
}

// applyAction performs an action on the dossier ref within tx, the row
// locked.
func applyAction(ctx context.Context, tx *txn, ref string, req motcua.ActionRequest, actor motcua.Actor) (*motcua.Dossier, error) {
	c, err := computeChange(ctx, tx, ref, req, actor, true, nil)
	if err != nil {
		return nil, err
	}
	tx.db.recent.drop(ref)
	if err := c.write(ctx, tx); err != nil {
		return nil, err
	}
	return c.d, nil
}

// env is what a change of a dossier in tx needs: the transaction's time,
// the actor, the legal calendar of s, the directory of units and agencies,
// and codes from the transaction's counters.
func (tx *txn) env(ctx context.Context, actor motcua.Actor, s *calendarState) (motcua.Env, error) {
	dir, err := tx.db.directory(ctx, tx)
	if err != nil {
		return motcua.Env{}, err
	}
	return motcua.Env{
		Now:       tx.now,
		Actor:     actor,
		Calendar:  s.cal,
		Directory: dir,
		NextCode: func(agency string, receivedAt time.Time) (string, error) {
			return tx.drawCode(ctx, agency, receivedAt)
		},
	}, nil
}

// reservedCodes are dossier numbers reserved in a transaction, for the day
// of its time: at each agency, those after next[agency] up to
// last[agency].
type reservedCodes struct {
	day        time.Time
	next, last map[string]int
}

// reserveCodes reserves counts[agency] numbers at each agency for the day
// of tx's time, advancing and locking every counter in one statement per
// 500 agencies, in code order.
func reserveCodes(ctx context.Context, tx *txn, counts map[string]int) (*reservedCodes, error) {
	c := &reservedCodes{day: tx.now.In(tx.db.loc), next: map[string]int{}, last: map[string]int{}}
	day := c.day.Format(time.DateOnly)
	for agencies := range slices.Chunk(slices.Sorted(maps.Keys(counts)), 500) {
		var args []any
		for _, a := range agencies {
			args = append(args, a, day, counts[a])
		}
		rows, err := tx.query(ctx, `INSERT INTO dossier_counters (agency_code, day, last) VALUES `+
			strings.Repeat("(?, ?, ?), ", len(agencies)-1)+`(?, ?, ?)
			ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_counters.last + excluded.last
			RETURNING agency_code, last`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: reserve dossier codes: %w", err)
		}
		for rows.Next() {
			var a string
			var last int
			if err := rows.Scan(&a, &last); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: reserve dossier codes: %w", err)
			}
			c.next[a], c.last[a] = last-counts[a], last
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("sqlstore: reserve dossier codes: %w", err)
		}
	}
	return c, nil
}

// has reports whether c holds a number left for a receipt at agency at
// at.
func (c *reservedCodes) has(agency string, at time.Time) bool {
	y, m, d := at.In(c.day.Location()).Date()
	cy, cm, cd := c.day.Date()
	return c.next[agency] < c.last[agency] && y == cy && m == cm && d == cd
}

// draw is a motcua.Env's NextCode drawing from the reserved numbers.
func (c *reservedCodes) draw(agency string, at time.Time) (string, error) {
	day := at.In(c.day.Location())
	if c.next[agency] == c.last[agency] || day.Format(time.DateOnly) != c.day.Format(time.DateOnly) {
		return "", fmt.Errorf("sqlstore: no dossier code reserved at %s on %s", agency, day.Format(time.DateOnly))
	}
	c.next[agency]++
	return formatCode(agency, day, c.next[agency]), nil
}

// giveBack returns the numbers left unused to the counters, which tx
// still holds locked.
func (c *reservedCodes) giveBack(ctx context.Context, tx *txn) error {
	day := c.day.Format(time.DateOnly)
	for a, n := range c.next {
		if n == c.last[a] {
			continue
		}
		q := `UPDATE dossier_counters SET last = ? WHERE agency_code = ? AND day = ?`
		args := []any{n, a, day}
		if n == 0 {
			q, args = `DELETE FROM dossier_counters WHERE agency_code = ? AND day = ?`, args[1:]
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlstore: give back dossier codes of %s: %w", a, err)
		}
	}
	return nil
}

const nextCodeQuery = `INSERT INTO dossier_counters (agency_code, day, last) VALUES (?, ?, 1)
	ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_counters.last + 1
	RETURNING last`

// nextCode assigns the next dossier code of agency for a receipt at at:
// <agency>-<YYMMDD>-<NNNN>, numbered from 1 each day in Asia/Ho_Chi_Minh.
// The counter row stays locked until the transaction ends, so numbers are
// unique and without gaps across processes, and a rollback gives the
// number back.
func nextCode(ctx context.Context, tx *txn, agency string, at time.Time) (string, error) {
	day := at.In(tx.db.loc)
	var n int
	err := tx.queryRow(ctx, nextCodeQuery, agency, day.Format(time.DateOnly)).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("sqlstore: count dossiers of %s: %w", agency, err)
	}
	return formatCode(agency, day, n), nil
}

// formatCode returns the code of the nth dossier received at agency on
// day, a time in Asia/Ho_Chi_Minh.
func formatCode(agency string, day time.Time, n int) string {
	return fmt.Sprintf("%s-%s-%04d", agency, day.Format("060102"), n)
}

// A dossier's due-time explanation and its flow (tasks, pauses, extension,
// payment) are kept only in its document: the columns due_explanation and
// flow, which held them before, are read only for rows written before
// documents were kept, and written empty, which halves the row an action
// rewrites.
const (
	dossierColumns = `id, code, procedure_code, procedure_version, agency_code, unit_code, channel,
	applicant, form, attachments, status, submitted_at, received_at, due_at, due_explanation,
	finished_at, returned_at, paused_at, remaining_us, resume_status, supplement_items,
	refusal_reasons, version, head_hash, process_code, process_version, flow, doc`
	findDossierByIDQuery   = `SELECT ` + dossierColumns + ` FROM dossiers WHERE id = ?`
	findDossierByCodeQuery = `SELECT ` + dossierColumns + ` FROM dossiers WHERE code = ?`
	// dossierWriteColumns are the columns written.
	dossierWriteColumns = dossierColumns
	insertDossierQuery  = `INSERT INTO dossiers (` + dossierWriteColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updateDossierQuery = `UPDATE dossiers SET code = ?, status = ?, received_at = ?, due_at = ?,
		due_explanation = ?, finished_at = ?, returned_at = ?, paused_at = ?, remaining_us = ?, resume_status = ?,
		supplement_items = ?, refusal_reasons = ?, version = ?, head_hash = ?, process_code = ?,
		process_version = ?, flow = ?, doc = ?
		WHERE id = ? AND version = ?`
	findDocByIDQuery   = `SELECT doc FROM dossiers WHERE id = ?`
	findDocByCodeQuery = `SELECT doc FROM dossiers WHERE code = ?`
)

// findDossier returns the dossier with the ID or code ref, with its
// events, and the hash of its last event. With lock, the row stays locked
// until the transaction ends.
func findDossier(ctx context.Context, tx *txn, ref string, lock bool) (*motcua.Dossier, string, error) {
	q := findDossierByCodeQuery
	if motcua.IsDossierID(ref) {
		q = findDossierByIDQuery
	}
	if lock {
		q += tx.db.d.forUpdate
	}
	var ds dossierScan
	err := tx.queryRow(ctx, q, ref).Scan(ds.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", motcua.NotFound("dossier", ref)
	} else if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
	}
	d, err := ds.dossier()
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
	}
	if d.Events, err = findEvents(ctx, tx, d.ID, d.Version); err != nil {
		return nil, "", err
	}
	return d, ds.head, nil
}

// Queries of a dossier with its events in one statement: the dossier's
// row, then its events', each with NULL for the other's columns.
const (
	readDossierByIDQuery = `SELECT 0 AS k, ` + dossierColumns + `, ` + eventNulls + ` FROM dossiers WHERE id = ?
		UNION ALL SELECT 1, ` + dossierNulls + `, ` + eventColumns + ` FROM dossier_events WHERE dossier_id = ?
		ORDER BY k, seq`
	readDossierByCodeQuery = `SELECT 0 AS k, ` + dossierColumns + `, ` + eventNulls + ` FROM dossiers WHERE code = ?
		UNION ALL SELECT 1, ` + dossierNulls + `, ` + eventColumns + ` FROM dossier_events
		WHERE dossier_id = (SELECT id FROM dossiers WHERE code = ?)
		ORDER BY k, seq`
	dossierNulls = `NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`
	eventNulls = `NULL, NULL AS seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`
)

// readDossier returns the dossier with the ID or code ref with its events,
// and the hash of its last event, read with one statement rather than
// findDossier's two. Returns ENOTFOUND.
func readDossier(ctx context.Context, tx *txn, ref string) (*motcua.Dossier, string, error) {
	q := readDossierByCodeQuery
	if motcua.IsDossierID(ref) {
		q = readDossierByIDQuery
	}
	rows, err := tx.query(ctx, q, ref, ref)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
	}
	defer rows.Close()
	var k int
	var skip sql.RawBytes
	var ds dossierScan
	var es eventScan
	dossierDest, eventDest := ds.dest(), es.dest()
	skips := func(n int) []any {
		s := make([]any, n)
		for i := range s {
			s[i] = &skip
		}
		return s
	}
	dest := slices.Concat([]any{&k}, dossierDest, skips(len(eventDest)))
	var d *motcua.Dossier
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
		}
		if d != nil {
			d.Events = append(d.Events, es.event())
			continue
		}
		if d, err = ds.dossier(); err != nil {
			return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
		}
		d.Events = make([]*motcua.Event, 0, d.Version)
		dest = slices.Concat([]any{&k}, skips(len(dossierDest)), eventDest)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
	}
	if d == nil {
		return nil, "", motcua.NotFound("dossier", ref)
	}
	return d, ds.head, nil
}

// dossierScan receives the dossierColumns of a row.
type dossierScan struct {
	d                                                  motcua.Dossier
	code, dueExplanation                               sql.NullString
	applicant, form, attachments, items, reasons, head string
	remaining                                          int64
	flow                                               string
	doc                                                sql.NullString
}

func (s *dossierScan) dest() []any {
	d := &s.d
	return []any{&d.ID, &s.code, &d.ProcedureCode, &d.ProcedureVersion, &d.AgencyCode,
		&d.UnitCode, &d.Channel, &s.applicant, &s.form, &s.attachments, &d.Status, scanTime{&d.SubmittedAt},
		nullTime(&d.ReceivedAt), nullTime(&d.DueAt), &s.dueExplanation, nullTime(&d.FinishedAt),
		nullTime(&d.ReturnedAt), nullTime(&d.PausedAt), &s.remaining, &d.ResumeStatus, &s.items, &s.reasons,
		&d.Version, &s.head, &d.Process, &d.ProcessVersion, &s.flow, &s.doc}
}

// dossier returns the dossier scanned, with its JSON columns decoded.
func (s *dossierScan) dossier() (*motcua.Dossier, error) {
	d := s.d
	d.Code = s.code.String
	d.Form = json.RawMessage(s.form)
	d.Remaining = time.Duration(s.remaining) * time.Microsecond
	for _, f := range []struct {
		src string
		dst any
	}{
		{s.applicant, &d.Applicant}, {s.attachments, &d.Attachments}, {s.items, &d.SupplementItems},
		{s.reasons, &d.RefusalReasons},
	} {
		if f.src == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, err
		}
	}
	if s.doc.Valid {
		if err := decodeDocState(&d, s.doc.String); err != nil {
			return nil, err
		}
		return &d, nil
	}
	if s.dueExplanation.Valid {
		if err := json.Unmarshal([]byte(s.dueExplanation.String), &d.DueExplanation); err != nil {
			return nil, err
		}
	}
	if err := decodeFlow(&d, s.flow); err != nil {
		return nil, err
	}
	return &d, nil
}

// docState is what a dossier's document holds of its state and no column
// does: its due time's explanation and its flow.
type docState struct {
	DueExplanation *motcua.Due `json:"due_explanation"`
	flowDoc
}

// decodeDocState sets d's due-time explanation and flow from its document.
func decodeDocState(d *motcua.Dossier, doc string) error {
	var s docState
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		return fmt.Errorf("decode document: %w", err)
	}
	d.DueExplanation = s.DueExplanation
	d.Tasks, d.Pauses, d.Extension, d.Payment = s.Tasks, s.Pauses, s.Extension, s.Payment
	return nil
}

// findEvents returns the events of a dossier up to its version: those of
// the dossier row read, even when it was read in another snapshot.
func findEvents(ctx context.Context, tx *txn, dossierID string, version int) ([]*motcua.Event, error) {
	rows, err := tx.query(ctx, findEventsQuery, dossierID, version)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find events of %s: %w", dossierID, err)
	}
	defer rows.Close()
	events := make([]*motcua.Event, 0, version)
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find events of %s: %w", dossierID, err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find events of %s: %w", dossierID, err)
	}
	return events, nil
}

const (
	eventColumns = `dossier_id, seq, action, actor_kind, actor_id, actor_name, at, from_status, to_status,
	payload, prev_hash, hash`
	findEventsQuery  = `SELECT ` + eventColumns + ` FROM dossier_events WHERE dossier_id = ? AND seq <= ? ORDER BY seq`
	eventTuple       = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertEventQuery = `INSERT INTO dossier_events (` + eventColumns + `) VALUES ` + eventTuple
)

// eventScan receives the eventColumns of a row.
type eventScan struct {
	e       motcua.Event
	payload string
}

func (s *eventScan) dest() []any {
	e := &s.e
	return []any{&e.DossierID, &e.Seq, &e.Action, &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name,
		scanTime{&e.At}, &e.FromStatus, &e.ToStatus, &s.payload, &e.PrevHash, &e.Hash}
}

// event returns the event scanned.
func (s *eventScan) event() *motcua.Event {
	e := s.e
	e.Payload = json.RawMessage(s.payload)
	return &e
}

// scanEvent scans the eventColumns of a row, and the columns after them
// into extra.
func scanEvent(s interface{ Scan(...any) error }, extra ...any) (*motcua.Event, error) {
	var es eventScan
	if err := s.Scan(append(es.dest(), extra...)...); err != nil {
		return nil, err
	}
	return es.event(), nil
}

// dossierState returns the values of the columns that actions change, in
// the order of updateDossierQuery, for d whose last event has the hash
// head; d.Events must hold its whole history, for the document.
func dossierState(d *motcua.Dossier, head string) ([]any, error) {
	state, _, err := dossierStateFrom(d, head, eventsJSON{})
	return state, err
}

// eventsJSON is the JSON of a dossier's first n events as its document
// holds them: each event's encoding, separated by commas.
type eventsJSON struct {
	b []byte
	n int
}

// encodeDocument returns d's API document, the encoding of d, and the
// JSON of its events; prior, the JSON of its first events, is reused
// rather than encoded again. Events are the last member of the
// document, so the document is d's encoding without them, its closing
// brace replaced by the events.
func encodeDocument(d *motcua.Dossier, prior eventsJSON) ([]byte, eventsJSON, error) {
	if prior.n > len(d.Events) {
		prior = eventsJSON{}
	}
	evs := eventsJSON{b: slices.Clip(prior.b), n: prior.n}
	for _, e := range d.Events[prior.n:] {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, eventsJSON{}, err
		}
		if evs.n > 0 {
			evs.b = append(evs.b, ',')
		}
		evs.b = append(evs.b, b...)
		evs.n++
	}
	c := *d
	c.Events = nil
	doc, err := json.Marshal(&c)
	if err != nil || evs.n == 0 {
		return doc, evs, err
	}
	out := make([]byte, 0, len(doc)+len(evs.b)+12)
	out = append(out, doc[:len(doc)-1]...)
	out = append(out, `,"events":[`...)
	out = append(out, evs.b...)
	out = append(out, "]}"...)
	return out, evs, nil
}

// dossierStateFrom is dossierState reusing prior, the JSON of d's first
// events, and returns the JSON of all of them too.
func dossierStateFrom(d *motcua.Dossier, head string, prior eventsJSON) ([]any, eventsJSON, error) {
	var code any
	if d.Code != "" {
		code = d.Code
	}
	items, err := json.Marshal(d.SupplementItems)
	if err != nil {
		return nil, eventsJSON{}, err
	}
	reasons, err := json.Marshal(d.RefusalReasons)
	if err != nil {
		return nil, eventsJSON{}, err
	}
	doc, evs, err := encodeDocument(d, prior)
	if err != nil {
		return nil, eventsJSON{}, err
	}
	d.Document = doc // what the store answers with, unless the write fails
	// The explanation and the flow are in the document only.
	return []any{code, string(d.Status), d.ReceivedAt, d.DueAt, nil, d.FinishedAt, d.ReturnedAt, d.PausedAt,
		d.Remaining.Microseconds(), string(d.ResumeStatus), string(items), string(reasons), d.Version, head,
		d.Process, d.ProcessVersion, noFlow, string(doc)}, evs, nil
}

// dossierRow returns the values of dossierWriteColumns for a new dossier
// with its events.
func dossierRow(d *motcua.Dossier) ([]any, error) {
	applicant, err := json.Marshal(d.Applicant)
	if err != nil {
		return nil, err
	}
	attachments, err := json.Marshal(nonNil(d.Attachments))
	if err != nil {
		return nil, err
	}
	state, err := dossierState(d, d.Events[len(d.Events)-1].Hash)
	if err != nil {
		return nil, err
	}
	return append([]any{d.ID, state[0], d.ProcedureCode, d.ProcedureVersion, d.AgencyCode, d.UnitCode, d.Channel,
		string(applicant), string(d.Form), string(attachments), state[1], d.SubmittedAt}, state[2:]...), nil
}

// updateDossier writes state, the values of updateDossierQuery's SET
// clause, to the dossier id read at version. Returns ECONFLICT if the row
// changed since.
func updateDossier(ctx context.Context, tx *txn, id string, state []any, version int) error {
	res, err := tx.exec(ctx, updateDossierQuery, append(slices.Clip(state), id, version)...)
	if err != nil {
		return fmt.Errorf("sqlstore: update dossier %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: update dossier %s: %w", id, err)
	} else if n != 1 {
		return motcua.Errorf(motcua.ECONFLICT, "dossier_changed", "Dossier %s was changed by someone else; reload it and try again.", id)
	}
	return nil
}

func insertEvents(ctx context.Context, tx *txn, events []*motcua.Event) error {
	for _, e := range events {
		if _, err := tx.exec(ctx, insertEventQuery, eventRow(e)...); err != nil {
			return err
		}
	}
	return nil
}

// eventRow returns the values of eventColumns for e.
func eventRow(e *motcua.Event) []any {
	return []any{e.DossierID, e.Seq, e.Action, e.Actor.Kind, e.Actor.ID, e.Actor.Name,
		e.At, string(e.FromStatus), string(e.ToStatus), string(e.Payload), e.PrevHash, e.Hash}
}

// FindDossiers returns the dossiers agency f.Agency received in [f.From,
// f.To), in receipt order, without their events. Returns ETOOLARGE when there
// are more than motcua.MaxRegister.
func (db *DB) FindDossiers(ctx context.Context, f motcua.DossierFilter) (ds []*motcua.Dossier, err error) {
	defer markUnavailable(&err)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.query(ctx, `SELECT `+dossierColumns+` FROM dossiers
		WHERE agency_code = ? AND received_at >= ? AND received_at < ? ORDER BY received_at, code LIMIT ?`,
		f.Agency, f.From.UTC(), f.To.UTC(), motcua.MaxRegister+1)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find dossiers of %s: %w", f.Agency, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s dossierScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("sqlstore: find dossiers of %s: %w", f.Agency, err)
		}
		d, err := s.dossier()
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find dossiers of %s: %w", f.Agency, err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find dossiers of %s: %w", f.Agency, err)
	}
	if len(ds) > motcua.MaxRegister {
		return nil, motcua.Errorf(motcua.ETOOLARGE, "too_many_dossiers",
			"The period holds more than %d dossiers; choose a shorter one.", motcua.MaxRegister)
	}
	return ds, nil
}
