package motcua_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// adapters are the packages that implement or consume the domain; they may
// import the root, calendar and workflow, never one another.
var adapters = map[string]bool{
	"sqlstore": true, "web": true, "gateway": true, "auth": true,
	"notify": true, "blob": true, "scheduler": true, "seed": true,
}

// pure packages import only the root and the standard library.
var pure = map[string]bool{"calendar": true, "workflow": true}

// renderers turn values into documents (PDF, XLSX) without I/O of their
// own: they import the root, the standard library and third-party
// libraries, and adapters may import them.
var renderers = map[string]bool{"report": true}

// TestDependencies enforces the import rules of docs/ARCHITECTURE.md.
func TestDependencies(t *testing.T) {
	for dir, imports := range packageImports(t) {
		for imp, file := range imports {
			local, isLocal := strings.CutPrefix(imp, "motcua/")
			isLocal = isLocal || imp == "motcua"
			std := !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !isLocal
			top := strings.SplitN(local, "/", 2)[0]
			switch {
			case dir == ".":
				if !std && !strings.HasSuffix(file, "_test.go") {
					t.Errorf("%s: the root package imports %s; it may import only the standard library", file, imp)
				}
			case pure[dir]:
				if !std && imp != "motcua" && !strings.HasSuffix(file, "_test.go") {
					t.Errorf("%s: package %s imports %s; it may import only the root and the standard library", file, dir, imp)
				}
			case renderers[dir]:
				if isLocal && imp != "motcua" && !strings.HasSuffix(file, "_test.go") {
					t.Errorf("%s: package %s imports %s; it may import only the root and libraries", file, dir, imp)
				}
			case adapters[strings.SplitN(dir, "/", 2)[0]]:
				own := strings.SplitN(dir, "/", 2)[0]
				if isLocal && adapters[top] && top != own {
					t.Errorf("%s: adapter %s imports adapter %s; adapters meet only in cmd/motcua", file, own, imp)
				}
			}
			if imp == "database/sql" && !strings.HasPrefix(dir, "sqlstore") && dir != "internal/testkit" {
				t.Errorf("%s: database/sql is used outside sqlstore", file)
			}
		}
	}
}

// TestPackageDocs checks that every package has a doc comment.
func TestPackageDocs(t *testing.T) {
	for dir := range packageImports(t) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		documented, sources := false, 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			sources++
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if af.Doc != nil && strings.HasPrefix(af.Doc.Text(), "Package "+af.Name.Name+" ") ||
				af.Doc != nil && af.Name.Name == "main" && strings.HasPrefix(af.Doc.Text(), "Command ") {
				documented = true
			}
		}
		if !documented && sources > 0 {
			t.Errorf("package in %s has no doc comment starting with \"Package <name> \"", dir)
		}
	}
}

// packageImports maps each package directory (relative, "." for the root)
// to its imports and a file that imports each.
func packageImports(t *testing.T) map[string]map[string]string {
	t.Helper()
	pkgs := map[string]map[string]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "motcua-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if pkgs[dir] == nil {
			pkgs[dir] = map[string]string{}
		}
		for _, is := range f.Imports {
			imp, _ := strconv.Unquote(is.Path.Value)
			if _, seen := pkgs[dir][imp]; !seen || !strings.HasSuffix(path, "_test.go") {
				pkgs[dir][imp] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}
