package web

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"motcua"
	"motcua/web/locale"
)

// Error codes of the web package, for statuses the domain has no code
// for.
const (
	codeMethodNotAllowed     = "method_not_allowed"
	codeUnsupportedMediaType = "unsupported_media_type"
)

// statuses maps each error code to its HTTP status. An error with a code
// missing here is internal.
var statuses = map[string]int{
	motcua.EINVALID:          http.StatusBadRequest,
	motcua.EUNAUTHORIZED:     http.StatusUnauthorized,
	motcua.EFORBIDDEN:        http.StatusForbidden,
	motcua.ENOTFOUND:         http.StatusNotFound,
	codeMethodNotAllowed:     http.StatusMethodNotAllowed,
	motcua.ECONFLICT:         http.StatusConflict,
	motcua.ETOOLARGE:         http.StatusRequestEntityTooLarge,
	motcua.ETOOMANY:          http.StatusTooManyRequests,
	codeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	motcua.EINTERNAL:         http.StatusInternalServerError,
	motcua.EUNAVAILABLE:      http.StatusServiceUnavailable,
}

// problemTypePrefix starts the type URI of every problem document: the
// type is this prefix followed by the problem's code, a URI reference
// relative to the server that identifies the problem and is not meant to
// be dereferenced.
const problemTypePrefix = "/problems/"

// problem is an RFC 9457 problem document with motcua's members: Code is
// the stable code (the error's Reason, or its Code when it has none),
// Errors lists the offending fields, Allowed the actions allowed now when
// an action was refused, RequestID the request to quote to support.
type problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Code      string              `json:"code"`
	Errors    []motcua.FieldError `json:"errors,omitempty"`
	Allowed   []string            `json:"allowed,omitzero"`
	RequestID string              `json:"request_id,omitempty"`
}

// retryAfterSeconds is the Retry-After of 503 answers: long enough for a
// database restart, short enough for a citizen waiting at the counter.
const retryAfterSeconds = "5"

// writeError answers with the problem document of err in the request's
// language. Errors that are not *motcua.Error with a known code, and
// EINTERNAL ones, are logged and shown only as a generic internal error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *motcua.Error
	if !errors.As(err, &e) || statuses[e.Code] == 0 || e.Code == motcua.EINTERNAL {
		s.logError(r, err)
		e = &motcua.Error{Code: motcua.EINTERNAL, Reason: "internal", Message: "Internal error."}
	}
	lang := locale.Negotiate(r.Header.Get("Accept-Language"))
	id := requestID(r.Context())
	code := cmp.Or(e.Reason, e.Code)
	p := problem{
		Type:      problemTypePrefix + code,
		Title:     title(lang, e),
		Status:    statuses[e.Code],
		Detail:    detail(lang, e, id),
		Code:      code,
		Errors:    fieldErrors(lang, e.Fields),
		RequestID: id,
	}
	if e.Reason == "action_not_allowed" {
		p.Allowed = splitActions(e.Params["allowed"])
	}
	h := w.Header()
	h.Set("Content-Language", string(lang))
	h.Add("Vary", "Accept-Language")
	h.Set("Cache-Control", "no-store")
	switch p.Status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="motcua"`)
	case http.StatusTooManyRequests:
		if after := e.Params["retry_after"]; after != "" {
			h.Set("Retry-After", after)
		}
	case http.StatusServiceUnavailable:
		// Clients may retry; the operator needs the cause, which the
		// problem document does not show.
		h.Set("Retry-After", retryAfterSeconds)
		s.logger.LogAttrs(r.Context(), slog.LevelWarn, "service unavailable",
			slog.String("request_id", id), slog.String("err", err.Error()))
	}
	if err := writeBody(w, p.Status, "application/problem+json", p); err != nil {
		s.logError(r, err)
	}
}

// logError logs an internal error with the request it happened in.
func (s *Server) logError(r *http.Request, err error) {
	s.logger.LogAttrs(r.Context(), slog.LevelError, "internal error",
		slog.String("request_id", requestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", err.Error()))
}

// title returns the title of e's problem: the one of its reason, else the
// one of its code.
func title(lang locale.Lang, e *motcua.Error) string {
	if t, ok := locale.Lookup(lang, "problem."+e.Reason); ok {
		return t
	}
	if t, ok := locale.Lookup(lang, "problem."+e.Code); ok {
		return t
	}
	return e.Code
}

// detail returns the translated explanation of e, filling the message's
// placeholders from e's parameters, with actions and statuses named in
// lang. Without a translation it falls back to e's English message.
func detail(lang locale.Lang, e *motcua.Error, requestID string) string {
	tmpl, ok := locale.Lookup(lang, "detail."+e.Reason)
	if !ok {
		return e.Message
	}
	args := []string{"{request_id}", requestID, "{limit}", "1 MiB"}
	for k, v := range e.Params {
		if strings.HasPrefix(k, "label.") {
			continue
		}
		switch k {
		case "action":
			v = label(lang, e.Params, v)
		case "status":
			v = name(lang, "status.", v)
		case "allowed":
			names := []string{}
			for _, a := range splitActions(v) {
				names = append(names, label(lang, e.Params, a))
			}
			v = cmp.Or(strings.Join(names, ", "), lang.T("action.none"))
		}
		args = append(args, "{"+k+"}", v)
	}
	return strings.NewReplacer(args...).Replace(tmpl)
}

// label returns the name of an action: the label its process gives it
// (a "label.NAME" parameter), else its translated name.
func label(lang locale.Lang, params map[string]string, action string) string {
	if l, ok := params["label."+action]; ok {
		return l
	}
	return name(lang, "action.", action)
}

// name returns the translated name of an action or a status, or v itself.
func name(lang locale.Lang, prefix, v string) string {
	if t, ok := locale.Lookup(lang, prefix+v); ok {
		return t
	}
	return v
}

// splitActions parses the "allowed" parameter of an action_not_allowed
// error: actions separated by ", ", or "none".
func splitActions(s string) []string {
	if s == "" || s == "none" {
		return []string{}
	}
	return strings.Split(s, ", ")
}

// fieldErrors translates the messages of fs: a message for the field and
// reason if there is one, else one for the members of the field's first
// part ("days.*" for "days.monday[0]"), else one for the reason, else the
// error's own message.
// specific reports whether a field's original message says more than its
// translation: those of a process definition's steps name the step and
// what is wrong with it, and are kept as the detail.
func specific(field string) bool {
	return strings.HasPrefix(field, "steps")
}

func fieldErrors(lang locale.Lang, fs []motcua.FieldError) []motcua.FieldError {
	out := make([]motcua.FieldError, 0, len(fs))
	for _, f := range fs {
		keys := []string{"field." + f.Reason + "." + f.Field}
		if i := strings.IndexAny(f.Field, ".["); i > 0 {
			keys = append(keys, "field."+f.Reason+"."+f.Field[:i]+".*")
		}
		for _, key := range append(keys, "field."+f.Reason) {
			if m, ok := locale.Lookup(lang, key); ok {
				if specific(f.Field) && f.Message != m {
					f.Detail = f.Message
				}
				f.Message = m
				break
			}
		}
		out = append(out, f)
	}
	return out
}
