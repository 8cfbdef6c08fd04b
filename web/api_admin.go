package web

import (
	"net/http"

	"motcua"
)

// verify checks every dossier's history and the checkpoints, and answers
// with the report; its ok member tells whether the history is intact.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	report, err := s.store.VerifyDossiers(r.Context())
	if err != nil {
		return err
	}
	if report.Problems == nil {
		report.Problems = []motcua.ChainProblem{}
	}
	return writeJSON(w, http.StatusOK, report)
}
