package sqlstore_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// benchEngines runs f on a store loaded with testkit.Catalog on each
// engine.
func benchEngines(b *testing.B, f func(b *testing.B, s *store)) {
	benchEnginesWith(b, testkit.Catalog, f)
}

// benchEnginesWith runs f on a store loaded with the catalogue c returns
// on each engine.
func benchEnginesWith(b *testing.B, c func() *motcua.Catalog, f func(b *testing.B, s *store)) {
	for _, engine := range []string{sqlstore.EngineSQLite, sqlstore.EnginePostgres} {
		b.Run(engine, func(b *testing.B) {
			dsn := testkit.SQLiteDSN(b)
			if engine == sqlstore.EnginePostgres {
				dsn = testkit.PostgresDSN(b)
			}
			s := mustOpenEmpty(b, dsn)
			if err := s.ImportCatalog(context.Background(), c()); err != nil {
				b.Fatal(err)
			}
			f(b, s)
		})
	}
}

// BenchmarkCreateDossier measures the receipt of a counter dossier: the
// lookups, the code from the day's counter, the row and its first event,
// in one transaction.
func BenchmarkCreateDossier(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		for b.Loop() {
			in := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
			if _, _, err := s.CreateDossier(ctx, in, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDossierCode measures code generation alone: the day's counter
// row incremented and committed.
func BenchmarkDossierCode(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		for b.Loop() {
			if _, err := s.NextCodeCommit(ctx, testkit.AgencyCommune); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCreateDossierParallel measures concurrent receipts at one
// agency, all drawing numbers from the same counter.
func BenchmarkCreateDossierParallel(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				in := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
				if _, _, err := s.CreateDossier(ctx, in, ""); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCreateDossierParallel32 measures receipts from 32 goroutines
// spread over 21 agencies, as a province's counters are busy at once.
func BenchmarkCreateDossierParallel32(b *testing.B) {
	var agencies []string
	catalog := func() *motcua.Catalog {
		c, codes := testkit.CatalogWithCommunes(20)
		agencies = codes
		return c
	}
	benchEnginesWith(b, catalog, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		var next atomic.Int64
		b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				agency := agencies[int(next.Add(1))%len(agencies)]
				in := testkit.DossierInput(testkit.ProcedureBirth, agency, motcua.ChannelCounter)
				if _, _, err := s.CreateDossier(ctx, in, ""); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkApplyAction measures appending an event: lock the dossier,
// apply the action, chain the event and update the row.
func BenchmarkApplyAction(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		ids := make([]string, b.N)
		for i := range ids {
			ids[i] = s.mustCreate(b, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter).ID
		}
		b.ResetTimer()
		for _, id := range ids {
			if _, err := s.ApplyAction(ctx, id, motcua.ActionRequest{Action: motcua.ActionStart}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFindDossier measures reading a dossier with five events by its
// code: whole, as actions and timelines read it, and its stored document
// alone, as a look-up reads it.
func BenchmarkFindDossier(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		d := s.mustCreate(b, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
		s.mustApply(b, d.ID, motcua.ActionStart, motcua.ActionRequestSupplement, motcua.ActionSupplement, motcua.ActionReady)
		for _, bc := range []struct {
			name string
			find func() error
		}{
			{"dossier", func() error { _, err := s.FindDossier(ctx, d.Code); return err }},
			{"document", func() error { _, err := s.FindDossierJSON(ctx, d.Code); return err }},
		} {
			b.Run(bc.name, func(b *testing.B) {
				for b.Loop() {
					if err := bc.find(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkBaselineCommit measures a transaction inserting one row into a
// bare table: the cost of a durable commit, the floor under every write.
func BenchmarkBaselineCommit(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		if err := s.CreateBaselineTable(ctx); err != nil {
			b.Fatal(err)
		}
		id := 0
		for b.Loop() {
			id++
			if err := s.BaselineCommit(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBaselineRead measures reading one row by primary key in a read
// transaction: the floor under every look-up.
func BenchmarkBaselineRead(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		if err := s.CreateBaselineTable(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.BaselineCommit(ctx, 1); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := s.BaselineRead(ctx, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoadCalendar measures a rebuild of the legal calendar, which
// every DB makes once after each change of the calendar: the parents of
// 11,111 units, as many as Vietnam had in 2019, a week and a few
// officials' days.
func BenchmarkLoadCalendar(b *testing.B) {
	for _, engine := range []string{sqlstore.EngineSQLite, sqlstore.EnginePostgres} {
		b.Run(engine, func(b *testing.B) {
			dsn := testkit.SQLiteDSN(b)
			if engine == sqlstore.EnginePostgres {
				dsn = testkit.PostgresDSN(b)
			}
			s := mustOpenEmpty(b, dsn)
			ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
			units := []*motcua.Unit{{Code: "0", Name: "Tỉnh", Type: "Tỉnh", Level: 1}}
			for d := range 110 {
				district := fmt.Sprintf("%03d", d+1)
				units = append(units, &motcua.Unit{Code: district, Name: "Huyện " + district, Type: "Huyện", Level: 2, ParentCode: "0"})
				for c := range 100 {
					code := fmt.Sprintf("%s%02d", district, c)
					units = append(units, &motcua.Unit{Code: code, Name: "Xã " + code, Type: "Xã", Level: 3, ParentCode: district})
				}
			}
			if err := s.ImportUnits(ctx, units); err != nil {
				b.Fatal(err)
			}
			w := motcua.DefaultWorkWeek()
			w.Unit = "001"
			if err := s.SetWorkWeek(ctx, &w); err != nil {
				b.Fatal(err)
			}
			for _, date := range []string{"2026-01-02", "2026-04-24", "2026-09-04"} {
				if err := s.SetOfficialDay(ctx, &motcua.OfficialDay{Unit: "0", Date: date, Kind: motcua.DayHoliday}); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if err := s.LoadCalendar(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateDossiers measures loading dossiers a thousand at a time,
// spread over 21 agencies (time per dossier).
func BenchmarkCreateDossiers(b *testing.B) {
	var agencies []string
	catalog := func() *motcua.Catalog {
		c, codes := testkit.CatalogWithCommunes(20)
		agencies = codes
		return c
	}
	benchEnginesWith(b, catalog, func(b *testing.B, s *store) {
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		ins := make([]*motcua.DossierInput, 1000)
		n := 0
		for b.Loop() {
			for i := range ins {
				ins[i] = testkit.DossierInput(testkit.ProcedureBirth, agencies[i%len(agencies)], motcua.ChannelCounter)
			}
			if _, err := s.CreateDossiers(ctx, ins); err != nil {
				b.Fatal(err)
			}
			n += len(ins)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/dossier")
	})
}
