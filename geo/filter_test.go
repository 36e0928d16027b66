package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func testDataset(t testing.TB) *Dataset {
	t.Helper()
	mk := func(id, provider, country string, lon, lat float64, events ...string) Site {
		s := site(t, id, events...)
		s.Provider, s.Country, s.Point = provider, country, orb.Point{lon, lat}
		s.Name = "Region " + id
		return s
	}
	hk := mk("hk", "a", "HK", 114.17, 22.32, "2014-05", "active")
	hk.City, hk.Region = "Hong Kong", "cn-hongkong"
	paris := mk("paris", "b", "FR", 2.35, 48.86, "2025-09-24", "announced", "2026-06-17", "active")
	paris.Kind = KindSovereign
	return &Dataset{Version: "test", Sites: []Site{
		mk("hangzhou", "a", "CN", 120.16, 30.27, "2011", "active"),
		hk,
		mk("frankfurt", "a", "DE", 8.68, 50.11, "2016-11-21", "announced", "2016-11", "active"),
		mk("sydney", "a", "AU", 151.21, -33.87, "2016-11-21", "announced", "2016-12~", "active", "2024-06-27", "closing", "2024-09-30", "closed"),
		paris,
	}}
}

func ids(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Site.ID)
	}
	return out
}

func TestSelect(t *testing.T) {
	d := testDataset(t)
	europe := orb.Bound{Min: orb.Point{-10, 35}, Max: orb.Point{30, 60}}
	tests := []struct {
		name   string
		at     string
		filter Filter
		want   []string
	}{
		{"everything at a late date", "2026-11-01", Filter{}, []string{"hangzhou", "hk", "frankfurt", "sydney", "paris"}},
		{"nothing before the first certain event", "2011-06-01", Filter{}, nil},
		{"only certain sites", "2016-11-21", Filter{}, []string{"hangzhou", "hk", "frankfurt", "sydney"}},
		{"status", "2016-12-15", Filter{Statuses: []Status{StatusActive}}, []string{"hangzhou", "hk", "frankfurt"}},
		{"closed stays", "2025-01-01", Filter{Statuses: []Status{StatusClosed}}, []string{"sydney"}},
		{"provider", "2026-11-01", Filter{Providers: []string{"b"}}, []string{"paris"}},
		{"kind", "2026-11-01", Filter{Kinds: []Kind{KindSovereign}}, []string{"paris"}},
		{"kinds", "2026-11-01", Filter{Kinds: []Kind{KindPublic, KindGovernment}}, []string{"hangzhou", "hk", "frankfurt", "sydney"}},
		{"kind before the site exists", "2025-01-01", Filter{Kinds: []Kind{KindSovereign}}, nil},
		{"country", "2026-11-01", Filter{Countries: []string{"HK", "AU"}}, []string{"hk", "sydney"}},
		{"bbox", "2026-11-01", Filter{Bound: &europe}, []string{"frankfurt", "paris"}},
		{"query on city, any case", "2026-11-01", Filter{Query: "hong KONG"}, []string{"hk"}},
		{"query on region code", "2026-11-01", Filter{Query: "cn-hong"}, []string{"hk"}},
		{"query matches nothing", "2026-11-01", Filter{Query: "atlantis"}, nil},
		{"during before closure", "2026-11-01", Filter{During: &Interval{From: mustDay(t, "2020-01-01"), To: mustDay(t, "2020-12-31")}}, []string{"hangzhou", "hk", "frankfurt", "sydney"}},
		{"during after closure", "2026-11-01", Filter{During: &Interval{From: mustDay(t, "2025-01-01"), OpenTo: true}}, []string{"hangzhou", "hk", "frankfurt", "paris"}},
		{"during open start", "2026-11-01", Filter{During: &Interval{OpenFrom: true, To: mustDay(t, "2012-01-01")}}, []string{"hangzhou"}},
		{"combined", "2026-11-01", Filter{Providers: []string{"a"}, Statuses: []Status{StatusActive}, Bound: &europe}, []string{"frankfurt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(d.Select(mustDay(t, tt.at), tt.filter))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestInterval(t *testing.T) {
	d := func(s string) Day { return mustDay(t, s) }
	tests := []struct {
		name        string
		iv          Interval
		from, until Day
		open        bool
		want        bool
	}{
		{"inside", Interval{From: d("2020-01-01"), To: d("2020-12-31")}, d("2019-01-01"), 0, true, true},
		{"ends before", Interval{From: d("2010-01-01"), To: d("2010-12-31")}, d("2019-01-01"), 0, true, false},
		{"starts after closure", Interval{From: d("2025-01-01"), OpenTo: true}, d("2016-01-01"), d("2024-09-30"), false, false},
		{"touches closure day", Interval{From: d("2024-09-30"), OpenTo: true}, d("2016-01-01"), d("2024-09-30"), false, true},
		{"touches first day", Interval{OpenFrom: true, To: d("2016-01-01")}, d("2016-01-01"), 0, true, true},
	}
	for _, tt := range tests {
		if got := tt.iv.Overlaps(tt.from, tt.until, tt.open); got != tt.want {
			t.Errorf("%s: Overlaps = %v, want %v", tt.name, got, tt.want)
		}
	}
}
