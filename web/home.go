package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"time"

	"motcua"
	"motcua/web/locale"
)

//go:embed templates/home.html static openapi.json
var files embed.FS

// homeView is what the home page shows: the page's language, the other
// language offered, and the release.
type homeView struct {
	Lang    locale.Lang
	Other   locale.Lang
	Version string
}

// serveHome answers with the home page in Vietnamese, or in the language
// of the lang query parameter. Pages do not follow Accept-Language: many
// phones in Vietnam send English, and a public service speaks Vietnamese
// unless its user asks otherwise.
func (s *Server) serveHome(w http.ResponseWriter, r *http.Request) error {
	lang, ok := locale.Parse(r.URL.Query().Get("lang"))
	if !ok {
		lang = locale.Vietnamese
	}
	v := homeView{Lang: lang, Other: locale.English, Version: s.version}
	if lang == locale.English {
		v.Other = locale.Vietnamese
	}
	var b bytes.Buffer
	if err := s.home.Execute(&b, v); err != nil {
		return fmt.Errorf("render home page: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(lang))
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	b.WriteTo(w)
	return nil
}

// asset is an embedded file, served with an ETag so that clients
// revalidate it cheaply.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// mustAsset returns the embedded file name as an asset.
func mustAsset(name string) *asset {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return &asset{body: b, contentType: mime.TypeByExtension(path.Ext(name)),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
}

// staticAssets returns the files of the static directory by name.
func staticAssets() map[string]*asset {
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		panic(err)
	}
	assets := make(map[string]*asset, len(entries))
	for _, e := range entries {
		assets[e.Name()] = mustAsset("static/" + e.Name())
	}
	return assets
}

// serve answers with a, or with 304 Not Modified when the client holds
// it already.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// serveStatic answers with a file of the static directory. Returns
// ENOTFOUND.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	a, ok := s.static[r.PathValue("name")]
	if !ok {
		return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "route_not_found",
			Message: fmt.Sprintf("There is no resource at %s.", r.URL.Path), Params: map[string]string{"path": r.URL.Path}}
	}
	a.serve(w, r)
	return nil
}

// serveOpenAPI answers with the OpenAPI document of the API.
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	s.openapi.serve(w, r)
	return nil
}
