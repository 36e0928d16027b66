package geo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is a calendar day, counted from 1970-01-01 (day 0). Days compare with < and ==.
type Day int32

// DayOf returns the day for a calendar date; out-of-range months and days normalize as in time.Date.
func DayOf(year int, month time.Month, day int) Day {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Day(t.Unix() / 86400)
}

// DayFromTime returns the UTC calendar day of t.
func DayFromTime(t time.Time) Day {
	y, m, d := t.UTC().Date()
	return DayOf(y, m, d)
}

// Time returns the start of the day in UTC.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Year returns the day's calendar year.
func (d Day) Year() int { return d.Time().Year() }

// String returns the day as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format("2006-01-02") }

// MarshalText writes the day as YYYY-MM-DD.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// ErrInvalidDate means a date is not in the accepted subset of EDTF.
var ErrInvalidDate = errors.New("geo: invalid date")

// ParseDay parses a complete calendar date, YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	p, err := parsePoint(s)
	if err != nil {
		return 0, err
	}
	if p.prec != PrecisionDay || p.qual != 0 {
		return 0, fmt.Errorf("%w: %q: want a day, YYYY-MM-DD", ErrInvalidDate, s)
	}
	return p.earliest(), nil
}

// Precision says how much of a date its source gives.
type Precision string

// The precisions of a date. A range has the precision PrecisionRange.
const (
	PrecisionDay   Precision = "day"
	PrecisionMonth Precision = "month"
	PrecisionYear  Precision = "year"
	PrecisionRange Precision = "range"
)

// Qualifier marks a date as approximate, uncertain or both (EDTF ~, ? and %).
type Qualifier uint8

// The qualifiers of a date.
const (
	Approximate Qualifier = 1 << iota
	Uncertain
)

// point is one EDTF date: a year, month or day, possibly qualified.
type point struct {
	year, month, day int
	prec             Precision
	qual             Qualifier
}

func (p point) earliest() Day {
	switch p.prec {
	case PrecisionYear:
		return DayOf(p.year, 1, 1)
	case PrecisionMonth:
		return DayOf(p.year, time.Month(p.month), 1)
	}
	return DayOf(p.year, time.Month(p.month), p.day)
}

func (p point) latest() Day {
	switch p.prec {
	case PrecisionYear:
		return DayOf(p.year, 12, 31)
	case PrecisionMonth:
		return DayOf(p.year, time.Month(p.month)+1, 0)
	}
	return p.earliest()
}

func (p point) String() string {
	var s string
	switch p.prec {
	case PrecisionYear:
		s = fmt.Sprintf("%04d", p.year)
	case PrecisionMonth:
		s = fmt.Sprintf("%04d-%02d", p.year, p.month)
	default:
		s = fmt.Sprintf("%04d-%02d-%02d", p.year, p.month, p.day)
	}
	switch p.qual {
	case Approximate:
		s += "~"
	case Uncertain:
		s += "?"
	case Approximate | Uncertain:
		s += "%"
	}
	return s
}

// Date is an event date as its source gives it: a day, month or year, optionally approximate or
// uncertain, or a bounded range ("some day between A and B"). It is a small subset of EDTF
// (ISO 8601-2). Every Date has an earliest and a latest day. The zero Date is not valid.
type Date struct {
	from, to point
	isRange  bool
}

// ParseDate parses an EDTF date: YYYY, YYYY-MM or YYYY-MM-DD, each optionally followed by ~ (approximate),
// ? (uncertain) or % (both), or a range A/B of two such dates with A starting no later than B: the
// range runs from A's first day to B's last day, so 2018/2018-02-27 means early 2018.
func ParseDate(s string) (Date, error) {
	a, b, isRange := strings.Cut(s, "/")
	from, err := parsePoint(a)
	if err != nil {
		return Date{}, err
	}
	if !isRange {
		return Date{from: from, to: from}, nil
	}
	to, err := parsePoint(b)
	if err != nil {
		return Date{}, err
	}
	if to.earliest() < from.earliest() {
		return Date{}, fmt.Errorf("%w: %q: the range ends before it starts", ErrInvalidDate, s)
	}
	return Date{from: from, to: to, isRange: true}, nil
}

func parsePoint(s string) (point, error) {
	var p point
	body := s
	if n := len(body); n > 0 {
		switch body[n-1] {
		case '~':
			p.qual = Approximate
		case '?':
			p.qual = Uncertain
		case '%':
			p.qual = Approximate | Uncertain
		}
		if p.qual != 0 {
			body = body[:n-1]
		}
	}
	parts := strings.Split(body, "-")
	bad := func(why string) (point, error) {
		return point{}, fmt.Errorf("%w: %q: %s (accepted: YYYY, YYYY-MM, YYYY-MM-DD, each optionally followed by ~, ? or %%, or a range A/B)", ErrInvalidDate, s, why)
	}
	if len(parts) > 3 {
		return bad("too many parts")
	}
	nums := make([]int, len(parts))
	for i, part := range parts {
		want := 2
		if i == 0 {
			want = 4
		}
		if len(part) != want {
			return bad("wrong number of digits")
		}
		for _, c := range part {
			if c < '0' || c > '9' {
				return bad("not a number")
			}
		}
		nums[i], _ = strconv.Atoi(part)
	}
	p.year = nums[0]
	p.prec = PrecisionYear
	if p.year == 0 {
		return bad("year 0000 is out of range")
	}
	if len(nums) > 1 {
		p.month, p.prec = nums[1], PrecisionMonth
		if p.month < 1 || p.month > 12 {
			return bad("month out of range")
		}
	}
	if len(nums) > 2 {
		p.day, p.prec = nums[2], PrecisionDay
		last := DayOf(p.year, time.Month(p.month)+1, 0) - DayOf(p.year, time.Month(p.month), 1) + 1
		if p.day < 1 || p.day > int(last) {
			return bad("day out of range")
		}
	}
	return p, nil
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d.from.prec == "" }

// Earliest is the first day the date can mean.
func (d Date) Earliest() Day { return d.from.earliest() }

// Latest is the last day the date can mean: from this day on, the event is certain.
func (d Date) Latest() Day { return d.to.latest() }

// Precision is the date's precision: day, month, year, or range.
func (d Date) Precision() Precision {
	if d.isRange {
		return PrecisionRange
	}
	return d.from.prec
}

// Approximate reports whether the source gives the date as approximate (EDTF ~ or %).
func (d Date) Approximate() bool { return (d.from.qual|d.to.qual)&Approximate != 0 }

// Uncertain reports whether the source gives the date as uncertain (EDTF ? or %).
func (d Date) Uncertain() bool { return (d.from.qual|d.to.qual)&Uncertain != 0 }

// Contains reports whether day t falls in the date's window, from its earliest to its latest day.
func (d Date) Contains(t Day) bool { return d.Earliest() <= t && t <= d.Latest() }

// String returns the date in EDTF as written in canonical form.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.isRange {
		return d.from.String() + "/" + d.to.String()
	}
	return d.from.String()
}

// MarshalText writes the date in EDTF.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
