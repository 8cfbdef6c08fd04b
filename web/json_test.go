package web

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"motcua"
)

type checkInner struct {
	A int `json:"a"`
}

type checkEmbedded struct {
	E string `json:"e"`
}

type checkSample struct {
	checkEmbedded
	S     string                `json:"s"`
	B     int8                  `json:"b"`
	F     float32               `json:"f"`
	N     int64                 `json:"n,string"`
	M     map[string]checkInner `json:"m"`
	L     []checkInner          `json:"l"`
	P     *checkInner           `json:"p"`
	Raw   json.RawMessage       `json:"raw"`
	T     time.Time             `json:"t"`
	Any   any                   `json:"any"`
	Bytes []byte                `json:"bytes"`
	Skip  string                `json:"-"`
	Plain string
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // field:reason, in order
	}{
		{"Embedded", `{"e":"x"}`, nil},
		{"StringOption", `{"n":"5"}`, nil},
		{"Nulls", `{"s":null,"m":null,"l":null,"p":null}`, nil},
		{"MapOfStructs", `{"m":{"k":{"a":1}}}`, nil},
		{"MapMember", `{"m":{"k":{"z":1}}}`, []string{"m.k.z:unexpected"}},
		{"ListElement", `{"l":[{"a":1},{"a":"x"}]}`, []string{"l[1].a:type"}},
		{"Pointer", `{"p":{"a":1.5}}`, []string{"p.a:type"}},
		{"Overflow", `{"b":300}`, []string{"b:type"}},
		{"Float", `{"f":1e3}`, nil},
		{"SelfDecoding", `{"raw":{"x":[1,{"y":null}]},"t":"2025-01-01T00:00:00Z"}`, nil},
		{"Interface", `{"any":{"x":[1,"a",true]}}`, nil},
		{"Bytes", `{"bytes":"AAE="}`, nil},
		{"BytesArray", `{"bytes":[0,1]}`, []string{"bytes:type"}},
		{"Dash", `{"Skip":"x","-":"y"}`, []string{"-:unexpected", "Skip:unexpected"}},
		{"FieldName", `{"Plain":"x"}`, nil},
		{"Everything", `{"s":1,"b":true,"l":{},"m":[],"z":0}`,
			[]string{"b:type", "l:type", "m:type", "s:type", "z:unexpected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseObject([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var fs motcua.Fields
			checked := check(doc, reflect.TypeFor[*checkSample](), "", &fs)
			var got []string
			for _, f := range fs {
				got = append(got, f.Field+":"+f.Reason)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("field errors = %v; want %v", got, tt.want)
			}
			if len(fs) > 0 {
				return
			}
			b, _ := json.Marshal(checked)
			var v checkSample
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("the checked document does not decode: %v", err)
			}
		})
	}
}

func TestParseObjectOffsets(t *testing.T) {
	tests := []struct {
		body   string
		offset string
	}{
		{`{"a": }`, "7"},
		{`  [1]`, "3"},
		{`"s"`, "1"},
		{``, "0"},
		{`{"a":1`, "6"},
		{`{}x`, "3"},
	}
	for _, tt := range tests {
		_, err := parseObject([]byte(tt.body))
		e, ok := err.(*motcua.Error)
		if !ok || e.Reason != "malformed_json" || e.Params["offset"] != tt.offset {
			t.Errorf("parseObject(%q) = %v; want malformed_json at byte %s", tt.body, err, tt.offset)
		}
	}
	if _, err := parseObject([]byte(" {\"a\": [1, 2.50]}\n")); err != nil {
		t.Errorf("valid object: %v", err)
	}
	if doc, _ := parseObject([]byte(`{"n":12345678901234567890.10}`)); !strings.Contains(doc["n"].(json.Number).String(), "12345678901234567890.10") {
		t.Errorf("number not kept exactly: %v", doc["n"])
	}
}
