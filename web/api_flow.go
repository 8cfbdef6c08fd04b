package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"motcua"
	"motcua/report"
	"motcua/workflow"
)

// getTimeline answers with the citizen's view of a dossier: each step
// with its agency, times, waiting and pauses, and the expected return
// time with its explanation; internal notes never show. By the dossier's
// unguessable ID anyone holding it may look; by its code only staff who
// may see the dossier.
func (s *Server) getTimeline(w http.ResponseWriter, r *http.Request) error {
	ref := r.PathValue("ref")
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	var actor *motcua.Actor
	if !motcua.IsDossierID(ref) {
		c, err := s.authenticate(r)
		if err == nil {
			err = permit(c, person, r)
		}
		if err != nil {
			return err
		}
		actor = &c.actor
	}
	d, err := s.store.FindDossier(ctx, ref)
	if err != nil {
		return err
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	if actor != nil && !canSeeDossier(*actor, dir, d) {
		return motcua.NotFound("dossier", ref)
	}
	p, err := s.store.DossierProcess(ctx, d)
	if err != nil {
		return err
	}
	cal, err := s.store.LegalCalendar(ctx)
	if err != nil {
		return err
	}
	tl := workflow.BuildTimeline(p, d, s.clock.Now(), workflow.TimelineOptions{ShowOfficers: s.showOfficers, Directory: dir, Calendar: cal})
	return writeJSON(w, http.StatusOK, tl)
}

// getForm answers with a statutory form of a dossier as a PDF: 01 receipt
// and appointment, 02 supplement request, 03 refusal, 04 apology and new
// appointment, 05 stop-processing notice, 06 processing-control slip.
// A form that does not apply to the dossier yet answers 409.
func (s *Server) getForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	form, ok := report.ParseForm(r.PathValue("form"))
	if !ok {
		var fs motcua.Fields
		fs.Add("form", motcua.FieldValue, "form is 01 to 06")
		return fs.Err()
	}
	d, dir, err := s.visibleDossier(r, r.PathValue("ref"))
	if err != nil {
		return err
	}
	proc, err := s.store.FindProcedureVersion(ctx, d.ProcedureCode, d.ProcedureVersion)
	if err != nil {
		return err
	}
	doc, err := s.formDocument(r, form, d, proc, dir)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := report.WritePDF(&b, doc); err != nil {
		return fmt.Errorf("render form %s of %s: %w", form, d.ID, err)
	}
	s.viewed(r, motcua.AuditExport, "dossier:"+d.Code+" form:"+form.String())
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s-mau-%s.pdf"`, d.Code, form))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// visibleDossier returns the dossier ref if the request's actor may see
// it (ENOTFOUND otherwise, so that its existence does not leak), with the
// directory.
func (s *Server) visibleDossier(r *http.Request, ref string) (*motcua.Dossier, motcua.Directory, error) {
	d, err := s.store.FindDossier(r.Context(), ref)
	if err != nil {
		return nil, nil, err
	}
	dir, err := s.store.Directory(r.Context())
	if err != nil {
		return nil, nil, err
	}
	a, _ := motcua.ActorFromContext(r.Context())
	if !canSeeDossier(a, dir, d) {
		return nil, nil, motcua.NotFound("dossier", ref)
	}
	return d, dir, nil
}

// formNotAvailable is the error of a form that does not apply to a
// dossier in its state.
func formNotAvailable(form report.Form, why string) error {
	return &motcua.Error{Code: motcua.ECONFLICT, Reason: "form_not_available",
		Message: fmt.Sprintf("Form %s does not apply to this dossier: %s.", form, why),
		Params:  map[string]string{"form": form.String()}}
}

// formDocument gathers what a form shows of the dossier.
func (s *Server) formDocument(r *http.Request, form report.Form, d *motcua.Dossier, proc *motcua.Procedure, dir motcua.Directory) (*report.Document, error) {
	if d.Code == "" || d.ReceivedAt == nil {
		return nil, formNotAvailable(form, "it has not been received")
	}
	doc := &report.Document{
		Form:        form,
		Place:       s.place,
		IssuedAt:    s.clock.Now(),
		DossierCode: d.Code,
		VerifyURL:   s.verifyURL(r, d),
		Procedure:   proc.Name,
		Applicant:   party(d.Applicant),
		ReceivedAt:  *d.ReceivedAt,
		Result:      proc.Result,
	}
	if a, ok := dir.Agency(d.AgencyCode); ok {
		doc.Issuer = a.Name
		if a.Kind != motcua.AgencyPeoplesCommittee {
			if pa, ok := dir.AgencyAt(parentOr(dir, a.UnitCode), ""); ok && pa.Code != a.Code {
				doc.Governing = pa.Name
			}
		}
	}
	if d.DueAt != nil {
		doc.DueAt = *d.DueAt
	}
	if d.DueExplanation != nil {
		doc.DueNote = d.DueExplanation.SummaryVI
	}
	receipt := eventOf(d, motcua.ActionReceive)
	if receipt != nil {
		doc.Receiver = receipt.Actor.Name
	}
	switch form {
	case report.Receipt:
		for _, rd := range proc.RequiredDocuments {
			doc.Documents = append(doc.Documents, report.Item{Name: rd.Name, Copies: rd.Copies})
		}
	case report.SupplementRequest:
		e := eventOf(d, motcua.ActionRequestSupplement)
		if e == nil {
			return nil, formNotAvailable(form, "no supplement was requested")
		}
		doc.Items = payloadList(e, "items")
		doc.IssuedAt = e.At
		doc.Receiver = e.Actor.Name
	case report.Refusal:
		e := eventOf(d, motcua.ActionRefuse)
		if e == nil {
			return nil, formNotAvailable(form, "it was not refused")
		}
		doc.Reasons = payloadList(e, "reasons")
		doc.IssuedAt = e.At
		doc.Receiver = e.Actor.Name
	case report.Apology:
		if d.Extension == nil {
			return nil, formNotAvailable(form, "its due time was not extended")
		}
		doc.DueAt = d.Extension.Previous
		doc.NewDueAt = d.Extension.DueAt
		doc.Apology = d.Extension.Reason
		doc.IssuedAt = d.Extension.At
		doc.Receiver = d.Extension.By.Name
	case report.StopNotice:
		e := eventOf(d, motcua.ActionWithdraw)
		if e == nil {
			return nil, formNotAvailable(form, "it was not withdrawn or stopped")
		}
		doc.Reasons = payloadList(e, "reasons")
		if len(doc.Reasons) == 0 {
			doc.Reasons = []string{"Theo đề nghị của người nộp hồ sơ"}
		}
		doc.IssuedAt = e.At
	case report.ControlSlip:
		for _, t := range d.Tasks {
			doc.Steps = append(doc.Steps, controlStep(d, t, dir))
		}
	}
	if err := doc.Validate(); err != nil {
		return nil, formNotAvailable(form, err.Error())
	}
	return doc, nil
}

// controlStep is a task as a line of the processing-control slip.
func controlStep(d *motcua.Dossier, t *motcua.Task, dir motcua.Directory) report.Step {
	st := report.Step{Name: t.Name, To: agencyName(dir, t.Agency), HandedAt: t.StartedAt}
	if t.From > 0 && t.From <= len(d.Tasks) {
		st.From = agencyName(dir, d.Tasks[t.From-1].Agency)
	} else {
		st.From = "Bộ phận một cửa"
	}
	if t.DueAt != nil {
		st.DueAt = *t.DueAt
	}
	if t.EndedAt != nil {
		st.DoneAt = *t.EndedAt
	}
	switch {
	case t.Kind == motcua.TaskConsult && t.Answer != "":
		st.Note = "Đã có ý kiến"
	case t.Linked:
		st.Note = "Liên thông"
	}
	return st
}

func agencyName(dir motcua.Directory, code string) string {
	if a, ok := dir.Agency(code); ok {
		return a.Name
	}
	return code
}

func parentOr(dir motcua.Directory, unit string) string {
	if p, ok := dir.ParentUnit(unit); ok {
		return p
	}
	return unit
}

func party(a motcua.Applicant) report.Party {
	p := report.Party{Name: a.Name, IDNumber: a.IDNumber, Address: a.Address, Phone: a.Phone, Email: a.Email}
	if p.IDNumber == "" {
		p.IDNumber = a.TaxCode
	}
	if p.IDNumber == "" {
		p.IDNumber = a.Passport
	}
	return p
}

// eventOf returns the last event of the dossier with the action, nil if
// none.
func eventOf(d *motcua.Dossier, action string) *motcua.Event {
	for i := len(d.Events) - 1; i >= 0; i-- {
		if d.Events[i].Action == action {
			return d.Events[i]
		}
	}
	return nil
}

// payloadList returns a list of strings of an event's payload.
func payloadList(e *motcua.Event, key string) []string {
	var p map[string]json.RawMessage
	if json.Unmarshal(e.Payload, &p) != nil {
		return nil
	}
	var l []string
	json.Unmarshal(p[key], &l)
	return l
}

// verifyURL is the address printed under a form's QR code: the dossier's
// timeline on this server, reached by its unguessable ID.
func (s *Server) verifyURL(r *http.Request, d *motcua.Dossier) string {
	base := s.baseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return strings.TrimSuffix(base, "/") + "/api/v1/dossiers/" + url.PathEscape(d.ID) + "/timeline"
}

// getRegister answers with Form 07, the register of the dossiers an
// agency received in a period (?from= and ?to=, dates, inclusive; the
// current month by default), as an XLSX workbook.
func (s *Server) getRegister(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	ag, ok := dir.Agency(code)
	a, _ := motcua.ActorFromContext(ctx)
	if !ok || !a.Covers(dir, ag.Code, ag.UnitCode) {
		return motcua.NotFound("agency", code)
	}
	loc := motcua.Location()
	now := s.clock.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 1, 0)
	q := newQuery(r)
	if v := q.string("from"); v != "" {
		if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			from = t
		} else {
			q.fields.Add("from", motcua.FieldFormat, "a date is written YYYY-MM-DD")
		}
	}
	if v := q.string("to"); v != "" {
		if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			to = t.AddDate(0, 0, 1)
		} else {
			q.fields.Add("to", motcua.FieldFormat, "a date is written YYYY-MM-DD")
		}
	}
	if !to.After(from) {
		q.fields.Add("to", motcua.FieldValue, "to is not before from")
	}
	if err := q.err(); err != nil {
		return err
	}
	ds, err := s.store.FindDossiers(ctx, motcua.DossierFilter{Agency: code, From: from, To: to})
	if err != nil {
		return err
	}
	s.viewed(r, motcua.AuditExport, "register:"+code+" "+r.URL.RawQuery)
	reg := &report.Register{Issuer: ag.Name, From: from, To: to.AddDate(0, 0, -1)}
	names := map[string]string{}
	for _, d := range ds {
		reg.Rows = append(reg.Rows, s.registerRow(ctx, d, dir, names))
	}
	var b bytes.Buffer
	if err := report.WriteRegister(&b, reg); err != nil {
		return fmt.Errorf("write register of %s: %w", code, err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="so-theo-doi-%s-%s.xlsx"`, code, from.Format("20060102")))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// registerRow is a dossier as a line of the register; names caches
// procedure names.
func (s *Server) registerRow(ctx context.Context, d *motcua.Dossier, dir motcua.Directory, names map[string]string) report.RegisterRow {
	key := d.ProcedureCode + "@" + strconv.Itoa(d.ProcedureVersion)
	if _, ok := names[key]; !ok {
		names[key] = d.ProcedureCode
		if p, err := s.store.FindProcedureVersion(ctx, d.ProcedureCode, d.ProcedureVersion); err == nil {
			names[key] = p.Name
		}
	}
	row := report.RegisterRow{Code: d.Code, Procedure: names[key], Applicant: d.Applicant.Name,
		Address: d.Applicant.Address, Phone: d.Applicant.Phone, Agency: agencyName(dir, d.AgencyCode),
		Status: statusVI[d.Status]}
	if d.ReceivedAt != nil {
		row.ReceivedAt = *d.ReceivedAt
	}
	if d.DueAt != nil {
		row.DueAt = *d.DueAt
	}
	if d.FinishedAt != nil {
		row.FinishedAt = *d.FinishedAt
	}
	if d.ReturnedAt != nil {
		row.ReturnedAt = *d.ReturnedAt
	}
	var through []string
	seen := map[string]bool{d.AgencyCode: true}
	for _, t := range d.Tasks {
		if !seen[t.Agency] {
			seen[t.Agency] = true
			through = append(through, agencyName(dir, t.Agency))
		}
	}
	row.Transferred = strings.Join(through, "; ")
	if d.Status != motcua.StatusRefused && d.Status != motcua.StatusWithdrawn && d.FinishedAt != nil && d.DueAt != nil {
		row.Outcome = report.Outcome(*d.FinishedAt, *d.DueAt)
	}
	return row
}

// statusVI names statuses in the register.
var statusVI = map[motcua.Status]string{
	motcua.StatusSubmitted:           "Chờ tiếp nhận",
	motcua.StatusReceived:            "Đã tiếp nhận",
	motcua.StatusProcessing:          "Đang xử lý",
	motcua.StatusSupplementRequested: "Chờ bổ sung",
	motcua.StatusPaymentRequested:    "Chờ thực hiện nghĩa vụ tài chính",
	motcua.StatusResultReady:         "Có kết quả",
	motcua.StatusReturned:            "Đã trả kết quả",
	motcua.StatusRefused:             "Từ chối",
	motcua.StatusWithdrawn:           "Đã rút",
}
