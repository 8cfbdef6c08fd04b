package motcua

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Retention is how long personal data that is no longer needed is kept
// (Decree 13/2023/NĐ-CP on the protection of personal data). Each period
// counts from the end of a record's use; a purge removes or anonymises
// what has passed its period. Dossiers, their events and the audit log
// are not covered: they are kept as the archives require.
type Retention struct {
	// Sessions: a session is deleted this long after its absolute end.
	Sessions time.Duration
	// IdempotencyKeys: a key is deleted this long after the dossier
	// creation it guarded.
	IdempotencyKeys time.Duration
	// Alerts: a due-soon or overdue alert is deleted this long after it
	// was emitted.
	Alerts time.Duration
	// InactiveCitizens: a citizen who has neither signed in nor had a
	// dossier of theirs changed for this long is anonymised.
	InactiveCitizens time.Duration
}

// Day is the unit in which retention periods are written.
const Day = 24 * time.Hour

// Bounds of a retention period.
const (
	MinRetention = Day
	MaxRetention = 36525 * Day // a hundred years
)

// DefaultRetention returns the retention used unless configured: ended
// sessions and idempotency keys 30 days, alerts a year, citizens
// inactive for five years.
func DefaultRetention() Retention {
	return Retention{Sessions: 30 * Day, IdempotencyKeys: 30 * Day, Alerts: 365 * Day, InactiveCitizens: 1825 * Day}
}

// retentionKinds names the periods in their written form, in order.
var retentionKinds = [...]string{"sessions", "idempotency", "alerts", "citizens"}

// periods returns pointers to r's periods in the order of retentionKinds.
func (r *Retention) periods() [len(retentionKinds)]*time.Duration {
	return [...]*time.Duration{&r.Sessions, &r.IdempotencyKeys, &r.Alerts, &r.InactiveCitizens}
}

// ParseRetention reads a retention written as comma-separated kind=Nd
// items, such as "sessions=30d,idempotency=30d,alerts=365d,citizens=1825d":
// the kinds are sessions, idempotency, alerts and citizens, N a decimal
// number of days. A kind not named keeps its default. Spaces, empty items,
// unknown or repeated kinds, other units and periods outside 1 day to 100
// years are refused.
func ParseRetention(s string) (Retention, error) {
	r := DefaultRetention()
	if s == "" {
		return r, errors.New("retention: empty; write kind=Nd items such as sessions=30d,alerts=365d")
	}
	ps := r.periods()
	var seen [len(retentionKinds)]bool
	for item := range strings.SplitSeq(s, ",") {
		kind, value, ok := strings.Cut(item, "=")
		if !ok {
			return r, fmt.Errorf("retention: %q is not kind=Nd", item)
		}
		i := slices.Index(retentionKinds[:], kind)
		if i < 0 {
			return r, fmt.Errorf("retention: unknown kind %q; the kinds are %s", kind, strings.Join(retentionKinds[:], ", "))
		}
		if seen[i] {
			return r, fmt.Errorf("retention: %s is given twice", kind)
		}
		seen[i] = true
		d, err := parseDays(value)
		if err != nil {
			return r, fmt.Errorf("retention: %s: %w", kind, err)
		}
		*ps[i] = d
	}
	return r, r.Validate()
}

// parseDays reads N days written "Nd", N of one to six decimal digits.
func parseDays(v string) (time.Duration, error) {
	digits, ok := strings.CutSuffix(v, "d")
	if !ok || digits == "" || len(digits) > 6 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number of days such as 30d", v)
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number of days such as 30d", v)
	}
	return time.Duration(n) * Day, nil
}

// Validate checks that every period is from 1 day to 100 years.
func (r Retention) Validate() error {
	var errs []error
	for i, p := range r.periods() {
		if *p < MinRetention || *p > MaxRetention {
			errs = append(errs, fmt.Errorf("retention: %s must be from 1d to %dd, not %s",
				retentionKinds[i], MaxRetention/Day, formatPeriod(*p)))
		}
	}
	return errors.Join(errs...)
}

// String writes r as ParseRetention reads it.
func (r Retention) String() string {
	var b strings.Builder
	for i, p := range r.periods() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(retentionKinds[i])
		b.WriteByte('=')
		b.WriteString(formatPeriod(*p))
	}
	return b.String()
}

// formatPeriod writes d in days when it is a whole number of them.
func formatPeriod(d time.Duration) string {
	if d%Day == 0 {
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	}
	return d.String()
}

// Set replaces r with the retention s describes (kinds not named take
// their defaults), so that *Retention is a flag.Value.
func (r *Retention) Set(s string) error {
	v, err := ParseRetention(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// PurgeReport says what a purge removed or anonymised, or, for a dry
// run, would have.
type PurgeReport struct {
	At     time.Time `json:"at"`
	DryRun bool      `json:"dry_run,omitempty"`
	// Sessions deleted, their absolute end past the retention.
	Sessions int64 `json:"sessions"`
	// IdempotencyKeys deleted.
	IdempotencyKeys int64 `json:"idempotency_keys"`
	// Alerts deleted.
	Alerts int64 `json:"alerts"`
	// Citizens anonymised.
	Citizens int64 `json:"citizens"`
}

// Changed reports whether the purge removed or anonymised anything.
func (p PurgeReport) Changed() bool {
	return p.Sessions+p.IdempotencyKeys+p.Alerts+p.Citizens > 0
}

// String writes the counts, as the purge's audit record details them.
func (p PurgeReport) String() string {
	return fmt.Sprintf("sessions=%d idempotency_keys=%d alerts=%d citizens=%d",
		p.Sessions, p.IdempotencyKeys, p.Alerts, p.Citizens)
}

// RetentionService applies the retention periods.
type RetentionService interface {
	// Purge deletes the sessions, idempotency keys and alerts, and
	// anonymises the citizens, whose period in r has passed by now (a
	// record exactly that old is purged). It never touches dossiers,
	// their events or the audit log. A purge that changed something
	// appends an audit record (AuditRetention) with the counts. Returns
	// EINVALID when r is not valid.
	Purge(ctx context.Context, now time.Time, r Retention) (PurgeReport, error)
	// PreviewPurge counts what Purge would change, changing nothing.
	PreviewPurge(ctx context.Context, now time.Time, r Retention) (PurgeReport, error)
}
