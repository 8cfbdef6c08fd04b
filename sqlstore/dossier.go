package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"motcua"
)

// CreateDossier validates and stores a new dossier with its first events,
// in one transaction that also assigns its code when it is received. The
// procedure version in force now is pinned, and the dossier belongs to the
// unit of the receiving agency. The actor is the one carried by ctx, or
// motcua.SystemActor.
//
// When idempotencyKey is not empty and the actor used it before with the
// same input, it returns the dossier created then and replay true; with
// different input it returns ECONFLICT. Concurrent requests with one key
// create one dossier. Returns EINVALID listing every bad field, including
// unknown procedures and agencies; nothing is written then.
func (db *DB) CreateDossier(ctx context.Context, in *motcua.DossierInput, idempotencyKey string) (*motcua.Dossier, bool, error) {
	if len(idempotencyKey) > maxIdempotencyKey {
		var fs motcua.Fields
		fs.Add("idempotency_key", motcua.FieldTooLong, "an idempotency key has at most 255 bytes")
		return nil, false, fs.Err()
	}
	in.Normalize()
	b, err := json.Marshal(in)
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	sum := sha256.Sum256(b)
	key := idempotency{actor: actorFrom(ctx), key: idempotencyKey, fingerprint: hex.EncodeToString(sum[:])}

	d, replay, err := db.createDossier(ctx, in, key)
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
	return d, replay, nil
}

