package motcua

import (
	"context"
	"encoding/json"
)

// AuditSubject names a person in the audit log: the records they made
// (their actor kind and ID) and the records about them, whose object is
// one of Objects exactly or one of them followed by a space and more
// ("dossier:X" also selects "dossier:X form:01").
type AuditSubject struct {
	ActorKind string
	ActorID   string
	Objects   []string
}

// PersonalDataService reads what is held about one person, for the
// download Decree 13/2023/NĐ-CP entitles them to.
type PersonalDataService interface {
	// FindDossiersOfPerson returns the documents (the JSON of
	// FindDossierJSON) of the dossiers whose applicant's identification
	// number is idNumber, the most recently submitted first, at most
	// limit of them. An empty idNumber matches nothing.
	FindDossiersOfPerson(ctx context.Context, idNumber string, limit int) ([]json.RawMessage, error)
	// FindSessions returns the stored sessions of the subject of kind,
	// the newest first, at most limit of them.
	FindSessions(ctx context.Context, kind, subject string, limit int) ([]*Session, error)
	// FindStaff returns the staff member id without credentials.
	// Returns ENOTFOUND.
	FindStaff(ctx context.Context, id string) (*Staff, error)
	// FindAuditAbout returns the last limit audit records of s, in Seq
	// order.
	FindAuditAbout(ctx context.Context, s AuditSubject, limit int) ([]*AuditRecord, error)
}
