// Package e2e holds the browser tests of motcua's pages: real headless
// Chromium (Debian's chromium package) driven by playwright-core, with
// axe-core checking WCAG 2.1 AA. They run with the rest of the suite; the
// npm packages are installed with "npm ci" in this directory.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua/seed"
	"motcua/sqlstore"
	"motcua/web"
)

// pageResult is what pages.mjs reports for one page at one width.
type pageResult struct {
	Path          string   `json:"path"`
	Width         int      `json:"width"`
	Status        int      `json:"status"`
	Lang          string   `json:"lang"`
	Title         string   `json:"title"`
	H1            []string `json:"h1"`
	ScrollWidth   int      `json:"scrollWidth"`
	ClientWidth   int      `json:"clientWidth"`
	ConsoleErrors []string `json:"consoleErrors"`
	Axe           []struct {
		ID     string   `json:"id"`
		Impact string   `json:"impact"`
		Help   string   `json:"help"`
		Nodes  []string `json:"nodes"`
	} `json:"axe"`
}

// requireBrowser skips, or fails under CI, when Chromium, Node.js or the
// npm packages are missing.
func requireBrowser(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		missing = append(missing, "/usr/bin/chromium (apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core")); err != nil {
		missing = append(missing, "e2e/node_modules (npm ci in e2e/)")
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("browser tests need %s", strings.Join(missing, ", "))
	}
	t.Skipf("browser tests skipped: missing %s", strings.Join(missing, ", "))
}

func TestPages(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "motcua.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cat, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ImportCatalog(ctx, cat); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewServer(web.Config{Store: db, Ready: db.Ping, AdminToken: "e2e", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	defer srv.Close()

	pages := map[string]struct{ lang, h1 string }{
		"/":         {"vi", "motcua"},
		"/?lang=en": {"en", "motcua"},
	}
	args := []string{"pages.mjs", srv.URL}
	for p := range pages {
		args = append(args, p)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node pages.mjs: %v\n%s", err, stderr.String())
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r pageResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		seen++
		want := pages[r.Path]
		name := r.Path + " at " + strconv.Itoa(r.Width) + "px"
		if r.Status != 200 {
			t.Errorf("%s: status %d", name, r.Status)
		}
		for _, v := range r.Axe {
			t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		}
		if r.ScrollWidth > r.ClientWidth {
			t.Errorf("%s: scrolls sideways (%d > %d)", name, r.ScrollWidth, r.ClientWidth)
		}
		if r.Lang != want.lang {
			t.Errorf("%s: lang %q, want %q", name, r.Lang, want.lang)
		}
		if len(r.H1) != 1 || !strings.Contains(r.H1[0], want.h1) {
			t.Errorf("%s: h1 %q, want one containing %q", name, r.H1, want.h1)
		}
		if r.Title == "" {
			t.Errorf("%s: no title", name)
		}
		for _, e := range r.ConsoleErrors {
			t.Errorf("%s: console error: %s", name, e)
		}
	}
	if seen != 2*len(pages) {
		t.Errorf("pages.mjs reported %d results, want %d; stderr: %s", seen, 2*len(pages), stderr.String())
	}
}
