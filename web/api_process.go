package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"sigs.k8s.io/yaml"

	"motcua"
)

// listProcesses answers with the latest version of every stored process,
// of one procedure with ?procedure=.
func (s *Server) listProcesses(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	procedure := q.string("procedure")
	if err := q.err(); err != nil {
		return err
	}
	ps, err := s.store.FindProcesses(r.Context(), procedure)
	if err != nil {
		return err
	}
	return writeList(w, ps, "")
}

// getProcess answers with a process, its latest version unless
// ?version= names one.
func (s *Server) getProcess(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	version := 0
	if q.string("version") != "" {
		version = q.int("version", 1, 1<<30)
	}
	if err := q.err(); err != nil {
		return err
	}
	p, err := s.store.FindProcess(r.Context(), r.PathValue("code"), version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// createProcess stores the process of the request body, in JSON
// (application/json) or YAML (application/yaml), as the next version of
// its code, after validating it whole.
func (s *Server) createProcess(w http.ResponseWriter, r *http.Request) error {
	var p motcua.Process
	if err := decodeProcess(r, &p); err != nil {
		return err
	}
	created, err := s.store.CreateProcess(r.Context(), &p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/processes/%s?version=%d", url.PathEscape(created.Code), created.Version))
	return writeJSON(w, http.StatusCreated, created)
}

// decodeProcess decodes a process from JSON, or from YAML converted to
// JSON first, with decodeJSON's checks.
func decodeProcess(r *http.Request, p *motcua.Process) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml":
	default:
		return decodeJSON(r, p)
	}
	body, err := io.ReadAll(r.Body)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &motcua.Error{Code: motcua.ETOOLARGE, Reason: "body_too_large", Message: "The request body exceeds the limit of 1 MiB."}
	} else if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	j, err := yaml.YAMLToJSON(body)
	if err != nil {
		return &motcua.Error{Code: motcua.EINVALID, Reason: "malformed_yaml",
			Message: "The request body is not valid YAML: " + err.Error() + ".",
			Params:  map[string]string{"error": err.Error()}}
	}
	return decodeObject(j, p)
}

// saveStaffRequest is the body of PUT /api/v1/admin/staff/{id}.
type saveStaffRequest struct {
	Name     string         `json:"name"`
	Email    string         `json:"email"`
	Disabled bool           `json:"disabled"`
	Grants   []motcua.Grant `json:"grants"`
}

// saveStaff creates or updates a staff member and answers with it and a
// new API token, shown this once.
func (s *Server) saveStaff(w http.ResponseWriter, r *http.Request) error {
	var req saveStaffRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.mayManageStaff(r, r.PathValue("id"), req.Grants); err != nil {
		return err
	}
	st := &motcua.Staff{ID: r.PathValue("id"), Name: req.Name, Email: req.Email, Disabled: req.Disabled, Grants: req.Grants}
	token, err := s.store.SaveStaff(r.Context(), st)
	if err != nil {
		return err
	}
	if st.Disabled {
		// A disabled account's sessions end now.
		if _, err := s.store.DeleteSessions(r.Context(), motcua.SessionStaff, st.ID); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, struct {
		*motcua.Staff
		Token string `json:"token"`
	}{st, token})
}

// listAlerts answers with the due-soon and overdue alerts the actor may
// see: those of the agencies where they hold the role that holds the
// deadline, or are leaders. ?kind=, ?agency=, ?after= (an alert ID) and
// ?limit= narrow the list.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := motcua.AlertFilter{Kind: q.string("kind"), Agency: q.string("agency")}
	if q.string("after") != "" {
		f.After = int64(q.int("after", 0, 1<<62))
	}
	f.Limit = 100
	if q.string("limit") != "" {
		f.Limit = q.int("limit", 1, 1000)
	}
	if f.Kind != "" && f.Kind != motcua.AlertDueSoon && f.Kind != motcua.AlertOverdue {
		q.fields.Add("kind", motcua.FieldValue, "kind must be due_soon or overdue")
	}
	if err := q.err(); err != nil {
		return err
	}
	f.Actor, _ = motcua.ActorFromContext(r.Context())
	alerts, err := s.store.FindAlerts(r.Context(), f)
	if err != nil {
		return err
	}
	if alerts == nil {
		alerts = []*motcua.Alert{}
	}
	return writeList(w, alerts, "")
}
