package sqlstore

import (
	"strings"
	"testing"
)

// TestTemplate checks that a template filled gives what replacing each
// string by its value would.
func TestTemplate(t *testing.T) {
	stand := []string{"TOKEN", "h1", "h2"}
	values := []string{"HCM-0001", "new-hash-1", "new-hash-2"}
	for _, s := range []string{
		"",
		"nothing to replace",
		"TOKEN",
		`{"code":"TOKEN","events":[{"hash":"h1"},{"prev_hash":"h1","hash":"h2"}]}`,
		"TOKENTOKENh1h2h2",
		"h12h2TOKEN end",
	} {
		want := s
		for i := range stand {
			want = strings.ReplaceAll(want, stand[i], values[i])
		}
		tmpl := newTemplate(s, stand)
		if tmpl == nil {
			if want != s {
				t.Errorf("%q: no template; want %q", s, want)
			}
			continue
		}
		if got := tmpl.fill(values); got != want {
			t.Errorf("%q filled = %q; want %q", s, got, want)
		}
	}
}

// TestColumnTypes checks that each table written with unnested arrays
// has a type for each of its columns.
func TestColumnTypes(t *testing.T) {
	for _, tt := range []struct{ columns, types string }{
		{dossierWriteColumns, dossierTypes},
		{eventColumns, eventTypes},
		{deadlineColumns, deadlineTypes},
		{queueColumns, queueTypes},
	} {
		if n := len(strings.Split(tt.columns, ",")); n != len(tt.types) {
			t.Errorf("%d types for %d columns (%s)", len(tt.types), n, tt.columns)
		}
	}
}
