package calendar

import (
	"time"
)

// holiday is a generated public holiday: its day number, its names and the
// name of what a compensatory day off for it makes up for.
type holiday struct {
	day          int
	name, nameEN string
	of, ofEN     string
}

// tetNames names the days of Tết after the last day of the lunar year.
var tetNames = [4][2]string{
	{"Tết Nguyên đán (mùng 1)", "Lunar New Year (1st day)"},
	{"Tết Nguyên đán (mùng 2)", "Lunar New Year (2nd day)"},
	{"Tết Nguyên đán (mùng 3)", "Lunar New Year (3rd day)"},
	{"Tết Nguyên đán (mùng 4)", "Lunar New Year (4th day)"},
}

// holidays returns the public holidays of a solar year under Article 112
// of the Labour Code 2019, in date order: 1 January; Tết, the last day of
// the lunar year and the first four days of the next; Hùng Kings'
// Commemoration Day (10th day of the 3rd lunar month); 30 April; 1 May;
// National Day, 2 September and the day after. Holidays falling on the same
// day make one holiday.
func holidays(year int) []holiday {
	const (
		tet, tetEN   = "Tết Nguyên đán", "Lunar New Year"
		hung, hungEN = "Giỗ Tổ Hùng Vương", "Hùng Kings' Commemoration Day"
		day, dayEN   = "Ngày Chiến thắng", "Reunification Day"
		may, mayEN   = "Ngày Quốc tế Lao động", "International Labour Day"
		nat, natEN   = "Quốc khánh", "National Day"
	)
	hs := make([]holiday, 0, 11)
	add := func(n int, name, nameEN, of, ofEN string) {
		if last := len(hs) - 1; last >= 0 && hs[last].day == n {
			h := &hs[last]
			h.name, h.nameEN = h.name+"; "+name, h.nameEN+"; "+nameEN
			h.of, h.ofEN = h.of+" và "+of, h.ofEN+" and "+ofEN
			return
		}
		hs = append(hs, holiday{n, name, nameEN, of, ofEN})
	}
	add(daysFromCivil(year, time.January, 1), "Tết Dương lịch", "New Year's Day", "Tết Dương lịch", "New Year's Day")

	y, m, d, _ := SolarDate(year, 1, 1, false)
	first := daysFromCivil(y, m, d)
	_, _, ld, _ := LunarDate(civil(first - 1))
	eve := "Tết Nguyên đán (30 Tết)"
	if ld == 29 {
		eve = "Tết Nguyên đán (29 Tết)"
	}
	add(first-1, eve, "Lunar New Year (New Year's Eve)", tet, tetEN)
	for i, n := range tetNames {
		add(first+i, n[0], n[1], tet, tetEN)
	}

	// 10/3 falls between 30 March and 30 April.
	y, m, d, _ = SolarDate(year, 3, 10, false)
	add(daysFromCivil(y, m, d), hung+" (10/3 âm lịch)", hungEN, hung, hungEN)
	add(daysFromCivil(year, time.April, 30), day+" (30/4)", dayEN, day, dayEN)
	add(daysFromCivil(year, time.May, 1), may+" (1/5)", mayEN, may, mayEN)
	add(daysFromCivil(year, time.September, 2), nat+" (2/9)", natEN, nat, natEN)
	add(daysFromCivil(year, time.September, 3), nat+" (ngày liền kề)", natEN+" (day after)", nat, natEN)
	return hs
}
