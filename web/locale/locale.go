// Package locale holds the user-facing messages of the web package in
// Vietnamese, the default, and English, and chooses between them for a
// request.
package locale

import (
	"slices"
	"strconv"
	"strings"
)

// Lang is a supported language, named by its BCP 47 primary subtag.
type Lang string

// Supported languages.
const (
	Vietnamese Lang = "vi"
	English    Lang = "en"
)

// Default is the language used when a request states no usable
// preference.
const Default = Vietnamese

// Parse returns the supported language of a language tag such as "en" or
// "en-GB" (case-insensitive) and reports whether there is one.
func Parse(tag string) (Lang, bool) {
	primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	switch l := Lang(strings.ToLower(primary)); l {
	case Vietnamese, English:
		return l, true
	}
	return "", false
}

// Negotiate returns the supported language the Accept-Language header
// value prefers: the one with the highest quality value, the first listed
// among equals, and Default when none is acceptable.
func Negotiate(acceptLanguage string) Lang {
	best, bestQ := Default, 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		l, ok := Parse(tag)
		if ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// Lookup returns the message with key in l and reports whether it exists.
func Lookup(l Lang, key string) (string, bool) {
	m, ok := messages[key]
	if !ok {
		return "", false
	}
	if l == English {
		return m.en, true
	}
	return m.vi, true
}

// T returns the message with key in l, or key itself when there is no
// such message. Templates call it as {{.Lang.T "key"}}.
func (l Lang) T(key string) string {
	if s, ok := Lookup(l, key); ok {
		return s
	}
	return key
}

// Keys returns the keys of every message, sorted.
func Keys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
