package main

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// TestVerifyAudit tampers with the audit log directly in SQL and checks
// that motcua verify audit names the record where the chain breaks.
func TestVerifyAudit(t *testing.T) {
	// forge puts at seq 5 a record linked to record 4, with its own hash
	// but not record 6's previous hash.
	forge := func(records []*motcua.AuditRecord) []string {
		r := &motcua.AuditRecord{Seq: 5, At: time.Date(2025, 3, 10, 2, 0, 1, 0, time.UTC),
			Actor: motcua.Actor{Kind: motcua.ActorOfficer, ID: "an.nv", Name: "An"}, Action: motcua.AuditSignIn,
			Outcome: motcua.OutcomeOK, Detail: "forged", PrevHash: records[3].Hash}
		r.Hash = r.ComputeHash()
		return []string{`DELETE FROM audit_log WHERE seq = 5`, fmt.Sprintf(`INSERT INTO audit_log
			(seq, at, actor_kind, actor_id, actor_name, action, object, outcome, ip, detail, prev_hash, hash)
			VALUES (%d, '%s', '%s', '%s', '%s', '%s', '', '%s', '', '%s', '%s', '%s')`,
			r.Seq, motcua.FormatTime(r.At), r.Actor.Kind, r.Actor.ID, r.Actor.Name, r.Action, r.Outcome, r.Detail, r.PrevHash, r.Hash)}
	}
	tests := []struct {
		name   string
		tamper func(records []*motcua.AuditRecord) []string
		status int
		out    string
	}{
		{"Intact", nil, 0, "audit: 10 records, chain intact\n"},
		{"EditedDetail", func([]*motcua.AuditRecord) []string {
			return []string{`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 4`}
		}, 1, "audit: record 4: edited\naudit: 10 records, chain broken in 1 place\n"},
		{"DeletedMiddle", func([]*motcua.AuditRecord) []string {
			return []string{`DELETE FROM audit_log WHERE seq = 5`}
		}, 1, "audit: record 5: missing\naudit: 9 records, chain broken in 1 place\n"},
		{"DeletedLast", func([]*motcua.AuditRecord) []string {
			return []string{`DELETE FROM audit_log WHERE seq = 10`}
		}, 1, "audit: record 10: missing\naudit: 9 records, chain broken in 1 place\n"},
		{"Forged", forge, 1, "audit: record 6: inserted or deleted\naudit: 10 records, chain broken in 1 place\n"},
		{"HeadDeleted", func([]*motcua.AuditRecord) []string {
			return []string{`DELETE FROM audit_head`}
		}, 1, "audit: head missing\naudit: 10 records, chain broken in 1 place\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				db := testkit.MustOpenDB(t, dsn, sqlstore.Options{})
				var records []*motcua.AuditRecord
				for i := range 10 {
					r := &motcua.AuditRecord{Actor: motcua.BootstrapAdmin, Action: motcua.AuditStaffChange,
						Object: fmt.Sprint("staff:", i), Outcome: motcua.OutcomeOK}
					if err := db.Audit(ctx, r); err != nil {
						t.Fatal(err)
					}
					records = append(records, r)
				}
				if tt.tamper != nil {
					execRaw(t, dsn, tt.tamper(records)...)
				}
				var stdout, stderr bytes.Buffer
				if got := run(ctx, []string{"verify", "audit", "--db", dsn}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr); got != tt.status {
					t.Errorf("verify audit = %d, want %d; stderr %s", got, tt.status, stderr.String())
				}
				if stdout.String() != tt.out {
					t.Errorf("verify audit printed\n%s\nwant\n%s", stdout.String(), tt.out)
				}
			})
		})
	}
	var stderr bytes.Buffer
	if got := run(context.Background(), []string{"verify", "everything"}, func(string) string { return "" }, strings.NewReader(""), &bytes.Buffer{}, &stderr); got != 2 ||
		!strings.Contains(stderr.String(), "verify audit") {
		t.Errorf("verify everything = %d, %q; want 2 and the usage", got, stderr.String())
	}
}

// execRaw runs statements on a connection of its own, outside the store,
// as someone tampering with the tables would. It uses the drivers
// directly: database/sql belongs to sqlstore.
func execRaw(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		c, err := (&sqlite.Driver{}).Open("file:" + path + "?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, s := range stmts {
			if _, err := c.(driver.ExecerContext).ExecContext(ctx, s, nil); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		return
	}
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s).ReadAll(); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
