package workflow

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestEncodePayload checks that encodePayload writes what json.Marshal
// writes, for random payloads of every value type events use.
func TestEncodePayload(t *testing.T) {
	pieces := []string{"a", "Đủ hồ sơ", "<b>", "&", `"`, `\`, "\n", "\t", "\x00", "\u2028", "\u2029", "\xff", "ư", "😀", " ", "}", "e\u0301"}
	r := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		s := ""
		for range r.IntN(5) {
			s += pieces[r.IntN(len(pieces))]
		}
		return s
	}
	for range 5000 {
		m := map[string]any{}
		for range r.IntN(8) {
			switch k := text(); r.IntN(7) {
			case 0:
				m[k] = text()
			case 1:
				m[k] = r.IntN(1000) - 500
			case 2:
				m[k] = r.Int64()
			case 3:
				m[k] = r.IntN(2) == 0
			case 4:
				var ss []string
				for range r.IntN(3) {
					ss = append(ss, text())
				}
				m[k] = ss
			case 5:
				ns := []int{}
				for range r.IntN(3) {
					ns = append(ns, r.IntN(100))
				}
				m[k] = ns
			case 6:
				m[k] = 1.5
			}
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodePayload(m); string(got) != string(want) {
			t.Fatalf("encodePayload(%#v) = %s; want %s", m, got, want)
		}
	}
}
