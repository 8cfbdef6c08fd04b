package calendar_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua/calendar"
)

// readCSV returns the rows of a recorded table in testdata, without its
// comment lines and header.
func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	s := bufio.NewScanner(f)
	header := true
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		rows = append(rows, strings.Split(line, ","))
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s has no rows", name)
	}
	return rows
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func parseDate(t *testing.T, s string) (int, time.Month, int) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d.Date()
}

func solar(t *testing.T, ly, lm, ld int, leap bool) string {
	t.Helper()
	y, m, d, ok := calendar.SolarDate(ly, lm, ld, leap)
	if !ok {
		t.Fatalf("SolarDate(%d, %d, %d, %v) does not exist", ly, lm, ld, leap)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// TestTet checks the first day, the last day and the 10th day of the 3rd
// month of every lunar year from 1900 to 2100 against the dates recorded
// from amlich (testdata/tet.csv).
func TestTet(t *testing.T) {
	for _, r := range readCSV(t, "tet.csv") {
		ly := atoi(t, r[0])
		if got := solar(t, ly, 1, 1, false); got != r[1] {
			t.Errorf("Tết %d = %s; want %s", ly, got, r[1])
		}
		next := solar(t, ly+1, 1, 1, false)
		nd, _ := time.Parse(time.DateOnly, next)
		if got := nd.AddDate(0, 0, -1).Format(time.DateOnly); got != r[2] {
			t.Errorf("last day of lunar year %d = %s; want %s", ly, got, r[2])
		}
		if got := solar(t, ly, 3, 10, false); got != r[3] {
			t.Errorf("10/3 of lunar year %d = %s; want %s", ly, got, r[3])
		}
	}
}

// TestLunarMonths checks the first day of every lunar month from 1900 to
// 2100, both ways, against testdata/lunar-months.csv, and that the days in
// between belong to the same month.
func TestLunarMonths(t *testing.T) {
	rows := readCSV(t, "lunar-months.csv")
	for i, r := range rows {
		ly, lm, leap := atoi(t, r[1]), atoi(t, r[2]), r[3] == "1"
		if got := solar(t, ly, lm, 1, leap); got != r[0] {
			t.Errorf("SolarDate(%d, %d, 1, %v) = %s; want %s", ly, lm, leap, got, r[0])
		}
		y, m, d := parseDate(t, r[0])
		if gy, gm, gd, gl := calendar.LunarDate(y, m, d); gy != ly || gm != lm || gd != 1 || gl != leap {
			t.Errorf("LunarDate(%s) = %d-%d-%d leap %v; want %d-%d-1 leap %v", r[0], gy, gm, gd, gl, ly, lm, leap)
		}
		if i+1 == len(rows) {
			break
		}
		start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		ny, nm, nd := parseDate(t, rows[i+1][0])
		n := int(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
		if n != 29 && n != 30 {
			t.Fatalf("lunar month from %s has %d days", r[0], n)
		}
		if _, _, _, ok := calendar.SolarDate(ly, lm, n, leap); !ok {
			t.Errorf("SolarDate(%d, %d, %d, %v) does not exist; the month has %d days", ly, lm, n, leap, n)
		}
		if n == 29 {
			if _, _, _, ok := calendar.SolarDate(ly, lm, 30, leap); ok {
				t.Errorf("SolarDate(%d, %d, 30, %v) exists; the month has 29 days", ly, lm, leap)
			}
		}
		last := start.AddDate(0, 0, n-1)
		if gy, gm, gd, gl := calendar.LunarDate(last.Date()); gy != ly || gm != lm || gd != n || gl != leap {
			t.Errorf("LunarDate(%s) = %d-%d-%d leap %v; want %d-%d-%d leap %v", last.Format(time.DateOnly), gy, gm, gd, gl, ly, lm, n, leap)
		}
	}
}

// TestLunarSample converts 2,000 random solar dates recorded with their
// lunar dates (testdata/lunar-sample.csv), both ways.
func TestLunarSample(t *testing.T) {
	for _, r := range readCSV(t, "lunar-sample.csv") {
		ly, lm, ld, leap := atoi(t, r[1]), atoi(t, r[2]), atoi(t, r[3]), r[4] == "1"
		y, m, d := parseDate(t, r[0])
		if gy, gm, gd, gl := calendar.LunarDate(y, m, d); gy != ly || gm != lm || gd != ld || gl != leap {
			t.Errorf("LunarDate(%s) = %d-%d-%d leap %v; want %d-%d-%d leap %v", r[0], gy, gm, gd, gl, ly, lm, ld, leap)
		}
		if got := solar(t, ly, lm, ld, leap); got != r[0] {
			t.Errorf("SolarDate(%d, %d, %d, %v) = %s; want %s", ly, lm, ld, leap, got, r[0])
		}
	}
}

// TestTetVietnam checks Tết in years known by hand, including those where
// the Vietnamese calendar (UTC+7) differs from the Chinese one (UTC+8).
func TestTetVietnam(t *testing.T) {
	for _, tt := range []struct {
		year int
		want string
	}{
		{1900, "1900-01-31"},
		{1968, "1968-01-29"}, // 30 January in the South, which then used UTC+8
		{1985, "1985-01-21"}, // 20 February in China
		{2000, "2000-02-05"},
		{2007, "2007-02-17"},
		{2024, "2024-02-10"},
		{2025, "2025-01-29"},
		{2026, "2026-02-17"},
		{2027, "2027-02-06"},
		{2030, "2030-02-02"}, // 3 February in China
		{2100, "2100-02-09"},
	} {
		if got := solar(t, tt.year, 1, 1, false); got != tt.want {
			t.Errorf("Tết %d = %s; want %s", tt.year, got, tt.want)
		}
	}
}

func TestSolarDateInvalid(t *testing.T) {
	for _, tt := range []struct {
		ly, lm, ld int
		leap       bool
	}{
		{2026, 0, 1, false},
		{2026, 13, 1, false},
		{2026, 1, 0, false},
		{2026, 1, 31, false},
		{2026, 1, 1, true},  // 2026 has no leap month
		{2025, 5, 1, true},  // 2025 has a leap 6th month
		{2025, 6, 30, true}, // the leap 6th month of 2025 has 29 days
	} {
		if y, m, d, ok := calendar.SolarDate(tt.ly, tt.lm, tt.ld, tt.leap); ok {
			t.Errorf("SolarDate(%d, %d, %d, %v) = %d-%d-%d; want none", tt.ly, tt.lm, tt.ld, tt.leap, y, m, d)
		}
	}
	if got := solar(t, 2025, 6, 1, true); got != "2025-07-25" {
		t.Errorf("leap 6/2025 begins %s; want 2025-07-25", got)
	}
}

// TestLunarDateEdges checks the two days on which the published algorithm
// gives day 0 of a month (amlich 0.0.2 does), and normalised dates.
func TestLunarDateEdges(t *testing.T) {
	for _, tt := range []struct {
		y          int
		m          time.Month
		d          int
		ly, lm, ld int
	}{
		{2054, time.May, 7, 2054, 3, 30},
		{2062, time.April, 9, 2062, 2, 30},
		{2025, time.December, 32, 2025, 11, 13}, // 2026-01-01
		{2026, time.January, 1, 2025, 11, 13},
	} {
		if ly, lm, ld, leap := calendar.LunarDate(tt.y, tt.m, tt.d); ly != tt.ly || lm != tt.lm || ld != tt.ld || leap {
			t.Errorf("LunarDate(%d, %d, %d) = %d-%d-%d leap %v; want %d-%d-%d", tt.y, tt.m, tt.d, ly, lm, ld, leap, tt.ly, tt.lm, tt.ld)
		}
	}
}
