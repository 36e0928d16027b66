package geo

import (
	"errors"
	"testing"
)

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func mustDay(t testing.TB, s string) Day {
	t.Helper()
	d, err := ParseDay(s)
	if err != nil {
		t.Fatalf("ParseDay(%q): %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in                string
		earliest, latest  string
		prec              Precision
		approx, uncertain bool
		canonical         string
	}{
		{"2016-11-21", "2016-11-21", "2016-11-21", PrecisionDay, false, false, "2016-11-21"},
		{"2016-12", "2016-12-01", "2016-12-31", PrecisionMonth, false, false, "2016-12"},
		{"2016-02", "2016-02-01", "2016-02-29", PrecisionMonth, false, false, "2016-02"},
		{"2017-02", "2017-02-01", "2017-02-28", PrecisionMonth, false, false, "2017-02"},
		{"2017", "2017-01-01", "2017-12-31", PrecisionYear, false, false, "2017"},
		{"2016-12~", "2016-12-01", "2016-12-31", PrecisionMonth, true, false, "2016-12~"},
		{"2025?", "2025-01-01", "2025-12-31", PrecisionYear, false, true, "2025?"},
		{"2018-01-05%", "2018-01-05", "2018-01-05", PrecisionDay, true, true, "2018-01-05%"},
		{"2017-05-12/2017-11-14", "2017-05-12", "2017-11-14", PrecisionRange, false, false, "2017-05-12/2017-11-14"},
		{"2009-09/2011", "2009-09-01", "2011-12-31", PrecisionRange, false, false, "2009-09/2011"},
		{"2013/2014~", "2013-01-01", "2014-12-31", PrecisionRange, true, false, "2013/2014~"},
		{"2016-12-31/2016-12-31", "2016-12-31", "2016-12-31", PrecisionRange, false, false, "2016-12-31/2016-12-31"},
		{"2018/2018-02-27", "2018-01-01", "2018-02-27", PrecisionRange, false, false, "2018/2018-02-27"},
		{"2024-02-29", "2024-02-29", "2024-02-29", PrecisionDay, false, false, "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d := mustDate(t, tt.in)
			if got, want := d.Earliest().String(), tt.earliest; got != want {
				t.Errorf("Earliest = %s, want %s", got, want)
			}
			if got, want := d.Latest().String(), tt.latest; got != want {
				t.Errorf("Latest = %s, want %s", got, want)
			}
			if got, want := d.Precision(), tt.prec; got != want {
				t.Errorf("Precision = %s, want %s", got, want)
			}
			if got, want := d.Approximate(), tt.approx; got != want {
				t.Errorf("Approximate = %v, want %v", got, want)
			}
			if got, want := d.Uncertain(), tt.uncertain; got != want {
				t.Errorf("Uncertain = %v, want %v", got, want)
			}
			if got, want := d.String(), tt.canonical; got != want {
				t.Errorf("String = %s, want %s", got, want)
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{
		"", "16", "20160", "2016-1", "2016-13", "2016-00", "2016-02-30", "2017-02-29", "2016-11-31",
		"2016-11-21T10:00", "0000", "2016/", "/2016", "2017/2016", "2016-12/2016-11-30", "../2016",
		"2016-11-21/2016-11-20", "2016~~", "~2016", "2016 ", " 2016", "2016-1-1", "abcd", "2016-11-21/2017/2018",
		"２０１６", "2016-11-21x",
	} {
		t.Run(in, func(t *testing.T) {
			if _, err := ParseDate(in); !errors.Is(err, ErrInvalidDate) {
				t.Errorf("ParseDate(%q) error = %v, want ErrInvalidDate", in, err)
			}
		})
	}
}

func TestParseDay(t *testing.T) {
	if got, want := mustDay(t, "1970-01-02"), Day(1); got != want {
		t.Errorf("ParseDay = %d, want %d", got, want)
	}
	for _, in := range []string{"2016", "2016-11", "2016-11-21~", "2016-11-21/2016-11-22"} {
		if _, err := ParseDay(in); err == nil {
			t.Errorf("ParseDay(%q) succeeded, want an error", in)
		}
	}
}

// FuzzParseDate checks that any accepted date has a window that starts no later than it ends and
// that its canonical form parses back to the same date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2016-11-21", "2016-12", "2017", "2016-12~", "2025?", "2009-09/2011", "2013/2014%", "2016-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Earliest() > d.Latest() {
			t.Fatalf("%q: earliest %s after latest %s", s, d.Earliest(), d.Latest())
		}
		back, err := ParseDate(d.String())
		if err != nil {
			t.Fatalf("%q: canonical form %q does not parse: %v", s, d.String(), err)
		}
		if back != d {
			t.Fatalf("%q: round trip gave %q", s, back.String())
		}
	})
}
