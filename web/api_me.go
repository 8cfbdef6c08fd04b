package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"motcua"
)

// Bounds of a personal data download: the most recent dossiers, sessions
// and audit records it holds. The document says when a list was cut.
const (
	personalDossiers = 1000
	personalSessions = 1000
	personalAudit    = 10_000
)

// personalData is what motcua holds about the caller (Decree
// 13/2023/NĐ-CP): a citizen's profile, the dossiers whose applicant has
// their identification number, their sessions and the audit records by
// or about them; a staff member's profile with grants, sessions and audit
// records. Never a credential, a token or its hash.
type personalData struct {
	GeneratedAt time.Time `json:"generated_at"`
	Kind        string    `json:"kind"` // motcua.ActorCitizen or motcua.ActorOfficer
	// Citizen is a citizen's profile, and IdentityProvider who vouched
	// for it.
	Citizen          *motcua.Citizen   `json:"citizen,omitempty"`
	IdentityProvider *identityProvider `json:"identity_provider,omitempty"`
	// Staff is a staff member's profile, with their grants.
	Staff *motcua.Staff `json:"staff,omitempty"`
	// Dossiers are a citizen's, the most recently submitted first, as the
	// API shows them.
	Dossiers          []json.RawMessage     `json:"dossiers"`
	DossierLimit      int                   `json:"dossier_limit"`
	DossiersTruncated bool                  `json:"dossiers_truncated"`
	Sessions          []personalSession     `json:"sessions"`
	Audit             []*motcua.AuditRecord `json:"audit"`
	AuditLimit        int                   `json:"audit_limit"`
	AuditTruncated    bool                  `json:"audit_truncated"`
}

// identityProvider is who a citizen is at their identity provider.
type identityProvider struct {
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
}

// personalSession is a session as the download shows it: no token, hash
// or CSRF token.
type personalSession struct {
	Kind       string    `json:"kind"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	MFA        bool      `json:"mfa"`
}

// notAPerson is the error of a caller that is no person: the
// administrator token (or an API client, which permit refuses first).
func notAPerson() error {
	return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "not_a_person",
		Message: "Only a signed-in citizen or staff member has personal data to download; the administrator token and API clients have none."}
}

// getMyData answers with what motcua holds about the caller, as a JSON
// attachment, and audits the export before sending it.
func (s *Server) getMyData(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	ctx := r.Context()
	doc := personalData{GeneratedAt: s.clock.Now(), Kind: c.actor.Kind, Dossiers: []json.RawMessage{},
		DossierLimit: personalDossiers, AuditLimit: personalAudit}
	var subject motcua.AuditSubject
	var sessionKind, object string
	switch c.actor.Kind {
	case motcua.ActorCitizen:
		cit, err := s.store.FindCitizen(ctx, c.actor.ID)
		if err != nil {
			return err
		}
		doc.Citizen, doc.IdentityProvider = cit, &identityProvider{Issuer: cit.Issuer, Subject: cit.Subject}
		docs, err := s.store.FindDossiersOfPerson(ctx, c.actor.Person, personalDossiers+1)
		if err != nil {
			return err
		}
		if len(docs) > personalDossiers {
			docs, doc.DossiersTruncated = docs[:personalDossiers], true
		}
		doc.Dossiers = docs
		object, sessionKind = "citizen:"+cit.ID, motcua.SessionCitizen
		subject = motcua.AuditSubject{ActorKind: motcua.ActorCitizen, ActorID: cit.ID, Objects: []string{object}}
		for _, d := range docs {
			// The views and exports of each dossier are audited under its
			// code once it has one, under its ID before.
			var ref struct{ ID, Code string }
			if err := json.Unmarshal(d, &ref); err != nil {
				return fmt.Errorf("personal data: read a dossier's reference: %w", err)
			}
			subject.Objects = append(subject.Objects, "dossier:"+ref.ID)
			if ref.Code != "" {
				subject.Objects = append(subject.Objects, "dossier:"+ref.Code)
			}
		}
	case motcua.ActorOfficer:
		st, err := s.store.FindStaff(ctx, c.actor.ID)
		if err != nil {
			return err
		}
		doc.Staff = st
		object, sessionKind = "staff:"+st.ID, motcua.SessionStaff
		subject = motcua.AuditSubject{ActorKind: motcua.ActorOfficer, ActorID: st.ID, Objects: []string{object}}
	default:
		return notAPerson()
	}
	sessions, err := s.store.FindSessions(ctx, sessionKind, c.actor.ID, personalSessions)
	if err != nil {
		return err
	}
	doc.Sessions = make([]personalSession, len(sessions))
	for i, ss := range sessions {
		doc.Sessions[i] = personalSession{Kind: ss.Kind, CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt,
			ExpiresAt: ss.ExpiresAt, IP: ss.IP, UserAgent: ss.UserAgent, MFA: ss.MFA}
	}
	recs, err := s.store.FindAuditAbout(ctx, subject, personalAudit+1)
	if err != nil {
		return err
	}
	if len(recs) > personalAudit {
		recs, doc.AuditTruncated = recs[len(recs)-personalAudit:], true
	}
	if recs == nil {
		recs = []*motcua.AuditRecord{}
	}
	doc.Audit = recs
	err = s.store.Audit(ctx, &motcua.AuditRecord{At: s.clock.Now(), Actor: c.actor, Action: motcua.AuditExport,
		Object: object, Outcome: motcua.OutcomeOK, IP: clientIP(r),
		Detail: fmt.Sprintf("personal data: %d dossiers, %d sessions, %d audit records", len(doc.Dossiers), len(doc.Sessions), len(doc.Audit))})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="motcua-personal-data.json"`)
	return writeJSON(w, http.StatusOK, doc)
}
