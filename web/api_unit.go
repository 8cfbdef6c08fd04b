package web

import (
	"net/http"

	"motcua"
)

// listUnits answers with a page of the children of the unit given by the
// parent parameter, or of the top-level units.
func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := motcua.UnitFilter{Parent: q.string("parent"), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	units, next, err := s.store.FindUnits(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, units, next)
}

// getUnit answers with one unit.
func (s *Server) getUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.store.FindUnit(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}
