package sqlstore_test

import (
	"context"
	"reflect"
	"testing"

	"motcua"
	"motcua/internal/testkit"
)

func TestAgencies(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()

		a, err := s.FindAgency(ctx, testkit.AgencyCommune)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "UBND Phường Phúc Xá" || a.UnitCode != testkit.UnitCommune || a.Kind != motcua.AgencyPeoplesCommittee || !a.Sample {
			t.Errorf("FindAgency = %+v", a)
		}
		_, err = s.FindAgency(ctx, "000.00.99.H26")
		wantError(t, err, motcua.ENOTFOUND)

		codes := func(f motcua.AgencyFilter) ([]string, string) {
			t.Helper()
			as, next, err := s.FindAgencies(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var cs []string
			for _, a := range as {
				cs = append(cs, a.Code)
			}
			return cs, next
		}
		if got, next := codes(motcua.AgencyFilter{Unit: testkit.UnitDistrict}); !reflect.DeepEqual(got, []string{testkit.AgencyDistrict}) || next != "" {
			t.Errorf("agencies of the district = %v, %q", got, next)
		}
		if got, next := codes(motcua.AgencyFilter{Unit: testkit.UnitOther}); got != nil || next != "" {
			t.Errorf("agencies of a unit without any = %v, %q", got, next)
		}
		all := []string{testkit.AgencyJustice, testkit.AgencyDistrict, testkit.AgencyCommune}
		if got, next := codes(motcua.AgencyFilter{Page: motcua.Page{Limit: 2}}); !reflect.DeepEqual(got, all[:2]) || next != all[1] {
			t.Errorf("first page = %v, %q", got, next)
		} else if got, next := codes(motcua.AgencyFilter{Page: motcua.Page{Limit: 2, After: next}}); !reflect.DeepEqual(got, all[2:]) || next != "" {
			t.Errorf("second page = %v, %q", got, next)
		}
		_, _, err = s.FindAgencies(ctx, motcua.AgencyFilter{Unit: "99"})
		wantError(t, err, motcua.ENOTFOUND)
		if got, _ := codes(motcua.AgencyFilter{Procedure: testkit.ProcedureCopy}); !reflect.DeepEqual(got, []string{testkit.AgencyDistrict, testkit.AgencyCommune}) {
			t.Errorf("agencies handling %s = %v", testkit.ProcedureCopy, got)
		}
		if got, _ := codes(motcua.AgencyFilter{Procedure: testkit.ProcedureCopy, Unit: testkit.UnitCommune}); !reflect.DeepEqual(got, []string{testkit.AgencyCommune}) {
			t.Errorf("agencies of the commune handling %s = %v", testkit.ProcedureCopy, got)
		}
		_, _, err = s.FindAgencies(ctx, motcua.AgencyFilter{Procedure: "DEMO-none"})
		wantError(t, err, motcua.ENOTFOUND)

		t.Run("Create", func(t *testing.T) {
			a := &motcua.Agency{Code: "000.02.20.H26", Name: "UBND Quận Hoàn Kiếm", Kind: motcua.AgencyPeoplesCommittee, UnitCode: testkit.UnitOther}
			if err := s.CreateAgency(ctx, a); err != nil {
				t.Fatal(err)
			}
			if got, err := s.FindAgency(ctx, a.Code); err != nil || !reflect.DeepEqual(got, a) {
				t.Errorf("FindAgency = %+v, %v; want %+v", got, err, a)
			}
			wantError(t, s.CreateAgency(ctx, a), motcua.ECONFLICT)
			e := wantError(t, s.CreateAgency(ctx, &motcua.Agency{Code: "bad", Kind: "x"}), motcua.EINVALID)
			if got, want := fieldNames(e), []string{"code", "name", "unit", "kind"}; !reflect.DeepEqual(got, want) {
				t.Errorf("fields %v; want %v", got, want)
			}
			unknown := &motcua.Agency{Code: "000.03.20.H26", Name: "UBND", Kind: motcua.AgencyOther, UnitCode: "99"}
			e = wantError(t, s.CreateAgency(ctx, unknown), motcua.EINVALID)
			if got := fieldNames(e); !reflect.DeepEqual(got, []string{"unit"}) {
				t.Errorf("fields %v; want [unit]", got)
			}
		})
	})
}
