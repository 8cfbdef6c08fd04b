package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"motcua"
)

// Checkpoint records the heads of every dossier chain as of the last
// committed event, if events were added since the latest checkpoint, and
// returns the latest checkpoint (nil if there are no events). Concurrent
// calls, from any number of processes, record each checkpoint once.
func (db *DB) Checkpoint(ctx context.Context) (c *motcua.Checkpoint, err error) {
	defer markUnavailable(&err)
	last, err := db.d.committedEventID(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: checkpoint: %w", err)
	}
	// Events up to last are committed and never change, so their heads can
	// be read outside the transaction that records them.
	rtx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer rtx.Rollback()
	prev, err := latestCheckpoint(ctx, rtx)
	if err != nil || last == 0 || prev != nil && prev.LastEventID >= last {
		return prev, err
	}
	heads, err := headsAsOf(ctx, rtx, last)
	if err != nil {
		return nil, err
	}
	rtx.Rollback()

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := db.d.lock(ctx, tx, lockCheckpoints); err != nil {
		return nil, fmt.Errorf("sqlstore: checkpoint: %w", err)
	}
	c, err = insertCheckpoint(ctx, tx, last, heads)
	if err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

const checkpointColumns = `id, at, last_event_id, dossiers, heads_hash, prev_hash, hash`

func scanCheckpoint(s interface{ Scan(...any) error }) (*motcua.Checkpoint, error) {
	var c motcua.Checkpoint
	if err := s.Scan(&c.ID, scanTime{&c.At}, &c.LastEventID, &c.Dossiers, &c.HeadsHash, &c.PrevHash, &c.Hash); err != nil {
		return nil, err
	}
	return &c, nil
}

func latestCheckpoint(ctx context.Context, tx *txn) (*motcua.Checkpoint, error) {
	c, err := scanCheckpoint(tx.queryRow(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: latest checkpoint: %w", err)
	}
	return c, nil
}

// headsAsOf returns the head of each dossier chain as of the event with
// ID last: the event with the highest sequence number among those with an
// ID up to last.
func headsAsOf(ctx context.Context, tx *txn, last int64) (map[string]motcua.Head, error) {
	rows, err := tx.query(ctx, `SELECT e.dossier_id, e.seq, e.hash FROM dossier_events e
		JOIN (SELECT dossier_id, MAX(seq) AS seq FROM dossier_events WHERE id <= ? GROUP BY dossier_id) h
		ON h.dossier_id = e.dossier_id AND h.seq = e.seq`, last)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: chain heads: %w", err)
	}
	defer rows.Close()
	heads := map[string]motcua.Head{}
	for rows.Next() {
		var h motcua.Head
		if err := rows.Scan(&h.DossierID, &h.Seq, &h.Hash); err != nil {
			return nil, fmt.Errorf("sqlstore: chain heads: %w", err)
		}
		heads[h.DossierID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: chain heads: %w", err)
	}
	return heads, nil
}

// insertCheckpoint records heads, the heads as of event last, as the
// checkpoint after the latest one, unless that one covers last already.
// Besides the hash of all heads, it stores the heads of the dossiers that
// changed since the previous checkpoint.
func insertCheckpoint(ctx context.Context, tx *txn, last int64, heads map[string]motcua.Head) (*motcua.Checkpoint, error) {
	prev, err := latestCheckpoint(ctx, tx)
	if err != nil || prev != nil && prev.LastEventID >= last {
		return prev, err
	}
	c := &motcua.Checkpoint{ID: 1, At: tx.now, LastEventID: last, Dossiers: len(heads)}
	if prev != nil {
		c.ID, c.PrevHash = prev.ID+1, prev.Hash
	}
	list := make([]motcua.Head, 0, len(heads))
	for _, h := range heads {
		list = append(list, h)
	}
	c.HeadsHash = motcua.HeadsHash(list)
	c.Hash = c.ComputeHash()
	if _, err := tx.exec(ctx, `INSERT INTO checkpoints (`+checkpointColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.At, c.LastEventID, c.Dossiers, c.HeadsHash, c.PrevHash, c.Hash); err != nil {
		return nil, fmt.Errorf("sqlstore: record checkpoint: %w", err)
	}
	var after int64
	if prev != nil {
		after = prev.LastEventID
	}
	rows, err := tx.query(ctx, `SELECT DISTINCT dossier_id FROM dossier_events WHERE id > ? AND id <= ?`, after, last)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: changed chains: %w", err)
	}
	defer rows.Close()
	var changed [][]any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: changed chains: %w", err)
		}
		if h, ok := heads[id]; ok {
			changed = append(changed, []any{c.ID, h.DossierID, h.Seq, h.Hash})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: changed chains: %w", err)
	}
	rows.Close()
	if err := insertRows(ctx, tx, "checkpoint_heads", "checkpoint_id, dossier_id, seq, hash", changed); err != nil {
		return nil, fmt.Errorf("sqlstore: record checkpoint heads: %w", err)
	}
	return c, nil
}

