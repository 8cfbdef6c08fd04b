package web

import (
	"net/http"

	"motcua"
)

// listAgencies answers with a page of the agencies: all of them, those of
// the unit parameter, those handling the procedure parameter, or both.
func (s *Server) listAgencies(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := motcua.AgencyFilter{Unit: q.string("unit"), Procedure: q.string("procedure"), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	agencies, next, err := s.store.FindAgencies(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, agencies, next)
}
