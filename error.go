package motcua

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to one HTTP status in the web package.
const (
	EINVALID      = "invalid"      // 400
	EUNAUTHORIZED = "unauthorized" // 401
	EFORBIDDEN    = "forbidden"    // 403
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409
	ETOOLARGE     = "too_large"    // 413
	ETOOMANY      = "too_many"     // 429; Params["retry_after"] is the wait in seconds
	EUNAVAILABLE  = "unavailable"  // 503
	EINTERNAL     = "internal"     // 500
)

// Error is an error the application means to show to its user. Code is the
// class of the error; Reason is a stable identifier of the particular
// problem (for example "action_not_allowed"), used as a translation key and
// as the "code" member of problem documents. Message is an English sentence
// safe to show; Params carry values a translated message may name; Fields
// lists the offending input fields.
//
// Errors that are not *Error are internal: their text is logged, never
// shown.
type Error struct {
	Code    string
	Reason  string
	Message string
	Params  map[string]string
	Fields  []FieldError
}

// FieldError names an input field and what is wrong with it. Reason is one
// of the Field* constants; Message is an English explanation.
//
// Message explains the problem; the web layer translates it by Reason and
// Field, keeping the original, more specific one in Detail when they
// differ (for example a process step's error that names the step).
type FieldError struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// Field error reasons.
const (
	FieldRequired = "required"
	FieldFormat   = "format"
	FieldUnknown  = "unknown"
	FieldTooLong  = "too_long"
	FieldValue    = "value"
	FieldTooShort = "too_short"
	// FieldTaken marks a value another record already has.
	FieldTaken = "taken"
	// FieldCommon marks a password found among the commonly used ones,
	// FieldContainsName one that contains the account's name.
	FieldCommon       = "common"
	FieldContainsName = "contains_name"
)

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("motcua: ")
	b.WriteString(e.Code)
	if e.Reason != "" {
		b.WriteString(" " + e.Reason)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	return b.String()
}

// Errorf returns an *Error with the given code, reason and formatted
// message.
func Errorf(code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for the kind of thing named and its key.
func NotFound(kind, key string) *Error {
	return &Error{Code: ENOTFOUND, Reason: kind + "_not_found",
		Message: fmt.Sprintf("%s %q not found", kind, key), Params: map[string]string{"key": key}}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of the *Error in err's chain, or
// "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Fields collects field errors during validation.
type Fields []FieldError

// Add records a problem with field.
func (fs *Fields) Add(field, reason, message string) {
	*fs = append(*fs, FieldError{Field: field, Reason: reason, Message: message})
}

// Err returns nil when no problem was recorded, or an EINVALID error listing
// every field.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Reason: "invalid_fields", Message: "Some fields are invalid.", Fields: fs}
}
