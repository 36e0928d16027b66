package data

import (
	"testing"

	"dcatlas/geo"
)

// awsOnly selects Amazon Web Services' sites: the totals below are AWS's own.
var awsOnly = geo.Filter{Providers: []string{"aws"}}

// awsRegions counts AWS's sites active or closing at day that pass keep.
func awsRegions(keep func(s *geo.Site) bool) func(*geo.Dataset, geo.Day) int {
	return func(ds *geo.Dataset, day geo.Day) int {
		n := 0
		for _, m := range ds.Select(day, awsOnly) {
			if m.State.Status.InService() && keep(m.Site) {
				n++
			}
		}
		return n
	}
}

var (
	awsAll          = awsRegions(func(*geo.Site) bool { return true })
	awsInUS         = awsRegions(func(s *geo.Site) bool { return s.Country == "US" })
	awsNotSovereign = awsRegions(func(s *geo.Site) bool { return s.Kind != geo.KindSovereign })
)

const osakaLocal = "the data counts the single-zone Osaka Local Region (2018), which AWS left out of its region count until it became a full region in 2021"

// TestReconcileAWS compares the AWS sites with the region totals AWS published (in its own posts or
// quoted in the press) at known dates. Where the data cannot match, the difference is pinned with
// its reason.
func TestReconcileAWS(t *testing.T) {
	ds, err := Load(Embedded(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	table := []published{
		{"2014-10-28", "AWS spokesperson to Gigaom 2014-10-28: 11 regions", awsAll, 11, 10,
			"Beijing is recorded as announced (code in the SDK from 2013) until its general availability in 2016, while AWS already counted it"},
		{"2014-10-28", "AWS spokesperson to Gigaom 2014-10-28: four of them in the US", awsInUS, 4, 4, ""},
		{"2016-12-20", "Postmedia 2016-12-20: Canada joins 15 other regions (16)", awsAll, 16, 15,
			"Beijing's general availability is known only as the year 2016, so it is certain from the end of 2016"},
		{"2018-10-31", "AWS global-infrastructure text, October 2018 (quoted on Qiita): 18 regions and 1 local region", awsAll, 18, 19, osakaLocal},
		{"2018-11-27", "AWS at re:Invent 2018 (ITWeb): 19 regions", awsAll, 19, 20, osakaLocal},
		{"2018-12-11", "Werner Vogels, Stockholm launch: 20th region", awsAll, 20, 21, osakaLocal},
		{"2020-04-22", "Cape Town launch (VentureBeat 2020-04-22): 23 regions", awsAll, 23, 24, osakaLocal},
		{"2020-04-27", "Milan launch (ITSocial 2020-04): 24 regions", awsAll, 24, 25, osakaLocal},
		{"2021-11-08", "Calgary announcement (Calgary Herald 2021-11-08): 25 existing regions", awsAll, 25, 25, ""},
		{"2022-11-22", "Hyderabad launch (The Register 2022-11-22): 30 regions", awsAll, 30, 30, ""},
		{"2025-05-06", "Chile announcement (Reuters 2025-05): 36 regions", awsAll, 36, 36, ""},
		{"2025-09-02", "New Zealand launch (W.Media 2025-09): 38 regions", awsAll, 38, 38, ""},
		{"2026-01-15", "European Sovereign Cloud launch (Kurier 2026-01-15): 38 other regions", awsNotSovereign, 38, 38, ""},
		{"2026-03-03", "AP on the Gulf drone strikes, March 2026: 39 regions", awsAll, 39, 39, ""},
	}
	checkPublished(t, ds, table)
}
