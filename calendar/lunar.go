package calendar

import (
	"math"
	"time"
)

// The Vietnamese lunar calendar, after Hồ Ngọc Đức's astronomical
// algorithm: months begin on the local day of a new moon, month 11 is the
// month containing the winter solstice, and in a year of 13 months the leap
// month is the first one in which the sun enters no new 30° sector of
// longitude (no major solar term). Days are reckoned in UTC+7 for every
// year, the convention of the Vietnamese calendar.

const (
	// lunarZone is the time zone of the lunar calendar, in hours.
	lunarZone = 7.0
	// synodicMonth is the mean length of a lunar month, in days.
	synodicMonth = 29.530588853
	// newMoon0 is the Julian date of the new moon of 1900-01-01, the
	// origin of the new moon count k.
	newMoon0 = 2415021.076998695
	// unixJDN is the Julian day number of 1970-01-01.
	unixJDN = 2440588
)

// LunarDate converts a solar (Gregorian) date to the Vietnamese lunar date
// (UTC+7): the lunar year, month (1–12) and day (1–30), and whether the
// month is a leap month. A month or day out of range is normalised, as by
// time.Date. The results have been checked for 1900–2100.
func LunarDate(year int, month time.Month, day int) (ly, lm, ld int, leap bool) {
	n := daysFromCivil(year, month, day)
	year, _, _ = civil(n)
	d := n + unixJDN
	// k estimates the new moon that begins the month; step back while the
	// estimate is after d (as it is for 2054-05-07 and 2062-04-09, which
	// the published algorithm's single check puts on day 0 of a month).
	k := int(math.Floor((float64(d)-newMoon0)/synodicMonth)) + 1
	start := newMoonDay(k)
	for start > d {
		k--
		start = newMoonDay(k)
	}
	a11, b11 := month11(year), 0
	if a11 >= start {
		ly, b11, a11 = year, a11, month11(year-1)
	} else {
		ly, b11 = year+1, month11(year+1)
	}
	ld = d - start + 1
	diff := (start - a11) / 29
	lm = diff + 11
	if b11-a11 > 365 {
		if lo := leapOffset(a11); diff >= lo {
			lm = diff + 10
			leap = diff == lo
		}
	}
	if lm > 12 {
		lm -= 12
	}
	if lm >= 11 && diff < 4 {
		ly--
	}
	return ly, lm, ld, leap
}

// SolarDate converts a Vietnamese lunar date to the solar (Gregorian) date.
// It returns ok false if the lunar date does not exist: a month outside
// 1–12, a day outside the month (29 or 30 days), or a leap month the year
// does not have.
func SolarDate(ly, lm, ld int, leap bool) (year int, month time.Month, day int, ok bool) {
	if lm < 1 || lm > 12 || ld < 1 || ld > 30 {
		return 0, 0, 0, false
	}
	a11, b11 := month11(ly-1), month11(ly)
	if lm >= 11 {
		a11, b11 = b11, month11(ly+1)
	}
	k := int(math.Floor(0.5 + (float64(a11)-newMoon0)/synodicMonth))
	off := (lm + 1) % 12 // months after month 11
	if b11-a11 > 365 {
		lo := leapOffset(a11)
		if leap && lm != (lo+9)%12+1 {
			return 0, 0, 0, false
		}
		if leap || off >= lo {
			off++
		}
	} else if leap {
		return 0, 0, 0, false
	}
	start := newMoonDay(k + off)
	if ld > newMoonDay(k+off+1)-start {
		return 0, 0, 0, false
	}
	year, month, day = civil(start + ld - 1 - unixJDN)
	return year, month, day, true
}

// jdn returns the Julian day number of a Gregorian date.
func jdn(year int, month time.Month, day int) int {
	return daysFromCivil(year, month, day) + unixJDN
}