// VerifyDossiers checks every dossier chain and the checkpoints, in one
// snapshot of the database, streaming the events.
//
// For each dossier it reports the first broken link: a missing sequence
// number (ProblemGap), an event not linked to the one before
// (ProblemBrokenLink), an event whose content no longer matches its hash
// (ProblemEdited), a chain that ends before the head the dossier row
// records (ProblemTruncated) or that does not match the row
// (ProblemHeadMismatch), and events without a dossier row. It then checks
// that the checkpoints form an unbroken chain and that the heads as of the
// latest one are those it recorded (ProblemCheckpoint), which catches a
// history truncated together with its dossier row, or a dossier removed
// with its events.
func (db *DB) VerifyDossiers(ctx context.Context) (report *motcua.VerifyReport, err error) {
	defer markUnavailable(&err)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	v := &verifier{report: &motcua.VerifyReport{Problems: []motcua.ChainProblem{}}}
	if err := v.checkpoints(ctx, tx); err != nil {
		return nil, err
	}
	if err := v.chains(ctx, tx); err != nil {
		return nil, err
	}
	if err := v.emptyDossiers(ctx, tx); err != nil {
		return nil, err
	}
	if err := v.documents(ctx, tx); err != nil {
		return nil, err
	}
	v.checkpointHeads()
	v.report.OK = len(v.report.Problems) == 0
	return v.report, nil
}

// verifier holds the state of one VerifyDossiers.
type verifier struct {
	report *motcua.VerifyReport
	// latest is the latest checkpoint and recorded the heads it covers,
	// rebuilt from checkpoint_heads; each is removed once its chain is
	// read.
	latest   *motcua.Checkpoint
	recorded map[string]motcua.Head
	// heads are the actual heads as of the latest checkpoint.
	heads []motcua.Head
	// headProblems counts the problems found with recorded heads.
	headProblems int
}

func (v *verifier) problem(kind, dossierID, code string, seq int, format string, args ...any) {
	v.report.Problems = append(v.report.Problems, motcua.ChainProblem{
		Kind: kind, DossierID: dossierID, DossierCode: code, Seq: seq, Message: fmt.Sprintf(format, args...)})
}

// checkpoints checks the chain of checkpoints and reads the heads recorded
// up to the latest.
func (v *verifier) checkpoints(ctx context.Context, tx *txn) error {
	rows, err := tx.query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlstore: verify checkpoints: %w", err)
	}
	defer rows.Close()
	var prev *motcua.Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return fmt.Errorf("sqlstore: verify checkpoints: %w", err)
		}
		switch {
		case c.Hash != c.ComputeHash():
			v.problem(motcua.ProblemCheckpoint, "", "", 0, "checkpoint %d was edited: its content does not match its hash", c.ID)
		case prev == nil && (c.ID != 1 || c.PrevHash != ""):
			v.problem(motcua.ProblemCheckpoint, "", "", 0, "checkpoint %d is the first one left: the checkpoints before it were removed", c.ID)
		case prev != nil && (c.ID != prev.ID+1 || c.PrevHash != prev.Hash):
			v.problem(motcua.ProblemCheckpoint, "", "", 0, "checkpoint %d does not follow checkpoint %d: a checkpoint was removed or edited", c.ID, prev.ID)
		case prev != nil && c.LastEventID < prev.LastEventID:
			v.problem(motcua.ProblemCheckpoint, "", "", 0, "checkpoint %d covers fewer events than checkpoint %d", c.ID, prev.ID)
		}
		prev = c
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: verify checkpoints: %w", err)
	}
	rows.Close()
	if prev == nil {
		return nil
	}
	v.latest, v.report.Checkpoint = prev, prev

	rows, err = tx.query(ctx, `SELECT dossier_id, seq, hash FROM checkpoint_heads
		WHERE checkpoint_id <= ? ORDER BY checkpoint_id`, prev.ID)
	if err != nil {
		return fmt.Errorf("sqlstore: verify checkpoint heads: %w", err)
	}
	defer rows.Close()
	v.recorded = map[string]motcua.Head{}
	for rows.Next() {
		var h motcua.Head
		if err := rows.Scan(&h.DossierID, &h.Seq, &h.Hash); err != nil {
			return fmt.Errorf("sqlstore: verify checkpoint heads: %w", err)
		}
		v.recorded[h.DossierID] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: verify checkpoint heads: %w", err)
	}
	list := make([]motcua.Head, 0, len(v.recorded))
	for _, h := range v.recorded {
		list = append(list, h)
	}
	if motcua.HeadsHash(list) != prev.HeadsHash {
		v.problem(motcua.ProblemCheckpoint, "", "", 0, "the heads recorded for checkpoint %d do not match its hash", prev.ID)
		v.headProblems++
	}
	return nil
}

