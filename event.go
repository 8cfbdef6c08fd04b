package motcua

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// Event is one entry of a dossier's append-only history. Each event carries
// the hash of the previous event of its dossier (PrevHash, empty for the
// first) and its own Hash over a canonical encoding, so an edited, inserted,
// removed or truncated history is detected.
type Event struct {
	DossierID  string          `json:"-"`
	Seq        int             `json:"seq"`
	Action     string          `json:"action"`
	Actor      Actor           `json:"actor"`
	At         time.Time       `json:"at"`
	FromStatus Status          `json:"from_status"`
	ToStatus   Status          `json:"to_status"`
	Payload    json.RawMessage `json:"payload"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// ComputeHash returns the hash of the event's canonical encoding: its
// fields in a fixed order, each prefixed with its length in bytes, times in
// UTC at microsecond precision, under SHA-256 in hexadecimal. The encoding
// is the same on every storage engine.
func (e *Event) ComputeHash() string {
	return canonicalHash("motcua.event.v1", e.DossierID, strconv.Itoa(e.Seq), e.Action, e.Actor.Kind, e.Actor.ID,
		e.Actor.Name, FormatTime(e.At), string(e.FromStatus), string(e.ToStatus), string(e.Payload), e.PrevHash)
}

// canonicalHash returns, in hexadecimal, the SHA-256 of fields in order,
// each written as its length in bytes, a colon, itself and a newline: the
// canonical encoding of every hash chain (events, checkpoints, the audit
// log), the same on every storage engine.
func canonicalHash(fields ...string) string {
	h := sha256.New()
	var buf []byte
	for _, s := range fields {
		buf = strconv.AppendInt(buf[:0], int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Chain links events to the head of a chain: it sets each event's
// PrevHash and Hash in order, starting after prevHash ("" for a new
// dossier).
func Chain(prevHash string, events []*Event) {
	for _, e := range events {
		e.At = e.At.UTC().Truncate(time.Microsecond)
		e.PrevHash = prevHash
		e.Hash = e.ComputeHash()
		prevHash = e.Hash
	}
}

// Head is the last event of one dossier's chain.
type Head struct {
	DossierID string
	Seq       int
	Hash      string
}

// HeadsHash returns the hash of a set of chain heads, in dossier ID order.
// The slice is sorted in place.
func HeadsHash(heads []Head) string {
	sort.Slice(heads, func(i, j int) bool { return heads[i].DossierID < heads[j].DossierID })
	h := sha256.New()
	for _, hd := range heads {
		h.Write([]byte(hd.DossierID + " " + strconv.Itoa(hd.Seq) + " " + hd.Hash + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Checkpoint records the heads of every dossier chain as of the event with
// ID LastEventID (events are numbered in insertion order across
// dossiers). Checkpoints form a chain of their own through PrevHash, so a
// removed or edited checkpoint is detected too.
type Checkpoint struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	LastEventID int64     `json:"last_event_id"`
	Dossiers    int       `json:"dossiers"`
	HeadsHash   string    `json:"heads_hash"`
	PrevHash    string    `json:"prev_hash"`
	Hash        string    `json:"hash"`
}

// ComputeHash returns the hash of the checkpoint's canonical encoding.
func (c *Checkpoint) ComputeHash() string {
	return canonicalHash("motcua.checkpoint.v1", strconv.FormatInt(c.ID, 10), FormatTime(c.At),
		strconv.FormatInt(c.LastEventID, 10), strconv.Itoa(c.Dossiers), c.HeadsHash, c.PrevHash)
}

// VerifyReport is the result of checking every dossier chain and the
// checkpoints. OK is true when no problem was found; Problems lists them in
// the order found, the first broken link of each dossier first.
type VerifyReport struct {
	OK         bool           `json:"ok"`
	Dossiers   int            `json:"dossiers"`
	Events     int            `json:"events"`
	Checkpoint *Checkpoint    `json:"checkpoint,omitempty"`
	Problems   []ChainProblem `json:"problems"`
}

// ChainProblem names a broken link.
type ChainProblem struct {
	Kind        string `json:"kind"`
	DossierID   string `json:"dossier_id,omitempty"`
	DossierCode string `json:"dossier_code,omitempty"`
	Seq         int    `json:"seq,omitempty"`
	Message     string `json:"message"`
}

// Kinds of chain problems.
const (
	ProblemEdited       = "edited"        // an event's content no longer matches its hash
	ProblemBrokenLink   = "broken_link"   // an event's prev_hash is not the previous event's hash
	ProblemGap          = "gap"           // a sequence number is missing: an event was deleted
	ProblemTruncated    = "truncated"     // the chain ends before the dossier's recorded head
	ProblemHeadMismatch = "head_mismatch" // the dossier row's state does not match its chain
	ProblemCheckpoint   = "checkpoint"    // the heads no longer match a checkpoint
	ProblemDocument     = "document"      // the stored API document shows a history other than the chain's
)

// VerifyService checks the tamper-evident history.
type VerifyService interface {
	// VerifyDossiers checks every dossier chain and the checkpoints.
	VerifyDossiers(ctx context.Context) (*VerifyReport, error)
	// Checkpoint records the current heads of every chain, if any changed
	// since the last checkpoint, and returns the latest checkpoint (nil if
	// there are no events).
	Checkpoint(ctx context.Context) (*Checkpoint, error)
}
