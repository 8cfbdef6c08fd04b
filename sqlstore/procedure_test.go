package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

func TestProcedures(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()

		p, err := s.FindProcedure(ctx, testkit.ProcedureCopy, testNow)
		if err != nil {
			t.Fatal(err)
		}
		want := testkit.Catalog().Procedures[1]
		want.Version = 1
		want.RequiredDocuments = []motcua.RequiredDocument{}
		want.AgencyCodes = []string{testkit.AgencyDistrict, testkit.AgencyCommune}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("FindProcedure =\n%+v; want\n%+v", p, want)
		}
		_, err = s.FindProcedure(ctx, "DEMO-0", testNow)
		wantError(t, err, motcua.ENOTFOUND)
		_, err = s.FindProcedure(ctx, testkit.ProcedureCopy, testkit.CatalogEffective.Add(-time.Microsecond))
		wantError(t, err, motcua.ENOTFOUND)
		if p, err := s.FindProcedureVersion(ctx, testkit.ProcedureCopy, 1); err != nil || !reflect.DeepEqual(p, want) {
			t.Errorf("FindProcedureVersion = %+v, %v", p, err)
		}
		_, err = s.FindProcedureVersion(ctx, testkit.ProcedureCopy, 2)
		wantError(t, err, motcua.ENOTFOUND)

		tests := []struct {
			name   string
			filter motcua.ProcedureFilter
			want   []string
			next   string
		}{
			{"All", motcua.ProcedureFilter{}, []string{testkit.ProcedureBirth, testkit.ProcedureCriminal, testkit.ProcedureCopy}, ""},
			{"WithoutDiacritics", motcua.ProcedureFilter{Query: "dang ky khai sinh"}, []string{testkit.ProcedureBirth}, ""},
			{"WithDiacritics", motcua.ProcedureFilter{Query: "  Đăng KÝ  khai sinh"}, []string{testkit.ProcedureBirth}, ""},
			{"English", motcua.ProcedureFilter{Query: "CRIMINAL record"}, []string{testkit.ProcedureCriminal}, ""},
			{"Code", motcua.ProcedureFilter{Query: "demo-2.000908"}, []string{testkit.ProcedureCopy}, ""},
			{"Wildcard", motcua.ProcedureFilter{Query: "%"}, nil, ""},
			{"ServiceLevel", motcua.ProcedureFilter{ServiceLevel: 3}, []string{testkit.ProcedureCopy}, ""},
			{"Unit", motcua.ProcedureFilter{Unit: testkit.UnitCommune}, []string{testkit.ProcedureBirth, testkit.ProcedureCopy}, ""},
			{"UnitAndQuery", motcua.ProcedureFilter{Unit: testkit.UnitDistrict, Query: "trich luc"}, []string{testkit.ProcedureCopy}, ""},
			{"UnitWithout", motcua.ProcedureFilter{Unit: testkit.UnitOther}, nil, ""},
			{"FirstPage", motcua.ProcedureFilter{Page: motcua.Page{Limit: 2}}, []string{testkit.ProcedureBirth, testkit.ProcedureCriminal}, testkit.ProcedureCriminal},
			{"NextPage", motcua.ProcedureFilter{Page: motcua.Page{Limit: 2, After: testkit.ProcedureCriminal}}, []string{testkit.ProcedureCopy}, ""},
		}
		for _, tt := range tests {
			t.Run("FindProcedures"+tt.name, func(t *testing.T) {
				ps, next, err := s.FindProcedures(ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, p := range ps {
					codes = append(codes, p.Code)
					if len(p.AgencyCodes) != 0 {
						t.Errorf("%s lists its agencies in a list result", p.Code)
					}
				}
				if !reflect.DeepEqual(codes, tt.want) || next != tt.next {
					t.Errorf("got %v, next %q; want %v, next %q", codes, next, tt.want, tt.next)
				}
			})
		}
		_, _, err = s.FindProcedures(ctx, motcua.ProcedureFilter{Unit: "99"})
		wantError(t, err, motcua.ENOTFOUND)

		t.Run("CreateInvalid", func(t *testing.T) {
			e := wantError(t, s.CreateProcedureVersion(ctx, &motcua.Procedure{}), motcua.EINVALID)
			want := []string{"code", "name", "effective_from", "service_level.level", "processing_time", "agency_codes"}
			if got := fieldNames(e); !reflect.DeepEqual(got, want) {
				t.Errorf("fields %v; want %v", got, want)
			}
			p := testkit.Catalog().Procedures[0]
			p.AgencyCodes = []string{testkit.AgencyCommune, "000.00.99.H26"}
			e = wantError(t, s.CreateProcedureVersion(ctx, p), motcua.EINVALID)
			if got := fieldNames(e); !reflect.DeepEqual(got, []string{"agency_codes"}) {
				t.Errorf("fields %v; want [agency_codes]", got)
			}
		})
	})
}

