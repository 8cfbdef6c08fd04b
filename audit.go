package motcua

import (
	"context"
	"strconv"
	"time"
)

// Audit actions: what an audit record says happened.
const (
	AuditSignIn         = "sign_in"
	AuditSignInFailed   = "sign_in_failed"
	AuditSignOut        = "sign_out"
	AuditPasswordChange = "password_change"
	AuditPasswordReset  = "password_reset"
	AuditTOTPChange     = "totp_change"
	AuditStaffChange    = "staff_change"
	AuditProcessChange  = "process_change"
	AuditCalendarChange = "calendar_change"
	AuditClientChange   = "client_change"
	AuditPersonalView   = "personal_data_view"
	AuditExport         = "export"
	AuditAdminToken     = "admin_token_use"
	AuditAccessDenied   = "access_denied"
	// AuditCitizenRegister is a local citizen account's registration.
	AuditCitizenRegister = "citizen_register"
	// AuditRetention records a purge of personal data past its
	// retention period (Retention), with the counts.
	AuditRetention = "retention_purge"
)

// AuditRecord is one entry of the append-only audit log. Records are
// numbered from 1 in the order they are appended; each carries the hash
// of the one before it, so an edited, inserted or deleted record breaks
// the chain at that record.
type AuditRecord struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Action string    `json:"action"`
	// Object names what the action was on: "staff:an.nv",
	// "dossier:000.00.01.H26-250310-0001", "citizen:…".
	Object string `json:"object,omitempty"`
	// Outcome is "ok", "denied" or "failed".
	Outcome  string `json:"outcome"`
	IP       string `json:"ip,omitempty"`
	Detail   string `json:"detail,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Audit outcomes.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)

// ComputeHash returns the hash of the record's canonical encoding, in the
// manner of Event.ComputeHash: its fields in a fixed order, each prefixed
// with its length, the time in UTC at microsecond precision, under
// SHA-256 in hexadecimal.
func (r *AuditRecord) ComputeHash() string {
	return canonicalHash("motcua.audit.v1", strconv.FormatInt(r.Seq, 10), FormatTime(r.At), r.Actor.Kind, r.Actor.ID,
		r.Actor.Name, r.Action, r.Object, r.Outcome, r.IP, r.Detail, r.PrevHash)
}

// AuditFilter selects audit records.
type AuditFilter struct {
	After   int64 // records with a greater Seq
	Action  string
	ActorID string
	Object  string
	From    time.Time // At at or after, when set
	To      time.Time // At before, when set
	Limit   int       // 100 when zero, 1000 at most
}

// AuditReport is the result of checking the audit chain.
type AuditReport struct {
	Records int64 `json:"records"`
	// Broken lists the records where the chain breaks, in order, each
	// with what is wrong: "edited" (its hash does not match its
	// content), "inserted or deleted" (its previous hash is not the hash
	// of the record before it), "missing" (a gap in the numbering).
	Broken []AuditBreak `json:"broken,omitempty"`
}

// AuditBreak is one place where the audit chain breaks.
type AuditBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// AuditService keeps the audit log.
type AuditService interface {
	// Audit appends records, in order, to the chain, setting each one's
	// Seq, PrevHash and Hash. It returns only once they are stored.
	Audit(ctx context.Context, records ...*AuditRecord) error
	// FindAudit returns records in Seq order.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditRecord, error)
	// VerifyAudit checks the whole chain.
	VerifyAudit(ctx context.Context) (*AuditReport, error)
}
