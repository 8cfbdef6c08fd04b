package sqlstore_test

import (
	"context"
	"reflect"
	"testing"

	"motcua"
	"motcua/internal/testkit"
)

func TestCatalog(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		if label, empty, err := s.Dataset(ctx); err != nil || label != "" || !empty {
			t.Errorf("Dataset of a new database = %q, %v, %v", label, empty, err)
		}

		bad := testkit.Catalog()
		bad.Units[1].ParentCode = "99"
		bad.Agencies[0].UnitCode = "98"
		bad.Agencies[1].Code = "bad"
		bad.Procedures[0].Name = ""
		bad.Procedures[1].AgencyCodes = []string{"000.00.99.H26"}
		e := wantError(t, s.ImportCatalog(ctx, bad), motcua.EINVALID)
		want := []string{"units[1].parent_code", "agencies[0].unit", "agencies[1].code", "procedures[0].name", "procedures[1].agency_codes"}
		if got := fieldNames(e); !reflect.DeepEqual(got, want) {
			t.Errorf("fields %v; want %v", got, want)
		}
		if _, empty, _ := s.Dataset(ctx); !empty {
			t.Error("an invalid catalogue left data behind")
		}

		if err := s.ImportCatalog(ctx, testkit.Catalog()); err != nil {
			t.Fatal(err)
		}
		if label, empty, err := s.Dataset(ctx); err != nil || label != "test" || empty {
			t.Errorf("Dataset = %q, %v, %v; want test, false", label, empty, err)
		}
		wantError(t, s.ImportCatalog(ctx, testkit.Catalog()), motcua.ECONFLICT)
	})
}
