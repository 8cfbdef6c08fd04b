package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"motcua"
)

// list is one page of a list: its items and the cursor of the next page,
// null on the last page.
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// writeList answers with a page of items and the next cursor ("" at the
// end).
func writeList[T any](w http.ResponseWriter, items []T, next string) error {
	l := list[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if next != "" {
		l.Next = &next
	}
	return writeJSON(w, http.StatusOK, l)
}

// maxQueryLen bounds the length, in characters, of a search query.
const maxQueryLen = 200

// query reads the query parameters of a list request, recording a field
// error for each bad one.
type query struct {
	values url.Values
	fields motcua.Fields
}

func newQuery(r *http.Request) *query { return &query{values: r.URL.Query()} }

// string returns parameter name trimmed and in NFC, checking that it is
// valid UTF-8 of at most maxQueryLen characters.
func (q *query) string(name string) string {
	v := strings.TrimSpace(q.values.Get(name))
	switch {
	case !utf8.ValidString(v):
		q.fields.Add(name, motcua.FieldFormat, "not valid UTF-8")
	case utf8.RuneCountInString(v) > maxQueryLen:
		q.fields.Add(name, motcua.FieldTooLong, "at most 200 characters")
	}
	return norm.NFC.String(v)
}

// int returns parameter name, 0 when absent, checking that it is an
// integer from lo to hi.
func (q *query) int(name string, lo, hi int) int {
	v := q.values.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		q.fields.Add(name, motcua.FieldValue, "must be an integer from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return 0
	}
	return n
}

// page returns the limit and after parameters.
func (q *query) page() motcua.Page {
	return motcua.Page{
		Limit: q.int("limit", 1, motcua.MaxPageLimit),
		After: q.values.Get("after"),
	}.Normalize()
}

// err returns the field errors found, or nil.
func (q *query) err() error { return q.fields.Err() }
