package web

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"motcua"
)

// Field error reasons of the web package, besides motcua's.
const (
	fieldType       = "type"       // the JSON value has the wrong type
	fieldUnexpected = "unexpected" // the object member is not part of the request
)

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	return writeBody(w, status, "application/json", v)
}

// writeBody answers with v encoded as JSON under contentType. It encodes
// before writing anything, so an encoding error can still be answered.
func writeBody(w http.ResponseWriter, status int, contentType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

// decodeJSON decodes the JSON object of r's body into v, a pointer to a
// struct, after checking, in order, the content type, the size, the UTF-8
// encoding, the syntax, and that every member is one of v's fields with a
// value of the right JSON type. Every string reaches v in NFC. It
// returns an error listing every unexpected or mistyped member.
func decodeJSON(r *http.Request, v any) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8") {
		return &motcua.Error{Code: codeUnsupportedMediaType, Reason: "unsupported_media_type", Message: "The request body must be application/json."}
	}
	body, err := io.ReadAll(r.Body)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &motcua.Error{Code: motcua.ETOOLARGE, Reason: "body_too_large", Message: "The request body exceeds the limit of 1 MiB."}
	} else if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	return decodeObject(body, v)
}

// decodeObject decodes body, which must be one JSON object in UTF-8, into
// v as decodeJSON does, after the content type and the size.
func decodeObject(body []byte, v any) error {
	if !utf8.Valid(body) {
		return &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_utf8", Message: "The request body must be encoded in UTF-8."}
	}

	doc, err := parseObject(body)
	if err != nil {
		return err
	}
	var fs motcua.Fields
	checked := check(doc, reflect.TypeOf(v), "", &fs)
	if err := fs.Err(); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(checked); err != nil {
		return fmt.Errorf("re-encode request body: %w", err)
	}
	if err := json.Unmarshal(b.Bytes(), v); err != nil {
		return fmt.Errorf("decode request body: %w", err)
	}
	return nil
}

// parseObject parses body as exactly one JSON object, keeping numbers as
// json.Number. Returns EINVALID "malformed_json" naming the byte at which
// parsing failed.
func parseObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	err := dec.Decode(&doc)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("data after the JSON value")
		}
	}
	offset := dec.InputOffset()
	obj, ok := doc.(map[string]any)
	if err == nil && !ok {
		err = errors.New("not a JSON object")
		offset = int64(len(body)-len(bytes.TrimLeft(body, " \t\r\n"))) + 1
	}
	if err == nil {
		return obj, nil
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		offset = se.Offset
	} else if err == io.EOF || err == io.ErrUnexpectedEOF {
		offset = int64(len(body))
	}
	return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "malformed_json",
		Message: fmt.Sprintf("The request body is not a valid JSON object (error at byte %d).", offset),
		Params:  map[string]string{"offset": strconv.FormatInt(offset, 10)}}
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// check returns the decoded JSON value v with every string, object keys
// included, in NFC, and adds to fs a field error for each object member
// that the Go type t does not declare and for each value of a JSON type
// that t cannot hold. A nil t accepts any value.
func check(v any, t reflect.Type, path string, fs *motcua.Fields) any {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		t = nil
	}
	mismatch := func() { fs.Add(path, fieldType, "expected "+jsonType(t)) }
	switch v := v.(type) {
	case string:
		if t != nil && t.Kind() != reflect.String && !isBytes(t) {
			mismatch()
		}
		return norm.NFC.String(v)
	case bool:
		if t != nil && t.Kind() != reflect.Bool {
			mismatch()
		}
	case json.Number:
		if t != nil && !fitsNumber(string(v), t) {
			mismatch()
		}
	case []any:
		var elem reflect.Type
		if t != nil {
			if k := t.Kind(); k != reflect.Slice && k != reflect.Array || isBytes(t) {
				mismatch()
				return v
			}
			elem = t.Elem()
		}
		for i := range v {
			v[i] = check(v[i], elem, path+"["+strconv.Itoa(i)+"]", fs)
		}
	case map[string]any:
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = jsonFields(t)
			case reflect.Map:
				elem = t.Elem()
			default:
				mismatch()
				return v
			}
		}
		out := make(map[string]any, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			nk := norm.NFC.String(k)
			p := nk
			if path != "" {
				p = path + "." + nk
			}
			ft := elem
			if fields != nil {
				var ok bool
				if ft, ok = fields[nk]; !ok {
					fs.Add(p, fieldUnexpected, "not a member of this request")
					continue
				}
			}
			out[nk] = check(v[k], ft, p, fs)
		}
		return out
	}
	return v
}

// isBytes reports whether t is a byte slice, which JSON holds as a
// base64 string.
func isBytes(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
}

// fitsNumber reports whether the JSON number n decodes into t.
func fitsNumber(n string, t reflect.Type) bool {
	var err error
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err = strconv.ParseInt(n, 10, t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err = strconv.ParseUint(n, 10, t.Bits())
	case reflect.Float32, reflect.Float64:
		_, err = strconv.ParseFloat(n, t.Bits())
	default:
		return false
	}
	return err == nil
}

// jsonType names the JSON value that t holds, for error messages.
func jsonType(t reflect.Type) string {
	if isBytes(t) {
		return "a base64 string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// jsonFields returns the JSON member names of struct type t with the type
// of each: nil for members encoded as strings (",string").
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			maps.Copy(fields, jsonFields(f.Type))
			continue
		}
		if !f.IsExported() {
			continue
		}
		ft := f.Type
		if slices.Contains(strings.Split(opts, ","), "string") {
			ft = nil
		}
		fields[cmp.Or(name, f.Name)] = ft
	}
	return fields
}
