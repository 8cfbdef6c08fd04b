package locale

import (
	"regexp"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		header string
		want   Lang
	}{
		{"", Vietnamese},
		{"vi", Vietnamese},
		{"en", English},
		{"EN-us", English},
		{"en-US,en;q=0.9,vi;q=0.8", English},
		{"vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", Vietnamese},
		{"vi;q=0.5, en;q=0.8", English},
		{"fr-FR, en;q=0.3", English},
		{"fr", Vietnamese},
		{"*", Vietnamese},
		{"en;q=0", Vietnamese},
		{"en;q=0.5, vi;q=0.5", English},
		{"en;q=abc, vi", Vietnamese},
		{"en;q=2", Vietnamese},
		{" en ; q=0.4 , de", English},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header); got != tt.want {
			t.Errorf("Negotiate(%q) = %q; want %q", tt.header, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	for tag, want := range map[string]Lang{"vi": Vietnamese, "VI-vn": Vietnamese, "en-GB": English, "fr": "", "": "", "english": ""} {
		got, ok := Parse(tag)
		if got != want || ok != (want != "") {
			t.Errorf("Parse(%q) = %q, %v; want %q", tag, got, ok, want)
		}
	}
}

// TestMessages checks that every message exists in both languages, in
// NFC, with the same placeholders.
func TestMessages(t *testing.T) {
	placeholder := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, key := range Keys() {
		vi, _ := Lookup(Vietnamese, key)
		en, _ := Lookup(English, key)
		if vi == "" || en == "" {
			t.Errorf("%s: vi %q, en %q; want both", key, vi, en)
		}
		for _, s := range []string{vi, en} {
			if !norm.NFC.IsNormalString(s) {
				t.Errorf("%s: %q is not in NFC", key, s)
			}
		}
		pv, pe := placeholder.FindAllString(vi, -1), placeholder.FindAllString(en, -1)
		slices.Sort(pv)
		slices.Sort(pe)
		if !slices.Equal(pv, pe) {
			t.Errorf("%s: placeholders vi %v, en %v; want the same", key, pv, pe)
		}
	}
}

func TestT(t *testing.T) {
	if got := English.T("problem.not_found"); got != "Not found" {
		t.Errorf("T = %q", got)
	}
	if got := Vietnamese.T("problem.not_found"); got != "Không tìm thấy" {
		t.Errorf("T = %q", got)
	}
	if got := Vietnamese.T("no.such.key"); got != "no.such.key" {
		t.Errorf("T of a missing key = %q; want the key", got)
	}
}
