package web

import (
	"net/http"
	"net/url"
	"strconv"

	"motcua"
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
	return writeJSON(w, http.StatusCreated, d)
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

// getDossier answers with a dossier, found by ID or code, and its events.
func (s *Server) getDossier(w http.ResponseWriter, r *http.Request) error {
	if a, _ := motcua.ActorFromContext(r.Context()); a.Kind != motcua.ActorAdmin {
		if _, _, err := s.visibleDossier(r, r.PathValue("ref")); err != nil {
			return err
		}
	}
	doc, err := s.store.FindDossierJSON(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(doc)+1))
	w.WriteHeader(http.StatusOK)
	w.Write(append(doc, '\n'))
	return nil
}

// applyAction performs the action of the request body on a dossier and
// answers with the dossier as it is now.
func (s *Server) applyAction(w http.ResponseWriter, r *http.Request) error {
	var req motcua.ActionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	d, err := s.store.ApplyAction(r.Context(), r.PathValue("ref"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
