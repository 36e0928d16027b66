package basemap

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestDistanceKm(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name     string
		point    orb.Point
		iso2     string
		min, max float64 // the expected distance range in km
		ok       bool
	}{
		{"Hong Kong in HK", orb.Point{114.1694, 22.3193}, "HK", 0, 0, true},
		{"Singapore in SG", orb.Point{103.8198, 1.3521}, "SG", 0, 0, true},
		{"Frankfurt in DE", orb.Point{8.6821, 50.1109}, "DE", 0, 0, true},
		{"Sydney in AU", orb.Point{151.2093, -33.8688}, "AU", 0, 0, true},
		{"Dubai in AE", orb.Point{55.2708, 25.2048}, "AE", 0, 0, true},
		{"Beijing in CN", orb.Point{116.4074, 39.9042}, "CN", 0, 0, true},
		{"Chukotka across the antimeridian in RU", orb.Point{-175, 66.5}, "RU", 0, 0, true},
		{"Paris from DE", orb.Point{2.3522, 48.8566}, "DE", 250, 350, true},
		{"Strasbourg from DE", orb.Point{7.7521, 48.5734}, "DE", 0.5, 5, true},
		{"Macau from HK", orb.Point{113.5439, 22.1987}, "HK", 25, 40, true},
		{"Johor Bahru from SG", orb.Point{103.7414, 1.4927}, "SG", 3, 10, true},
		{"London from FR (Calais)", orb.Point{-0.1276, 51.5072}, "FR", 120, 160, true},
		{"Diomede Islands from RU", orb.Point{-168.93, 65.75}, "RU", 2, 60, true},
		{"Beijing swapped, a valid point, from CN", orb.Point{39.9042, 16.4074}, "CN", 4000, math.Inf(1), true},
		{"Beijing with lat and lon swapped: invalid", orb.Point{39.9042, 116.4074}, "CN", math.Inf(1), math.Inf(1), true},
		{"Sydney with latitude sign lost from AU", orb.Point{151.2093, 33.8688}, "AU", 4000, math.Inf(1), true},
		{"NaN", orb.Point{math.NaN(), 0}, "FR", math.Inf(1), math.Inf(1), true},
		{"French Guiana is part of FR", orb.Point{-52.33, 4.92}, "GF", 0, 0, false},
		{"Tokelau is missing at 1:10m", orb.Point{-171.85, -9.2}, "TK", 0, 0, false},
		{"Kosovo has no ISO code", orb.Point{21.17, 42.66}, "XK", 0, 0, false},
		{"empty code", orb.Point{21.17, 42.66}, "", 0, 0, false},
		{"lower case", orb.Point{8.6821, 50.1109}, "de", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := a.DistanceKm(tt.point, tt.iso2)
			if ok != tt.ok || (ok && !(got >= tt.min && got <= tt.max)) {
				t.Errorf("DistanceKm(%v, %q) = %.1f, %v; want [%v, %v], %v", tt.point, tt.iso2, got, ok, tt.min, tt.max, tt.ok)
			}
		})
	}
}

// TestDistanceKmWithin50 is the dataset validator's check: a site is
// plausible when within 50 km of the country it names.
func TestDistanceKmWithin50(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name  string
		point orb.Point
		iso2  string
		want  bool
	}{
		{"Hong Kong data centre in HK", orb.Point{114.2200, 22.3100}, "HK", true},
		{"Tseung Kwan O in HK", orb.Point{114.2600, 22.3070}, "HK", true},
		{"Singapore Jurong in SG", orb.Point{103.7040, 1.3330}, "SG", true},
		{"Frankfurt in DE", orb.Point{8.6821, 50.1109}, "DE", true},
		{"Sydney in AU", orb.Point{151.2093, -33.8688}, "AU", true},
		{"Dubai in AE", orb.Point{55.2708, 25.2048}, "AE", true},
		{"Paris is not in DE", orb.Point{2.3522, 48.8566}, "DE", false},
		{"swapped Beijing is not in CN", orb.Point{39.9042, 116.4074}, "CN", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := a.DistanceKm(tt.point, tt.iso2)
			if got := ok && d <= 50; got != tt.want {
				t.Errorf("within 50 km of %s: %v (%.1f km, %v), want %v", tt.iso2, got, d, ok, tt.want)
			}
		})
	}
}

func BenchmarkDistanceKm(b *testing.B) {
	a := testAtlas(b)
	cases := []struct {
		name  string
		point orb.Point
		iso2  string
	}{
		{"inside", orb.Point{8.6821, 50.1109}, "DE"},
		{"outside small", orb.Point{113.5439, 22.1987}, "HK"},
		{"outside large", orb.Point{-100, 60}, "RU"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				a.DistanceKm(c.point, c.iso2)
			}
		})
	}
}