// chain is what is known of one dossier while its events stream by.
type chain struct {
	id, code       string
	row            bool // the dossier row exists
	status         motcua.Status
	version        int
	head           string
	last           *motcua.Event
	broken         bool
	asOfCheckpoint *motcua.Head
}

// chains streams every event in chain order and checks each chain.
func (v *verifier) chains(ctx context.Context, tx *txn) error {
	rows, err := tx.query(ctx, `SELECT e.dossier_id, e.seq, e.action, e.actor_kind, e.actor_id, e.actor_name,
		e.at, e.from_status, e.to_status, e.payload, e.prev_hash, e.hash,
		e.id, d.id, d.code, d.status, d.version, d.head_hash
		FROM dossier_events e LEFT JOIN dossiers d ON d.id = e.dossier_id
		ORDER BY e.dossier_id, e.seq`)
	if err != nil {
		return fmt.Errorf("sqlstore: verify chains: %w", err)
	}
	defer rows.Close()
	var c *chain
	for rows.Next() {
		var id int64
		var rowID, code, status, head sql.NullString
		var version sql.NullInt64
		e, err := scanEvent(rows, &id, &rowID, &code, &status, &version, &head)
		if err != nil {
			return fmt.Errorf("sqlstore: verify chains: %w", err)
		}
		if c == nil || c.id != e.DossierID {
			v.finish(c)
			c = &chain{id: e.DossierID, code: code.String, row: rowID.Valid, status: motcua.Status(status.String),
				version: int(version.Int64), head: head.String}
		}
		v.report.Events++
		v.link(c, e)
		if v.latest != nil && id <= v.latest.LastEventID {
			c.asOfCheckpoint = &motcua.Head{DossierID: e.DossierID, Seq: e.Seq, Hash: e.Hash}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: verify chains: %w", err)
	}
	v.finish(c)
	return nil
}

// link checks that e follows the events of c read so far.
func (v *verifier) link(c *chain, e *motcua.Event) {
	prev := c.last
	c.last = e
	if c.broken {
		return
	}
	want, prevHash := 1, ""
	if prev != nil {
		want, prevHash = prev.Seq+1, prev.Hash
	}
	c.broken = true
	switch {
	case e.Seq > want:
		v.problem(motcua.ProblemGap, c.id, c.code, want, "event %d is missing: the chain goes from %d to %d", want, want-1, e.Seq)
	case e.Seq < want:
		v.problem(motcua.ProblemGap, c.id, c.code, e.Seq, "event %d is out of order", e.Seq)
	case e.PrevHash != prevHash:
		v.problem(motcua.ProblemBrokenLink, c.id, c.code, e.Seq, "event %d does not link to event %d: an event was inserted, removed or rewritten", e.Seq, want-1)
	case e.Hash != e.ComputeHash():
		v.problem(motcua.ProblemEdited, c.id, c.code, e.Seq, "event %d was edited: its content does not match its hash", e.Seq)
	default:
		c.broken = false
	}
}

// finish checks the end of a chain against its dossier row and the
// latest checkpoint.
func (v *verifier) finish(c *chain) {
	if c == nil {
		return
	}
	last := c.last
	switch {
	case !c.row:
		v.problem(motcua.ProblemHeadMismatch, c.id, "", last.Seq, "the dossier has events but no dossier row: the dossier was removed")
	case c.broken:
	case last.Seq < c.version:
		v.problem(motcua.ProblemTruncated, c.id, c.code, last.Seq+1, "the chain ends at event %d but the dossier records %d events", last.Seq, c.version)
	case last.Seq != c.version || last.Hash != c.head || last.ToStatus != c.status:
		v.problem(motcua.ProblemHeadMismatch, c.id, c.code, last.Seq, "the dossier row (version %d, status %s) does not match its last event %d (status %s)",
			c.version, c.status, last.Seq, last.ToStatus)
	}
	if c.row {
		v.report.Dossiers++
	}
	if v.latest == nil {
		return
	}
	if c.asOfCheckpoint != nil {
		v.heads = append(v.heads, *c.asOfCheckpoint)
	}
	rec, ok := v.recorded[c.id]
	delete(v.recorded, c.id)
	switch got := c.asOfCheckpoint; {
	case ok && got == nil:
		v.checkpointProblem(c.id, c.code, rec.Seq, "checkpoint %d recorded event %d of the dossier, which is gone", v.latest.ID, rec.Seq)
	case ok && (got.Seq != rec.Seq || got.Hash != rec.Hash):
		v.checkpointProblem(c.id, c.code, rec.Seq, "checkpoint %d recorded the chain up to event %d, but it now ends at event %d there or was rewritten",
			v.latest.ID, rec.Seq, got.Seq)
	case !ok && got != nil:
		v.checkpointProblem(c.id, c.code, got.Seq, "checkpoint %d did not record this dossier, which had events before it", v.latest.ID)
	}
}

func (v *verifier) checkpointProblem(id, code string, seq int, format string, args ...any) {
	v.problem(motcua.ProblemCheckpoint, id, code, seq, format, args...)
	v.headProblems++
}

// emptyDossiers reports dossier rows without events.
func (v *verifier) emptyDossiers(ctx context.Context, tx *txn) error {
	rows, err := tx.query(ctx, `SELECT id, code, version FROM dossiers d
		WHERE NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id) ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlstore: verify dossiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var code sql.NullString
		var version int
		if err := rows.Scan(&id, &code, &version); err != nil {
			return fmt.Errorf("sqlstore: verify dossiers: %w", err)
		}
		v.report.Dossiers++
		v.problem(motcua.ProblemTruncated, id, code.String, 1, "the dossier has no events but records %d", version)
		if rec, ok := v.recorded[id]; ok {
			delete(v.recorded, id)
			v.checkpointProblem(id, code.String, rec.Seq, "checkpoint %d recorded the chain up to event %d, but the dossier has no events now", v.latest.ID, rec.Seq)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: verify dossiers: %w", err)
	}
	return nil
}

// checkpointHeads reports the dossiers the latest checkpoint recorded that
// have no events any more, and compares the actual heads with its hash.
func (v *verifier) checkpointHeads() {
	if v.latest == nil {
		return
	}
	for _, id := range slices.Sorted(maps.Keys(v.recorded)) {
		rec := v.recorded[id]
		v.checkpointProblem(id, "", rec.Seq, "checkpoint %d recorded the dossier up to event %d, but the dossier and its events are gone", v.latest.ID, rec.Seq)
	}
	if v.headProblems == 0 && motcua.HeadsHash(v.heads) != v.latest.HeadsHash {
		v.checkpointProblem("", "", 0, "the chain heads no longer match checkpoint %d", v.latest.ID)
	}
}

// documents checks the API document stored with each dossier row: its
// events must form a valid chain of their own that ends at the row's head,
// so a look-up cannot show a history other than the one the chains
// verified.
func (v *verifier) documents(ctx context.Context, tx *txn) error {
	rows, err := tx.query(ctx, `SELECT id, code, version, head_hash, doc FROM dossiers WHERE doc IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlstore: verify documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, head, doc string
		var code sql.NullString
		var version int
		if err := rows.Scan(&id, &code, &version, &head, &doc); err != nil {
			return fmt.Errorf("sqlstore: verify documents: %w", err)
		}
		var d motcua.Dossier
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			v.problem(motcua.ProblemDocument, id, code.String, 0, "the stored document is not valid JSON")
			continue
		}
		if d.ID != id || d.Version != version || len(d.Events) != version {
			v.problem(motcua.ProblemDocument, id, code.String, 0, "the stored document describes dossier %s at version %d with %d events, not this row at version %d",
				d.ID, d.Version, len(d.Events), version)
			continue
		}
		prev := ""
		for i, e := range d.Events {
			e.DossierID = id
			if e.Seq != i+1 || e.PrevHash != prev || e.Hash != e.ComputeHash() {
				v.problem(motcua.ProblemDocument, id, code.String, i+1, "event %d of the stored document was edited", i+1)
				prev = head
				break
			}
			prev = e.Hash
		}
		if prev != head {
			v.problem(motcua.ProblemDocument, id, code.String, version, "the stored document ends at another event than the dossier's head")
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: verify documents: %w", err)
	}
	return nil
}
