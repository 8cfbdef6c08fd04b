package report

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"motcua"
)

// FormatDateLine returns the place and date line of an administrative
// document, "Hà Nội, ngày 02 tháng 3 năm 2026", with t in
// Asia/Ho_Chi_Minh. Following Decree 30/2020/NĐ-CP, days below 10 and the
// months January and February take a leading zero.
func FormatDateLine(place string, t time.Time) string {
	s := FormatDate(t)
	if place = strings.TrimSpace(place); place != "" {
		s = place + ", " + s
	}
	return s
}

// FormatDate returns "ngày 02 tháng 3 năm 2026" for t in Asia/Ho_Chi_Minh.
func FormatDate(t time.Time) string {
	y, m, d := t.In(motcua.Location()).Date()
	month := fmt.Sprint(int(m))
	if m < time.March {
		month = "0" + month
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", d, month, y)
}

// FormatTime returns "10 giờ 30 phút, ngày 05 tháng 3 năm 2026" for t in
// Asia/Ho_Chi_Minh, the way forms state a receipt or an appointment.
func FormatTime(t time.Time) string {
	l := t.In(motcua.Location())
	return fmt.Sprintf("%02d giờ %02d phút, %s", l.Hour(), l.Minute(), FormatDate(t))
}

// shortTime returns "10:30 05/03/2026" in Asia/Ho_Chi_Minh, or "" for the
// zero time; tables use it.
func shortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(motcua.Location()).Format("15:04 02/01/2006")
}

// upper returns s in upper case, as headers print agency names.
func upper(s string) string { return strings.ToUpper(s) }

// clean prepares text for the PDF: it normalises to NFC (the embedded
// font has the precomposed Vietnamese letters), turns tabs and other
// spaces into plain spaces, drops control characters except newlines, and
// replaces characters outside the Basic Multilingual Plane, which the PDF
// writer cannot measure, with "?".
func clean(s string) string {
	s = norm.NFC.String(s)
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r':
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
		case r > 0xFFFF:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether clean has nothing to change in an NFC string.
func isPlain(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7F || r > 0xFFFF || (r > 0x7F && (unicode.IsSpace(r) || unicode.IsControl(r))) || r == unicode.ReplacementChar {
			if r == '\n' {
				continue
			}
			return false
		}
	}
	return true
}