func (db *DB) createDossier(ctx context.Context, in *motcua.DossierInput, key idempotency) (*motcua.Dossier, bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	if key.key != "" {
		if d, found, err := key.replay(ctx, tx); found || err != nil {
			return d, found, err
		}
	}
	d, err := createDossier(ctx, tx, in, key.actor)
	if err != nil {
		return nil, false, err
	}
	if key.key != "" {
		if _, err := tx.exec(ctx, insertIdempotencyQuery, key.actor.Kind, key.actor.ID, key.key, key.fingerprint, d.ID, tx.now); err != nil {
			return nil, false, fmt.Errorf("sqlstore: record idempotency key: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	return d, false, nil
}

// FindDossier returns the dossier with the ID or code ref, with its events
// in order. Returns ENOTFOUND.
func (db *DB) FindDossier(ctx context.Context, ref string) (*motcua.Dossier, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, _, err := findDossier(ctx, tx, ref, false)
	return d, err
}

// ApplyAction performs an action on the dossier ref and returns it with
// its events. The dossier row is locked, the new event chained to its
// head and both written in one transaction. Returns ENOTFOUND, EINVALID,
// or ECONFLICT naming the allowed actions in Params["allowed"].
func (db *DB) ApplyAction(ctx context.Context, ref string, req motcua.ActionRequest) (*motcua.Dossier, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := applyAction(ctx, tx, ref, req, actorFrom(ctx))
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlstore: apply %s to %s: %w", req.Action, ref, err)
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

func createDossier(ctx context.Context, tx *txn, in *motcua.DossierInput, actor motcua.Actor) (*motcua.Dossier, error) {
	var p *motcua.Procedure
	var a *motcua.Agency
	var err error
	if in.ProcedureCode != "" {
		if p, err = findProcedureInForce(ctx, tx, in.ProcedureCode, tx.now); err != nil && motcua.ErrorCode(err) != motcua.ENOTFOUND {
			return nil, err
		}
	}
	if in.AgencyCode != "" {
		if a, err = findAgency(ctx, tx, in.AgencyCode); err != nil && motcua.ErrorCode(err) != motcua.ENOTFOUND {
			return nil, err
		}
	}
	handled := false
	if p != nil && a != nil {
		if handled, err = handles(ctx, tx, p, a.Code); err != nil {
			return nil, err
		}
	}
	if err := in.ValidateWith(p, a, handled); err != nil {
		return nil, err
	}
	env, err := tx.env(ctx, actor)
	if err != nil {
		return nil, err
	}
	d, events, err := motcua.NewDossier(in, p, a.UnitCode, env)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	motcua.Chain("", events)
	d.Events = events
	if err := insertDossier(ctx, tx, d); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	if err := insertEvents(ctx, tx, events); err != nil {
		return nil, fmt.Errorf("sqlstore: create dossier: %w", err)
	}
	return d, nil
}

func applyAction(ctx context.Context, tx *txn, ref string, req motcua.ActionRequest, actor motcua.Actor) (*motcua.Dossier, error) {
	d, head, err := findDossier(ctx, tx, ref, true)
	if err != nil {
		return nil, err
	}
	p, err := findProcedureVersion(ctx, tx, d.ProcedureCode, d.ProcedureVersion)
	if err != nil {
		return nil, err
	}
	env, err := tx.env(ctx, actor)
	if err != nil {
		return nil, err
	}
	version := d.Version
	e, err := d.Apply(req, p, env)
	if err != nil {
		return nil, err
	}
	motcua.Chain(head, []*motcua.Event{e})
	if err := updateDossier(ctx, tx, d, version, e.Hash); err != nil {
		return nil, err
	}
	if err := insertEvents(ctx, tx, []*motcua.Event{e}); err != nil {
		return nil, fmt.Errorf("sqlstore: apply %s to %s: %w", req.Action, d.ID, err)
	}
	d.Events = append(d.Events, e)
	return d, nil
}

// env is what a change of a dossier in tx needs: the transaction's time,
// the actor, the legal calendar as of the transaction, and codes from the
// transaction's counters.
func (tx *txn) env(ctx context.Context, actor motcua.Actor) (motcua.Env, error) {
	s, err := tx.calendar(ctx)
	if err != nil {
		return motcua.Env{}, err
	}
	return motcua.Env{
		Now:      tx.now,
		Actor:    actor,
		Calendar: s.cal,
		NextCode: func(agency string, receivedAt time.Time) (string, error) {
			return nextCode(ctx, tx, agency, receivedAt)
		},
	}, nil
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
	return fmt.Sprintf("%s-%s-%04d", agency, day.Format("060102"), n), nil
}

const (
	dossierColumns = `id, code, procedure_code, procedure_version, agency_code, unit_code, channel,
	applicant, form, attachments, status, submitted_at, received_at, due_at, due_explanation,
	finished_at, returned_at, paused_at, remaining_us, resume_status, supplement_items,
	refusal_reasons, version, head_hash`
	findDossierByIDQuery   = `SELECT ` + dossierColumns + ` FROM dossiers WHERE id = ?`
	findDossierByCodeQuery = `SELECT ` + dossierColumns + ` FROM dossiers WHERE code = ?`
	insertDossierQuery     = `INSERT INTO dossiers (` + dossierColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updateDossierQuery = `UPDATE dossiers SET code = ?, status = ?, received_at = ?, due_at = ?,
		due_explanation = ?, finished_at = ?, returned_at = ?, paused_at = ?, remaining_us = ?, resume_status = ?,
		supplement_items = ?, refusal_reasons = ?, version = ?, head_hash = ?
		WHERE id = ? AND version = ?`
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
	var d motcua.Dossier
	var code, dueExplanation sql.NullString
	var applicant, form, attachments, items, reasons, head string
	var remaining int64
	err := tx.queryRow(ctx, q, ref).Scan(&d.ID, &code, &d.ProcedureCode, &d.ProcedureVersion, &d.AgencyCode,
		&d.UnitCode, &d.Channel, &applicant, &form, &attachments, &d.Status, scanTime{&d.SubmittedAt},
		nullTime(&d.ReceivedAt), nullTime(&d.DueAt), &dueExplanation, nullTime(&d.FinishedAt),
		nullTime(&d.ReturnedAt), nullTime(&d.PausedAt), &remaining, &d.ResumeStatus, &items, &reasons,
		&d.Version, &head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", motcua.NotFound("dossier", ref)
	} else if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
	}
	d.Code = code.String
	d.Form = json.RawMessage(form)
	d.Remaining = time.Duration(remaining) * time.Microsecond
	for _, f := range []struct {
		src string
		dst any
	}{
		{applicant, &d.Applicant}, {attachments, &d.Attachments}, {items, &d.SupplementItems},
		{reasons, &d.RefusalReasons}, {dueExplanation.String, &d.DueExplanation},
	} {
		if f.src == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, "", fmt.Errorf("sqlstore: find dossier %s: %w", ref, err)
		}
	}
	if d.Events, err = findEvents(ctx, tx, d.ID); err != nil {
		return nil, "", err
	}
	return &d, head, nil
}

func findEvents(ctx context.Context, tx *txn, dossierID string) ([]*motcua.Event, error) {
	rows, err := tx.query(ctx, findEventsQuery, dossierID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find events of %s: %w", dossierID, err)
	}
	defer rows.Close()
	var events []*motcua.Event
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
	findEventsQuery  = `SELECT ` + eventColumns + ` FROM dossier_events WHERE dossier_id = ? ORDER BY seq`
	insertEventQuery = `INSERT INTO dossier_events (` + eventColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

func scanEvent(s interface{ Scan(...any) error }, extra ...any) (*motcua.Event, error) {
	var e motcua.Event
	var payload string
	dest := append([]any{&e.DossierID, &e.Seq, &e.Action, &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name,
		scanTime{&e.At}, &e.FromStatus, &e.ToStatus, &payload, &e.PrevHash, &e.Hash}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	e.Payload = json.RawMessage(payload)
	return &e, nil
}

// dossierState returns the values of the columns that actions change, in
// the order of updateDossierQuery, for d whose last event has the hash
// head.
func dossierState(d *motcua.Dossier, head string) ([]any, error) {
	var code, due any
	if d.Code != "" {
		code = d.Code
	}
	if d.DueExplanation != nil {
		b, err := json.Marshal(d.DueExplanation)
		if err != nil {
			return nil, err
		}
		due = string(b)
	}
	items, err := json.Marshal(d.SupplementItems)
	if err != nil {
		return nil, err
	}
	reasons, err := json.Marshal(d.RefusalReasons)
	if err != nil {
		return nil, err
	}
	return []any{code, string(d.Status), d.ReceivedAt, d.DueAt, due, d.FinishedAt, d.ReturnedAt, d.PausedAt,
		d.Remaining.Microseconds(), string(d.ResumeStatus), string(items), string(reasons), d.Version, head}, nil
}

func insertDossier(ctx context.Context, tx *txn, d *motcua.Dossier) error {
	applicant, err := json.Marshal(d.Applicant)
	if err != nil {
		return err
	}
	attachments, err := json.Marshal(nonNil(d.Attachments))
	if err != nil {
		return err
	}
	state, err := dossierState(d, d.Events[len(d.Events)-1].Hash)
	if err != nil {
		return err
	}
	args := append([]any{d.ID, state[0], d.ProcedureCode, d.ProcedureVersion, d.AgencyCode, d.UnitCode, d.Channel,
		string(applicant), string(d.Form), string(attachments), state[1], d.SubmittedAt}, state[2:]...)
	_, err = tx.exec(ctx, insertDossierQuery, args...)
	return err
}

// updateDossier writes the state of a dossier read at version, whose last
// event now has the hash head. Returns ECONFLICT if the row changed since.
func updateDossier(ctx context.Context, tx *txn, d *motcua.Dossier, version int, head string) error {
	state, err := dossierState(d, head)
	if err != nil {
		return fmt.Errorf("sqlstore: update dossier %s: %w", d.ID, err)
	}
	res, err := tx.exec(ctx, updateDossierQuery, append(state, d.ID, version)...)
	if err != nil {
		return fmt.Errorf("sqlstore: update dossier %s: %w", d.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: update dossier %s: %w", d.ID, err)
	} else if n != 1 {
		return motcua.Errorf(motcua.ECONFLICT, "dossier_changed", "Dossier %s was changed by someone else; reload it and try again.", d.ID)
	}
	return nil
}

func insertEvents(ctx context.Context, tx *txn, events []*motcua.Event) error {
	for _, e := range events {
		if _, err := tx.exec(ctx, insertEventQuery, e.DossierID, e.Seq, e.Action, e.Actor.Kind, e.Actor.ID, e.Actor.Name,
			e.At, string(e.FromStatus), string(e.ToStatus), string(e.Payload), e.PrevHash, e.Hash); err != nil {
			return err
		}
	}
	return nil
}
