package workflow

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// encodePayload returns the JSON of an event payload exactly as
// json.Marshal encodes it — keys sorted, <, > and & escaped — without
// reflection for the value types payloads hold: strings, integers,
// booleans and lists of strings or integers. An event's hash covers these
// bytes, so they must not depend on the encoder.
func encodePayload(m map[string]any) []byte {
	var room [16]string // payloads have fewer keys: no allocation
	keys := room[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 64+32*len(keys))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		switch v := m[k].(type) {
		case string:
			b = appendString(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case []string:
			b = appendList(b, v, appendString)
		case []int:
			b = appendList(b, v, func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) })
		default:
			j, err := json.Marshal(v)
			if err != nil {
				panic(fmt.Sprintf("workflow: event payload %s: %v", k, err))
			}
			b = append(b, j...)
		}
	}
	return append(b, '}')
}

func appendList[T any](b []byte, vs []T, add func([]byte, T) []byte) []byte {
	if vs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = add(b, v)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string, as json.Marshal writes it.
func appendString(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return appendMarshaled(b, s)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.ContainsRune(s, '\u2028') || strings.ContainsRune(s, '\u2029')) {
		return appendMarshaled(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMarshaled(b []byte, s string) []byte {
	j, _ := json.Marshal(s) // a string always encodes
	return append(b, j...)
}
