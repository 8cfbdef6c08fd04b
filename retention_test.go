package motcua_test

import (
	"strings"
	"testing"
	"time"

	"motcua"
)

func TestParseRetention(t *testing.T) {
	const day = motcua.Day
	def := motcua.DefaultRetention()
	with := func(f func(*motcua.Retention)) motcua.Retention {
		r := def
		f(&r)
		return r
	}
	tests := []struct {
		in   string
		want motcua.Retention
		err  string // a part of the error; "" when none
	}{
		{in: "sessions=30d,idempotency=30d,alerts=365d,citizens=1825d", want: def},
		{in: "citizens=3650d", want: with(func(r *motcua.Retention) { r.InactiveCitizens = 3650 * day })},
		{in: "alerts=1d,sessions=7d", want: with(func(r *motcua.Retention) { r.Alerts, r.Sessions = day, 7*day })},
		{in: "idempotency=36525d", want: with(func(r *motcua.Retention) { r.IdempotencyKeys = 36525 * day })},
		{in: "sessions=007d", want: with(func(r *motcua.Retention) { r.Sessions = 7 * day })},
		{in: "", err: "empty"},
		{in: "sessions", err: "not kind=Nd"},
		{in: "sessions=30", err: "number of days"},
		{in: "sessions=30h", err: "number of days"},
		{in: "sessions=720h", err: "number of days"},
		{in: "sessions=d", err: "number of days"},
		{in: "sessions=-1d", err: "number of days"},
		{in: "sessions=+1d", err: "number of days"},
		{in: "sessions=1.5d", err: "number of days"},
		{in: "sessions=1234567d", err: "number of days"},
		{in: "sessions=0d", err: "from 1d"},
		{in: "sessions=36526d", err: "from 1d"},
		{in: "sessions=999999d", err: "from 1d"},
		{in: "Sessions=30d", err: "unknown kind"},
		{in: "audit=30d", err: "unknown kind"},
		{in: "sessions=30d,sessions=31d", err: "twice"},
		{in: "sessions=30d,", err: "not kind=Nd"},
		{in: ",sessions=30d", err: "not kind=Nd"},
		{in: "sessions=30d,,alerts=1d", err: "not kind=Nd"},
		{in: "sessions = 30d", err: "unknown kind"},
		{in: "sessions=30d, alerts=1d", err: "unknown kind"},
		{in: "sessions=30d ", err: "number of days"},
		{in: "sessions=30d=1d", err: "number of days"},
	}
	for _, tt := range tests {
		got, err := motcua.ParseRetention(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseRetention(%q): %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseRetention(%q) = %v, %v; want an error saying %q", tt.in, got, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseRetention(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestRetentionString(t *testing.T) {
	const want = "sessions=30d,idempotency=30d,alerts=365d,citizens=1825d"
	if got := motcua.DefaultRetention().String(); got != want {
		t.Errorf("DefaultRetention().String() = %q; want %q", got, want)
	}
	r := motcua.Retention{Sessions: 36 * time.Hour, IdempotencyKeys: motcua.Day, Alerts: motcua.Day, InactiveCitizens: motcua.Day}
	if got := r.String(); got != "sessions=36h0m0s,idempotency=1d,alerts=1d,citizens=1d" {
		t.Errorf("String() = %q", got)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate(%v) = %v; 36 hours is more than a day", r, err)
	}
	var set motcua.Retention
	if err := set.Set("alerts=2d"); err != nil || set.Alerts != 2*motcua.Day || set.Sessions != 30*motcua.Day {
		t.Errorf("Set(alerts=2d) = %v, %v", set, err)
	}
	if err := set.Set("alerts=0d"); err == nil || set.Alerts != 2*motcua.Day {
		t.Errorf("Set(alerts=0d) = %v, %v; want an error and the value kept", set, err)
	}
	if err := (motcua.Retention{}).Validate(); err == nil || strings.Count(err.Error(), "must be") != 4 {
		t.Errorf("Validate of a zero retention = %v; want an error for each kind", err)
	}
}

func TestPurgeReport(t *testing.T) {
	var p motcua.PurgeReport
	if p.Changed() {
		t.Error("an empty report changed something")
	}
	p.Alerts = 2
	if !p.Changed() || p.String() != "sessions=0 idempotency_keys=0 alerts=2 citizens=0" {
		t.Errorf("report = %v, changed %v", p, p.Changed())
	}
}

// FuzzParseRetention checks that whatever ParseRetention accepts is
// valid, written back by String, and read again as the same retention.
func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{"sessions=30d,idempotency=30d,alerts=365d,citizens=1825d", "citizens=1d", "alerts=36525d",
		"sessions=30d,sessions=1d", "x=1d", "sessions=1h", "", ",", "=", "sessions=0d", "alerts=99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := motcua.ParseRetention(s)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseRetention(%q) accepted an invalid %v: %v", s, r, err)
		}
		again, err := motcua.ParseRetention(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRetention(%q) = %v, whose String %q reads as %v, %v", s, r, r.String(), again, err)
		}
	})
}