// TestProcedureVersions checks that a dossier pins the version in force
// when it is received, and keeps it after a new version takes effect.
func TestProcedureVersions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()

		v2 := testkit.Catalog().Procedures[2]
		v2.EffectiveFrom = testNow.Add(24 * time.Hour)
		v2.Name = "Cấp Phiếu lý lịch tư pháp (sửa đổi)"
		v2.ProcessingTime = motcua.ProcessingTime{Value: 5, Unit: motcua.WorkingDays}
		v2.AgencyCodes = []string{testkit.AgencyJustice, testkit.AgencyDistrict}
		if err := s.CreateProcedureVersion(ctx, v2); err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 {
			t.Fatalf("Version = %d; want 2", v2.Version)
		}

		for _, tt := range []struct {
			at      time.Time
			version int
		}{
			{testNow, 1},
			{v2.EffectiveFrom.Add(-time.Microsecond), 1},
			{v2.EffectiveFrom, 2},
			{v2.EffectiveFrom.AddDate(5, 0, 0), 2},
		} {
			p, err := s.FindProcedure(ctx, testkit.ProcedureCriminal, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if p.Version != tt.version {
				t.Errorf("at %v: version %d; want %d", tt.at, p.Version, tt.version)
			}
		}
		if ps, _, err := s.FindProcedures(ctx, motcua.ProcedureFilter{Query: "sua doi"}); err != nil || len(ps) != 0 {
			t.Errorf("FindProcedures found a version not yet in force: %v, %v", ps, err)
		}

		old := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelOnline)
		received := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
		if old.ProcedureVersion != 1 || received.ProcedureVersion != 1 {
			t.Fatalf("versions %d, %d; want 1", old.ProcedureVersion, received.ProcedureVersion)
		}
		// Ten working days from Monday 10 March 2025 at 09:00.
		if want := time.Date(2025, 3, 24, 2, 0, 0, 0, time.UTC); !received.DueAt.Equal(want) {
			t.Errorf("due %v; want %v", received.DueAt, want)
		}
		// The district does not handle version 1.
		_, _, err := s.CreateDossier(ctx, testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyDistrict, motcua.ChannelCounter), "")
		wantError(t, err, motcua.EINVALID)

		s.clock.Set(v2.EffectiveFrom.Add(time.Hour))
		if ps, _, err := s.FindProcedures(ctx, motcua.ProcedureFilter{Query: "sua doi"}); err != nil || len(ps) != 1 || ps[0].Version != 2 {
			t.Errorf("FindProcedures after the new version took effect: %v, %v", ps, err)
		}
		d := s.mustApply(t, old.ID, motcua.ActionReceive)
		if d.ProcedureVersion != 1 {
			t.Errorf("version %d after receipt; want the pinned 1", d.ProcedureVersion)
		}
		// Ten working days from Tuesday 11 March at 10:00.
		if want := time.Date(2025, 3, 25, 3, 0, 0, 0, time.UTC); !d.DueAt.Equal(want) {
			t.Errorf("due %v; want %v from version 1", d.DueAt, want)
		}
		nd := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyDistrict, motcua.ChannelCounter)
		if nd.ProcedureVersion != 2 {
			t.Errorf("new dossier pins version %d; want 2", nd.ProcedureVersion)
		}
		// Five working days from Tuesday 11 March at 10:00.
		if want := time.Date(2025, 3, 18, 3, 0, 0, 0, time.UTC); !nd.DueAt.Equal(want) {
			t.Errorf("due %v; want %v from version 2", nd.DueAt, want)
		}
	})
}
