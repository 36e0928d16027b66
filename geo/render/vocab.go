package render

import "dcatlas/geo"

// LegendOrder returns the statuses in the order legends, filters and counts list them: what is in
// service first. The web viewer receives it in /history.json.
func LegendOrder() [4]geo.Status {
	return [4]geo.Status{geo.StatusActive, geo.StatusAnnounced, geo.StatusClosing, geo.StatusClosed}
}

// StackOrder returns the statuses in the order timeline charts stack them, bottom up: what is in
// service first, closed sites on top. The web viewer receives it in /history.json.
func StackOrder() [4]geo.Status {
	return [4]geo.Status{geo.StatusActive, geo.StatusClosing, geo.StatusAnnounced, geo.StatusClosed}
}
