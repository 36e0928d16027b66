package api

import (
	"errors"
	"math"
	"testing"

	"dcatlas/geo"
)

func TestParseBbox(t *testing.T) {
	b, err := parseBbox("-11, 35,30,60")
	if err != nil || b.Min[0] != -11 || b.Max[1] != 60 {
		t.Errorf("got %v, %v", b, err)
	}
	if _, err := parseBbox("-180,-90,180,90"); err != nil {
		t.Errorf("the whole world: %v", err)
	}
}

func TestParseDatetime(t *testing.T) {
	tests := []struct {
		in               string
		from, to         string
		openFrom, openTo bool
	}{
		{"2018-09-01", "2018-09-01", "2018-09-01", false, false},
		{"2018-09-01T23:30:00Z", "2018-09-01", "2018-09-01", false, false},
		{"2018-09-01T23:30:00-05:00", "2018-09-02", "2018-09-02", false, false},
		{"2018-01-01/2019-01-01", "2018-01-01", "2019-01-01", false, false},
		{"../2019-01-01", "", "2019-01-01", true, false},
		{"2018-01-01/..", "2018-01-01", "", false, true},
		{"2018-01-01/", "2018-01-01", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			iv, err := parseDatetime(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if iv.OpenFrom != tt.openFrom || iv.OpenTo != tt.openTo || (!tt.openFrom && iv.From.String() != tt.from) || (!tt.openTo && iv.To.String() != tt.to) {
				t.Errorf("got %+v", iv)
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "100": 100, "1000": 1000, "1001": 1000, "99999999999999999999999": 1000} {
		if got, err := parseLimit(in); err != nil || got != want {
			t.Errorf("parseLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// checkProblem fails unless err is nil or a 400 Problem naming param.
func checkProblem(t *testing.T, err error, param string) {
	t.Helper()
	if err == nil {
		return
	}
	var p *Problem
	if !errors.As(err, &p) || p.Status != 400 || p.Parameter != param || p.Accepted == "" {
		t.Fatalf("error %v is not a 400 problem naming %s", err, param)
	}
}

func FuzzParseBbox(f *testing.F) {
	for _, s := range []string{"-11,35,30,60", "1,2,3", "NaN,0,1,1", "10,0,5,5", "-181,0,0,0", "1e308,0,1e309,1", "0x10,0,20,20"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBbox(s)
		checkProblem(t, err, paramBbox)
		if err == nil {
			for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%q accepted with %v", s, b)
				}
			}
			if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
				t.Fatalf("%q accepted as %v", s, b)
			}
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2018-09-01", "2018-09-01T00:00:00Z", "../2019-01-01", "2018-01-01/..", "../..", "2020-01-01/2019-01-01", "/", "2018-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := parseDatetime(s)
		checkProblem(t, err, paramDatetime)
		if err == nil && !iv.OpenFrom && !iv.OpenTo && iv.To < iv.From {
			t.Fatalf("%q accepted reversed: %+v", s, iv)
		}
	})
}

func FuzzParseAt(f *testing.F) {
	for _, s := range []string{"2018-09-01", "2018-9-1", "2018-02-30", "2018", "0000-01-01", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDayParam(paramAt, s)
		checkProblem(t, err, paramAt)
		if err == nil && d.String() != s {
			t.Fatalf("%q accepted as %s", s, d)
		}
	})
}

func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "1000", "1001", "1e3", "99999999999999999999", " 5", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseLimit(s)
		checkProblem(t, err, paramLimit)
		if err == nil && (n < 1 || n > maxLimit) {
			t.Fatalf("%q accepted as %d", s, n)
		}
	})
}

func FuzzParseKinds(f *testing.F) {
	for _, s := range []string{"public", "government,partner", " sovereign , public", "Public", "", ",", "public,,partner", "military"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ks, err := parseKinds(s)
		checkProblem(t, err, paramKind)
		if err == nil {
			if len(ks) == 0 {
				t.Fatalf("%q accepted as no kind", s)
			}
			for _, k := range ks {
				if _, err := geo.ParseKind(string(k)); err != nil {
					t.Fatalf("%q accepted with kind %q", s, k)
				}
			}
		}
	})
}