// newMoon returns the Julian date (in days, from noon UTC) of the kth new
// moon after that of 1900-01-01, with the approximation series of Jean
// Meeus (Astronomical Algorithms).
func newMoon(k int) float64 {
	const dr = math.Pi / 180
	t := float64(k) / 1236.85 // Julian centuries from 1900-01-00.5
	t2, t3 := t*t, t*t*t
	jd := 2415020.75933 + 29.53058868*float64(k) + 0.0001178*t2 - 0.000000155*t3
	jd += 0.00033 * math.Sin((166.56+132.87*t-0.009173*t2)*dr)
	m := (359.2242 + 29.10535608*float64(k) - 0.0000333*t2 - 0.00000347*t3) * dr    // the sun's mean anomaly
	mpr := (306.0253 + 385.81691806*float64(k) + 0.0107306*t2 + 0.00001236*t3) * dr // the moon's mean anomaly
	f := (21.2964 + 390.67050646*float64(k) - 0.0016528*t2 - 0.00000239*t3) * dr    // the moon's argument of latitude
	c := (0.1734-0.000393*t)*math.Sin(m) + 0.0021*math.Sin(2*m) -
		0.4068*math.Sin(mpr) + 0.0161*math.Sin(2*mpr) - 0.0004*math.Sin(3*mpr) +
		0.0104*math.Sin(2*f) - 0.0051*math.Sin(m+mpr) - 0.0074*math.Sin(m-mpr) +
		0.0004*math.Sin(2*f+m) - 0.0004*math.Sin(2*f-m) - 0.0006*math.Sin(2*f+mpr) +
		0.0010*math.Sin(2*f-mpr) + 0.0005*math.Sin(2*mpr+m)
	var deltaT float64
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return jd + c - deltaT
}

// newMoonDay returns the Julian day number of the local day of the kth new
// moon.
func newMoonDay(k int) int {
	return int(math.Floor(newMoon(k) + 0.5 + lunarZone/24))
}

// sunLongitude returns the sun's apparent longitude, in radians from 0 to
// 2π, at Julian date jd.
func sunLongitude(jd float64) float64 {
	const dr = math.Pi / 180
	t := (jd - 2451545.0) / 36525 // Julian centuries from 2000-01-01 12:00
	t2 := t * t
	m := (357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2) * dr // mean anomaly
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2                         // mean longitude
	dl := (1.914600-0.004817*t-0.000014*t2)*math.Sin(m) +
		(0.019993-0.000101*t)*math.Sin(2*m) + 0.000290*math.Sin(3*m)
	l := (l0 + dl) * dr
	return l - 2*math.Pi*math.Floor(l/(2*math.Pi))
}

// sunSector returns the 30° sector (0–11) of the sun's longitude at the
// start of the local day with Julian day number d.
func sunSector(d int) int {
	return int(math.Floor(sunLongitude(float64(d)-0.5-lunarZone/24) / math.Pi * 6))
}

// month11 returns the Julian day number of the first day of lunar month 11
// of the solar year: the month containing the winter solstice.
func month11(year int) int {
	k := int(math.Floor(float64(jdn(year, time.December, 31)-2415021) / synodicMonth))
	d := newMoonDay(k)
	if sunSector(d) >= 9 {
		d = newMoonDay(k - 1)
	}
	return d
}

// leapOffset returns the position of the leap month of a 13-month lunar
// year whose month 11 begins on Julian day a11, counted in months after
// month 11: the first month that begins in the same sun sector as the next.
func leapOffset(a11 int) int {
	k := int(math.Floor((float64(a11)-newMoon0)/synodicMonth + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k + i))
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k + i))
		if arc == last || i >= 14 {
			return i - 1
		}
	}
}

// daysFromCivil returns the number of days from 1970-01-01 to a proleptic
// Gregorian date; month and day may be out of range and are normalised.
func daysFromCivil(year int, month time.Month, day int) int {
	y, m := year, int(month)-1
	y += m / 12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	// Count from 1 March, so that the leap day ends the year.
	if m < 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	doy := (153*((m+10)%12)+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civil returns the proleptic Gregorian date n days after 1970-01-01.
func civil(n int) (year int, month time.Month, day int) {
	n += 719468
	era := n / 146097
	if n < 0 && n%146097 != 0 {
		era--
	}
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m := (mp+2)%12 + 1
	year = yoe + era*400
	if m <= 2 {
		year++
	}
	return year, time.Month(m), day
}
