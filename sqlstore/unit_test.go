package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

func TestUnits(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()

		t.Run("FindUnit", func(t *testing.T) {
			u, err := s.FindUnit(ctx, testkit.UnitCommune)
			if err != nil {
				t.Fatal(err)
			}
			want := &motcua.Unit{Code: testkit.UnitCommune, Name: "Phường Phúc Xá", Type: "Phường", Level: 3, ParentCode: testkit.UnitDistrict}
			if !reflect.DeepEqual(u, want) {
				t.Errorf("got %+v; want %+v", u, want)
			}
			_, err = s.FindUnit(ctx, "99")
			wantError(t, err, motcua.ENOTFOUND)
		})

		tests := []struct {
			name   string
			filter motcua.UnitFilter
			want   []string
			next   string
		}{
			{"TopLevel", motcua.UnitFilter{}, []string{testkit.UnitCity}, ""},
			{"Children", motcua.UnitFilter{Parent: testkit.UnitCity}, []string{testkit.UnitDistrict, testkit.UnitOther}, ""},
			{"FirstPage", motcua.UnitFilter{Parent: testkit.UnitCity, Page: motcua.Page{Limit: 1}}, []string{testkit.UnitDistrict}, testkit.UnitDistrict},
			{"NextPage", motcua.UnitFilter{Parent: testkit.UnitCity, Page: motcua.Page{Limit: 1, After: testkit.UnitDistrict}}, []string{testkit.UnitOther}, ""},
			{"Leaf", motcua.UnitFilter{Parent: testkit.UnitCommune}, nil, ""},
		}
		for _, tt := range tests {
			t.Run("FindUnits"+tt.name, func(t *testing.T) {
				units, next, err := s.FindUnits(ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, u := range units {
					codes = append(codes, u.Code)
				}
				if !reflect.DeepEqual(codes, tt.want) || next != tt.next {
					t.Errorf("got %v, next %q; want %v, next %q", codes, next, tt.want, tt.next)
				}
			})
		}
		t.Run("FindUnitsUnknownParent", func(t *testing.T) {
			_, _, err := s.FindUnits(ctx, motcua.UnitFilter{Parent: "99"})
			wantError(t, err, motcua.ENOTFOUND)
		})
		t.Run("ImportIntoNonEmpty", func(t *testing.T) {
			err := s.ImportUnits(ctx, []*motcua.Unit{{Code: "02", Name: "Tỉnh Hà Giang", Level: 1}})
			wantError(t, err, motcua.ECONFLICT)
		})
	})
}

func TestImportUnits(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()

		invalid := []struct {
			name  string
			units []*motcua.Unit
			field string
		}{
			{"MissingParent", []*motcua.Unit{{Code: "01", Name: "A", Level: 1}, {Code: "001", Name: "B", Level: 2, ParentCode: "02"}}, "units[1].parent_code"},
			{"WrongLevel", []*motcua.Unit{{Code: "01", Name: "A", Level: 1}, {Code: "001", Name: "B", Level: 3, ParentCode: "01"}}, "units[1].level"},
			{"Duplicate", []*motcua.Unit{{Code: "01", Name: "A", Level: 1}, {Code: "01", Name: "B", Level: 1}}, "units[1].code"},
			{"Cycle", []*motcua.Unit{{Code: "01", Name: "A", Level: 1, ParentCode: "02"}, {Code: "02", Name: "B", Level: 2, ParentCode: "01"}}, "units[0].parent_code"},
			{"NoName", []*motcua.Unit{{Code: "01", Level: 1}}, "units[0].name"},
		}
		for _, tt := range invalid {
			t.Run(tt.name, func(t *testing.T) {
				e := wantError(t, s.ImportUnits(ctx, tt.units), motcua.EINVALID)
				if names := fieldNames(e); len(names) == 0 || names[0] != tt.field {
					t.Errorf("fields %v; want %s first (%v)", names, tt.field, e)
				}
			})
		}

		// 11,121 units, children listed before their parents.
		var units []*motcua.Unit
		for p := range 11 {
			province := fmt.Sprintf("%02d", p+1)
			for d := range 10 {
				district := fmt.Sprintf("%s%d", province, d)
				for c := range 100 {
					units = append(units, &motcua.Unit{Code: fmt.Sprintf("%s%03d", district, c), Name: "Xã " + district, Type: "Xã", Level: 3, ParentCode: district})
				}
				units = append(units, &motcua.Unit{Code: district, Name: "Huyện " + district, Type: "Huyện", Level: 2, ParentCode: province})
			}
			units = append(units, &motcua.Unit{Code: province, Name: "Tỉnh " + province, Type: "Tỉnh", Level: 1})
		}
		start := time.Now()
		if err := s.ImportUnits(ctx, units); err != nil {
			t.Fatal(err)
		}
		t.Logf("imported %d units in %v", len(units), time.Since(start))
		got, next, err := s.FindUnits(ctx, motcua.UnitFilter{Parent: "015"})
		if err != nil || len(got) != 100 || next != "" || got[0].Code != "015000" {
			t.Errorf("FindUnits = %d units, next %q, %v", len(got), next, err)
		}
		if _, _, err := s.FindUnits(ctx, motcua.UnitFilter{Page: motcua.Page{Limit: 5000}}); err != nil {
			t.Error(err)
		}
		wantError(t, s.ImportUnits(ctx, units[:1]), motcua.ECONFLICT)
	})
}
