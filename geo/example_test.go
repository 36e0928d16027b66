package geo_test

import (
	"fmt"

	"dcatlas/geo"
)

// A site's status at a day comes from its last event that is certain by then; a later event whose
// window holds the day is pending. Here a region announced on 21 November 2016 opened sometime in
// December 2016 (approximately), closed in March 2018 and reopened between June and September 2020.
func ExampleSite_At() {
	event := func(date string, st geo.Status) geo.Event {
		d, err := geo.ParseDate(date)
		if err != nil {
			panic(err)
		}
		return geo.Event{Date: d, Status: st}
	}
	s := geo.Site{ID: "example", Events: []geo.Event{
		event("2016-11-21", geo.StatusAnnounced),
		event("2016-12~", geo.StatusActive),
		event("2018-03", geo.StatusClosed),
		event("2020-06/2020-09", geo.StatusActive),
	}}
	for _, day := range []string{"2016-11-20", "2016-12-15", "2017-01-01", "2019-01-01", "2020-07-01", "2021-01-01"} {
		d, _ := geo.ParseDay(day)
		st := s.At(d)
		switch {
		case !st.Exists():
			fmt.Println(day, "does not exist yet")
		case st.Pending != nil:
			fmt.Println(day, st.Status, "until", st.Pending.Status, "sometime in", st.Pending.Date)
		default:
			fmt.Println(day, st.Status, "since", st.Since.Date)
		}
	}
	// Output:
	// 2016-11-20 does not exist yet
	// 2016-12-15 announced until active sometime in 2016-12~
	// 2017-01-01 active since 2016-12~
	// 2019-01-01 closed since 2018-03
	// 2020-07-01 closed until active sometime in 2020-06/2020-09
	// 2021-01-01 active since 2020-06/2020-09
}
