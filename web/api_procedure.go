package web

import (
	"fmt"
	"net/http"

	"motcua"
)

// listProcedures answers with a page of the procedures in force,
// filtered by the q (name or code, with or without diacritics),
// service_level (1–4) and unit parameters.
func (s *Server) listProcedures(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := motcua.ProcedureFilter{
		Query:        q.string("q"),
		ServiceLevel: q.int("service_level", 1, 4),
		Unit:         q.string("unit"),
		Page:         q.page(),
	}
	if err := q.err(); err != nil {
		return err
	}
	procs, next, err := s.store.FindProcedures(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, procs, next)
}

// procedureDetail is a procedure with the agencies that handle it.
type procedureDetail struct {
	*motcua.Procedure
	Agencies []*motcua.Agency `json:"agencies"`
}

// getProcedure answers with the version of a procedure in force now and
// every agency that handles it.
func (s *Server) getProcedure(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.FindProcedure(r.Context(), r.PathValue("code"), s.clock.Now())
	if err != nil {
		return err
	}
	d := procedureDetail{Procedure: p, Agencies: make([]*motcua.Agency, 0, len(p.AgencyCodes))}
	f := motcua.AgencyFilter{Procedure: p.Code, Page: motcua.Page{Limit: motcua.MaxPageLimit}}
	for {
		agencies, next, err := s.store.FindAgencies(r.Context(), f)
		if err != nil {
			return fmt.Errorf("agencies of procedure %s: %w", p.Code, err)
		}
		d.Agencies = append(d.Agencies, agencies...)
		if next == "" {
			break
		}
		f.After = next
	}
	return writeJSON(w, http.StatusOK, d)
}
