package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"motcua"
	"motcua/web/locale"
)

// maxIdempotencyKeyLen bounds the length of an Idempotency-Key.
const maxIdempotencyKeyLen = 200

// createDossier creates a dossier from the request body. With an
// Idempotency-Key header, a retry answers as the first request did, with
// the header Idempotent-Replayed: true.
func (s *Server) createDossier(w http.ResponseWriter, r *http.Request) error {
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	var in motcua.DossierInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if a, _ := motcua.ActorFromContext(r.Context()); a.Kind != motcua.ActorAdmin {
		dir, err := s.store.Directory(r.Context())
		if err != nil {
			return err
		}
		if _, ok := dir.Agency(in.AgencyCode); ok && !canReceive(a, dir, in.AgencyCode) {
			return forbidden("Only a one-door officer of the agency may receive its dossiers.")
		}
	}
	d, replay, err := s.store.CreateDossier(r.Context(), &in, key)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/dossiers/"+url.PathEscape(d.ID))
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return writeDossier(w, http.StatusCreated, d)
}

// idempotencyKey returns the request's Idempotency-Key, "" if none. The
// key is opaque: up to 200 printable ASCII characters. Returns EINVALID.
func idempotencyKey(r *http.Request) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	var fs motcua.Fields
	if len(key) > maxIdempotencyKeyLen {
		fs.Add("Idempotency-Key", motcua.FieldTooLong, "at most 200 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			fs.Add("Idempotency-Key", motcua.FieldFormat, "printable ASCII characters only")
			break
		}
	}
	return key, fs.Err()
}

// getDossier answers with a dossier, found by ID or code, and its events:
// the document the store keeps. Staff and citizens get only the dossiers
// they may see, decided on the document answered, so that one read of
// one row serves both; to others the dossier does not exist.
func (s *Server) getDossier(w http.ResponseWriter, r *http.Request) error {
	ref := r.PathValue("ref")
	doc, err := s.store.FindDossierJSON(r.Context(), ref)
	if err != nil {
		return err
	}
	if a, _ := motcua.ActorFromContext(r.Context()); a.Kind != motcua.ActorAdmin {
		d, err := dossierScope(doc)
		if err != nil {
			return fmt.Errorf("web: dossier %s: %w", ref, err)
		}
		dir, err := s.store.Directory(r.Context())
		if err != nil {
			return err
		}
		if !canSeeDossier(a, dir, d) {
			return motcua.NotFound("dossier", ref)
		}
		s.viewed(r, motcua.AuditPersonalView, "dossier:"+cmp.Or(d.Code, d.ID))
	}
	writeDocument(w, http.StatusOK, doc)
	return nil
}

// dossierScope decodes from a dossier's API document what canSeeDossier
// and the audit record need of it: its ID and code, the agency and unit
// that handle it and those of its tasks, and the applicant's
// identification number. The other fields of the dossier it returns are
// zero.
func dossierScope(doc string) (*motcua.Dossier, error) {
	var v struct {
		ID         string `json:"id"`
		Code       string `json:"code"`
		AgencyCode string `json:"agency"`
		UnitCode   string `json:"unit"`
		Applicant  struct {
			IDNumber string `json:"id_number"`
		} `json:"applicant"`
		Tasks []struct {
			Agency string `json:"agency"`
			Unit   string `json:"unit"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	d := &motcua.Dossier{ID: v.ID, Code: v.Code, AgencyCode: v.AgencyCode, UnitCode: v.UnitCode,
		Applicant: motcua.Applicant{IDNumber: v.Applicant.IDNumber}}
	for _, t := range v.Tasks {
		d.Tasks = append(d.Tasks, &motcua.Task{Agency: t.Agency, Unit: t.Unit})
	}
	return d, nil
}

// applyAction performs the action of the request body on a dossier and
// answers with the dossier as it is now.
func (s *Server) applyAction(w http.ResponseWriter, r *http.Request) error {
	var req motcua.ActionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	// Staff may act only on dossiers they may see; others do not learn
	// that the dossier exists.
	if a, _ := motcua.ActorFromContext(r.Context()); a.Kind != motcua.ActorAdmin {
		if _, _, err := s.visibleDossier(r, r.PathValue("ref")); err != nil {
			return err
		}
	}
	d, err := s.store.ApplyAction(r.Context(), r.PathValue("ref"), req)
	if err != nil {
		return s.withLabels(r, err)
	}
	return writeDossier(w, http.StatusOK, d)
}

// writeDossier answers with d: the document the store wrote, when it
// returned it, else d encoded.
func writeDossier(w http.ResponseWriter, status int, d *motcua.Dossier) error {
	if d.Document == nil {
		return writeJSON(w, status, d)
	}
	writeDocument(w, status, d.Document)
	return nil
}

// writeDocument answers with doc, a JSON document as the store keeps it,
// and a newline, as writeJSON ends its documents.
func writeDocument[Doc string | json.RawMessage](w http.ResponseWriter, status int, doc Doc) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(doc)+1))
	w.WriteHeader(status)
	switch doc := any(doc).(type) {
	case string:
		io.WriteString(w, doc)
	case json.RawMessage:
		w.Write(doc)
	}
	w.Write([]byte{'\n'})
}

// withLabels adds to an action's refusal the labels its process gives the
// actions it names, in the request's language, so that the problem's
// detail reads "Chuyển xử lý" rather than "chuyen_xu_ly".
func (s *Server) withLabels(r *http.Request, err error) error {
	e, ok := errors.AsType[*motcua.Error](err)
	if !ok || e.Reason != "action_not_allowed" && e.Reason != "role_required" {
		return err
	}
	d, ferr := s.store.FindDossier(r.Context(), r.PathValue("ref"))
	if ferr != nil {
		return err
	}
	p, ferr := s.store.DossierProcess(r.Context(), d)
	if ferr != nil {
		return err
	}
	en := locale.Negotiate(r.Header.Get("Accept-Language")) == locale.English
	// The labels of the current step's actions first: a name may be
	// labelled differently in another step.
	steps := slices.Clone(p.Steps)
	for _, t := range d.Tasks {
		if t.Kind == motcua.TaskStep && t.Open() {
			slices.SortStableFunc(steps, func(a, b motcua.Step) int {
				return boolInt(b.ID == t.Step) - boolInt(a.ID == t.Step)
			})
		}
	}
	labels := map[string]string{}
	for _, st := range steps {
		for _, a := range st.Actions {
			name, l := cmp.Or(a.Name, a.Type), a.Label
			if en {
				l = a.LabelEN
			}
			if l != "" && labels[name] == "" {
				labels[name] = l
			}
		}
	}
	params := maps.Clone(e.Params)
	for k, v := range labels {
		params["label."+k] = v
	}
	c := *e
	c.Params = params
	return &c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
