package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
	"motcua/web"
)

// fiveSteps is a process of five steps after receipt for the testkit's
// criminal-record procedure (10 working days at the city's Department
// of Justice): check, review, approval, signature, return.
const fiveSteps = `{"code":"QT-BENCH-5","procedure":"DEMO-1.004227","name":"Năm bước","name_en":"Five steps",
"effective_from":"2020-01-01T00:00:00Z","start":"check","steps":[
{"id":"check","name":"Kiểm tra","name_en":"Check","role":"specialist","budget":{"value":2,"unit":"working_days"},
 "actions":[{"type":"forward","to":"review"},{"type":"refuse"}]},
{"id":"review","name":"Thẩm định","name_en":"Review","role":"specialist","budget":{"value":3,"unit":"working_days"},
 "actions":[{"type":"submit","name":"submit_for_approval","to":"approve"},{"type":"send_back","to":"check"}]},
{"id":"approve","name":"Phê duyệt","name_en":"Approval","role":"leader","budget":{"value":2,"unit":"working_days"},
 "actions":[{"type":"approve","to":"sign"}]},
{"id":"sign","name":"Ký","name_en":"Signature","role":"leader","budget":{"value":1,"unit":"working_days"},
 "actions":[{"type":"sign","to":"result"}]},
{"id":"result","name":"Trả kết quả","name_en":"Return","role":"one_door","budget":{"value":1,"unit":"working_days"},
 "actions":[{"type":"return"}]}]}`

// BenchmarkProcessAPI drives dossiers of a five-step process end to end
// through the HTTP API on a real store — a counter receipt and five
// actions, each answered after its commit — from 32 concurrent clients,
// and reports dossiers per second. The baseline case, in the same run,
// only receives dossiers (one request each).
func BenchmarkProcessAPI(b *testing.B) {
	for _, engine := range []string{sqlstore.EngineSQLite, sqlstore.EnginePostgres} {
		b.Run(engine, func(b *testing.B) {
			dsn := testkit.SQLiteDSN(b)
			if engine == sqlstore.EnginePostgres {
				dsn = testkit.PostgresDSN(b)
			}
			db := testkit.MustOpenDB(b, dsn, sqlstore.Options{})
			if err := db.ImportCatalog(context.Background(), testkit.Catalog()); err != nil {
				b.Fatal(err)
			}
			ctx := motcua.NewContextWithActor(context.Background(), motcua.SystemActor)
			var p motcua.Process
			if err := json.Unmarshal([]byte(fiveSteps), &p); err != nil {
				b.Fatal(err)
			}
			if _, err := db.CreateProcess(ctx, &p); err != nil {
				b.Fatal(err)
			}
			s := web.NewServer(web.Config{Store: db, AdminToken: "admin-token",
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			in, _ := json.Marshal(testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter))

			post := func(path, body string, v any) error {
				req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer admin-token")
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					return err
				}
				defer res.Body.Close()
				if res.StatusCode/100 != 2 {
					msg, _ := io.ReadAll(res.Body)
					return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, msg)
				}
				if v == nil {
					_, err = io.Copy(io.Discard, res.Body)
					return err
				}
				return json.NewDecoder(res.Body).Decode(v)
			}
			run := func(b *testing.B, flow bool) {
				b.SetParallelism(16) // 32 clients on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						var d struct {
							Code    string
							Version int
						}
						if err := post("/api/v1/dossiers", string(in), &d); err != nil {
							b.Error(err)
							return
						}
						if !flow {
							continue
						}
						for _, a := range []string{"forward", "submit_for_approval", "approve", "sign", "return"} {
							if err := post("/api/v1/dossiers/"+d.Code+"/actions", fmt.Sprintf(`{"action":%q,"version":%d}`, a, d.Version), &d); err != nil {
								b.Error(err)
								return
							}
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "dossiers/s")
			}
			b.Run("receipt", func(b *testing.B) { run(b, false) })
			b.Run("five-steps", func(b *testing.B) { run(b, true) })
		})
	}
}
