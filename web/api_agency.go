package web

import (
	"net/http"

	"motcua"
)

// listAgencies answers with a page of the agencies, all of them or those
// of the unit given by the unit parameter.
func (s *Server) listAgencies(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := motcua.AgencyFilter{Unit: q.string("unit"), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	agencies, next, err := s.store.FindAgencies(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, agencies, next)
}
