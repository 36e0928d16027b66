package render

import (
	"cmp"
	"context"
	"io"
	"math"
	"slices"
	"strconv"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// The race is a report figure: one step line per provider, the number of its sites in service
// (active or closing) over time, each labelled at its end with its name and count, one of them
// highlighted.

// RaceSpec describes a chart of the sites in service per provider over time.
type RaceSpec struct {
	// Width, Height and Scale are as in MapSpec.
	Width, Height int
	Scale         int
	// Lines are the providers, drawn in order, the highlighted one last (on top).
	Lines []RaceLine
	// Until is the chart's last day.
	Until geo.Day
	// Title, when set, is written large at the top left.
	Title string
	// Stamp says what the chart counts and until when; it is written under the title.
	Stamp string
	// Sources says where the dates come from, at the bottom left.
	Sources string
	// Attribution credits the data, at the bottom right.
	Attribution string
	// Canvases lends the PNG's pixels; nil allocates them.
	Canvases *Canvases
}

// RaceLine is one provider's line.
type RaceLine struct {
	// Name labels the line's end, e.g. "AWS".
	Name  string
	Color basemap.Color
	// Highlight draws the line thicker and its label bold.
	Highlight bool
	// Changes are the provider's counts on every day one changes, in order, as geo.Timeline
	// gives them.
	Changes []geo.DayCounts
}

// Race draws the chart spec describes and writes it to w as f. Errors wrap ErrInvalidSpec, or
// come from w, or are ctx's error when it ends first.
func Race(ctx context.Context, w io.Writer, spec RaceSpec, f Format) error {
	size := chartSize{spec.Width, spec.Height, spec.Scale, spec.Canvases}
	return drawChart(ctx, w, size, docTitle(spec.Title, spec.Stamp), f, func(cv canvas, ts *typesetter) { drawRace(cv, ts, spec) })
}

// HexColor parses a colour written #rrggbb, as the data files give the providers' colours.
func HexColor(s string) (basemap.Color, bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	return basemap.Color(v), err == nil
}

// Race layout, in CSS pixels.
const (
	raceLine      = 2    // a line's width
	raceHighlight = 3.5  // the highlighted line's width
	raceLabelSize = 13   // end labels
	raceLabelGap  = 3    // least space between two end labels
	raceLabelPad  = 8    // from a line's end to its label
	raceSources   = 10.5 // the sources line's font size
)

// raceLabel is a line's end label, moved up or down so that labels do not overlap.
type raceLabel struct {
	line  int
	text  string
	y, at float64 // the baseline's middle, and the line's end
}

// drawRace lays out and draws the race.
func drawRace(cv canvas, ts *typesetter, spec RaceSpec) {
	w, h := float64(spec.Width), float64(spec.Height)
	cv.rect(0, 0, w, h, 0, style{fill: solid(white)})
	maxW := w - 2*chartEdge
	y := drawChartHeader(cv, ts, spec.Title, spec.Stamp, maxW)

	// The foot: the attribution at the right, the sources in the room left of it.
	footY := h - 8
	attribW := 0.0
	if a := fitText(ts, spec.Attribution, attribSize, false, maxW); a != "" {
		cv.text(w-chartEdge, footY, a, textStyle{size: attribSize, anchor: anchorEnd, fill: inkMuted, class: "attribution"})
		attribW = ts.width(a, attribSize, false) + 24
	}
	if s := fitText(ts, spec.Sources, raceSources, false, maxW-attribW); s != "" {
		cv.text(chartEdge, footY, s, textStyle{size: raceSources, fill: inkMuted, class: "sources"})
	}

	// The values: sites in service at every change of each line.
	maxV, first := 0, spec.Until
	labels := make([]raceLabel, 0, len(spec.Lines))
	labelW := 0.0
	for i, l := range spec.Lines {
		last := 0
		for _, c := range l.Changes {
			maxV = max(maxV, c.InService())
			if c.InService() > 0 && c.Date < first {
				first = c.Date
			}
			last = c.InService()
		}
		text := l.Name + " " + strconv.Itoa(last)
		labelW = max(labelW, ts.width(text, raceLabelSize, l.Highlight))
		labels = append(labels, raceLabel{line: i, text: text})
	}
	step := niceStep(float64(maxV), 4)
	top := math.Ceil(max(float64(maxV), step)/step) * step
	yLabelW := ts.width(strconv.Itoa(int(top)), axisLabelSize, false)
	plot := box{chartEdge + yLabelW + 8, y + 16, w - chartEdge - raceLabelPad - labelW, footY - attribSize - 24}
	if plot.x1-plot.x0 < 40 || plot.y1-plot.y0 < 20 {
		return // too small for a plot
	}
	Y := func(v float64) float64 { return plot.y1 - v/top*(plot.y1-plot.y0) }
	drawYAxis(cv, plot, top, step, Y)
	// The time axis starts with the year of the first site in service.
	from := geo.DayOf(first.Year(), 1, 1)
	until := spec.Until + 1 // the end of the last day
	if maxV == 0 {
		from = spec.Until - 365
		cv.text((plot.x0+plot.x1)/2, (plot.y0+plot.y1)/2, "No site in service by "+spec.Until.String(), textStyle{size: stampSize, anchor: anchorMiddle, fill: inkMuted, class: "empty"})
		drawXAxis(cv, ts, plot, from, until, timeScale(from, from, until, plot))
		return
	}
	X := timeScale(from, spec.Until, until, plot)

	// Lines, the highlighted ones last.
	order := make([]int, len(spec.Lines))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ha, hb := spec.Lines[a].Highlight, spec.Lines[b].Highlight
		switch {
		case ha == hb:
			return 0
		case ha:
			return 1
		}
		return -1
	})
	cv.group(groupAttrs{id: "lines"})
	for _, i := range order {
		l := spec.Lines[i]
		// The line rises from the axis on the day its first site opens; before that it is not
		// drawn, so that the lines do not all lie along the axis.
		v := 0.0
		var p path
		for _, c := range l.Changes {
			n := float64(c.InService())
			if p == nil && n == 0 {
				continue
			}
			x := X(max(c.Date, from))
			if p == nil {
				p = path{}.moveTo(x, Y(0))
			} else {
				p = p.lineTo(x, Y(v))
			}
			v = n
			p = p.lineTo(x, Y(v))
		}
		if p == nil {
			p = path{}.moveTo(X(from), Y(0))
		}
		p = p.lineTo(X(until), Y(v))
		width, class := float64(raceLine), "line"
		if l.Highlight {
			width, class = raceHighlight, "line highlight"
		}
		cv.group(groupAttrs{class: class, title: l.Name})
		cv.path(p, style{stroke: solid(l.Color), width: width})
		cv.end()
		labels[i].at = Y(v)
	}
	cv.end()

	// End labels, at their line's height, pushed apart where they would overlap.
	slices.SortStableFunc(labels, func(a, b raceLabel) int { return cmp.Compare(a.at, b.at) })
	row := float64(raceLabelSize + raceLabelGap)
	for i := range labels {
		labels[i].y = labels[i].at
		if i > 0 && labels[i].y < labels[i-1].y+row {
			labels[i].y = labels[i-1].y + row
		}
	}
	for i := len(labels) - 1; i >= 0; i-- { // keep the lowest above the axis
		limit := plot.y1
		if i+1 < len(labels) {
			limit = labels[i+1].y - row
		}
		labels[i].y = min(labels[i].y, limit)
	}
	cv.group(groupAttrs{id: "labels"})
	for _, lb := range labels {
		l := spec.Lines[lb.line]
		x := plot.x1 + raceLabelPad
		if math.Abs(lb.y-lb.at) > 1 {
			cv.path(path{}.moveTo(plot.x1+1, lb.at).lineTo(x-2, lb.y), style{stroke: solid(l.Color), width: 1})
		}
		cv.text(x, lb.y+raceLabelSize*0.35, lb.text, textStyle{size: raceLabelSize, bold: l.Highlight, fill: l.Color, class: "end-label"})
	}
	cv.end()
	drawXAxis(cv, ts, plot, from, until, X)
}
