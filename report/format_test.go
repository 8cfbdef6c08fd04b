package report

import (
	"testing"
	"time"
)

func TestFormatDates(t *testing.T) {
	tests := []struct {
		t        time.Time
		place    string
		dateLine string
		clock    string
	}{
		{at(2026, time.March, 2, 9, 15), "Hà Nội", "Hà Nội, ngày 02 tháng 3 năm 2026", "09 giờ 15 phút, ngày 02 tháng 3 năm 2026"},
		{at(2026, time.February, 14, 16, 5), "Hà Nội", "Hà Nội, ngày 14 tháng 02 năm 2026", "16 giờ 05 phút, ngày 14 tháng 02 năm 2026"},
		{at(2025, time.January, 1, 0, 0), "", "ngày 01 tháng 01 năm 2025", "00 giờ 00 phút, ngày 01 tháng 01 năm 2025"},
		{at(2025, time.December, 31, 23, 59), " Đà Nẵng ", "Đà Nẵng, ngày 31 tháng 12 năm 2025", "23 giờ 59 phút, ngày 31 tháng 12 năm 2025"},
		// 17:30 UTC is already the next day in Hanoi.
		{time.Date(2026, time.March, 1, 17, 30, 0, 0, time.UTC), "Hà Nội", "Hà Nội, ngày 02 tháng 3 năm 2026", "00 giờ 30 phút, ngày 02 tháng 3 năm 2026"},
	}
	for _, tt := range tests {
		if got := FormatDateLine(tt.place, tt.t); got != tt.dateLine {
			t.Errorf("FormatDateLine(%q, %v) = %q, want %q", tt.place, tt.t, got, tt.dateLine)
		}
		if got := FormatTime(tt.t); got != tt.clock {
			t.Errorf("FormatTime(%v) = %q, want %q", tt.t, got, tt.clock)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Thị Hồng Nhung", "Nguyễn Thị Hồng Nhung"},
		// Decomposed input (NFD) becomes precomposed.
		{"Nguye\u0302\u0303n", "Nguyễn"},
		{"a\tb\r\nc", "a b\nc"},
		{"a\u00a0b", "a b"},
		{"x\x00y\x1bz", "xyz"},
		{"ok 👍", "ok ?"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
