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
