package render

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"dcatlas/geo"
)

// The timeline chart is a stacked step chart: at each day, the sites that exist, split by status
// (active at the bottom, read straight off the axis, then closing, announced and closed), changing
// only on the days a status becomes certain. Its legend gives the counts at the last day.

// Chart layout, in CSS pixels.
const (
	chartEdge      = 16 // from the image's edge to text
	axisLabelSize  = 11.5
	chartLegendGap = 22 // between legend entries
)

// countOf returns the count of a status.
func countOf(c geo.Counts, st geo.Status) int {
	switch st {
	case geo.StatusActive:
		return c.Active
	case geo.StatusAnnounced:
		return c.Announced
	case geo.StatusClosing:
		return c.Closing
	case geo.StatusClosed:
		return c.Closed
	}
	return 0
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that divides max into at most n
// intervals.
func niceStep(maxV float64, n int) float64 {
	if maxV <= 0 {
		return 1
	}
	raw := maxV / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return max(1, m*p)
		}
	}
	return max(1, 10*p)
}

// drawTimeline lays out and draws a timeline chart.
func drawTimeline(cv canvas, ts *typesetter, spec TimelineSpec) {
	w, h := float64(spec.Width), float64(spec.Height)
	cv.rect(0, 0, w, h, 0, style{fill: solid(white)})
	changes := spec.Timeline.Changes

	// Header: title, stamp, legend.
	maxW := w - 2*chartEdge
	y := drawChartHeader(cv, ts, spec.Title, spec.Stamp, maxW)
	var last geo.Counts
	if len(changes) > 0 {
		last = changes[len(changes)-1].Counts
	}
	y = drawChartLegend(cv, ts, last, chartEdge, y+4, w-chartEdge)

	// Attribution, bottom right.
	attribY := h - 8
	if a := fitText(ts, spec.Attribution, attribSize, false, maxW); a != "" {
		cv.text(w-chartEdge, attribY, a, textStyle{size: attribSize, anchor: anchorEnd, fill: inkMuted, class: "attribution"})
	}

	// The plot.
	maxTotal := 0
	for _, c := range changes {
		maxTotal = max(maxTotal, c.Total())
	}
	step := niceStep(float64(maxTotal), 4)
	top := max(float64(maxTotal), step)
	top = math.Ceil(top/step) * step
	yLabelW := ts.width(strconv.Itoa(int(top)), axisLabelSize, false)
	plot := box{chartEdge + yLabelW + 8, y + 12, w - chartEdge - 8, attribY - attribSize - 24}
	if plot.x1-plot.x0 < 20 || plot.y1-plot.y0 < 20 {
		return // too small for a plot
	}
	Y := func(v float64) float64 { return plot.y1 - v/top*(plot.y1-plot.y0) }
	drawYAxis(cv, plot, top, step, Y)
	from, until := spec.Until-365, spec.Until+1
	if len(changes) > 0 {
		from = geo.DayOf(changes[0].Date.Year(), 1, 1)
		until = max(spec.Until, changes[len(changes)-1].Date) + 1 // the end of the last day
	}
	if maxTotal == 0 {
		cv.text((plot.x0+plot.x1)/2, (plot.y0+plot.y1)/2, "No site matches the filters by "+spec.Until.String(), textStyle{size: stampSize, anchor: anchorMiddle, fill: inkMuted, class: "empty"})
		drawXAxis(cv, ts, plot, from, until, timeScale(from, from, until, plot))
		return
	}
	X := timeScale(from, changes[len(changes)-1].Date, until, plot)
	// Each layer: a polygon along the top of its band, left to right, then back along its bottom.
	cv.group(groupAttrs{id: "areas"})
	layerOrder := StackOrder()
	for li, st := range layerOrder {
		any := false
		var upper, lower []orb.Point
		add := func(d0, d1 geo.Day, c geo.Counts) {
			below := 0
			for _, s := range layerOrder[:li] {
				below += countOf(c, s)
			}
			n := countOf(c, st)
			any = any || n > 0
			x0, x1 := X(d0), X(d1)
			upper = append(upper, orb.Point{x0, Y(float64(below + n))}, orb.Point{x1, Y(float64(below + n))})
			lower = append(lower, orb.Point{x0, Y(float64(below))}, orb.Point{x1, Y(float64(below))})
		}
		add(from, changes[0].Date, geo.Counts{})
		for i, c := range changes {
			end := until
			if i+1 < len(changes) {
				end = changes[i+1].Date
			}
			add(c.Date, end, c.Counts)
		}
		if !any {
			continue
		}
		poly := append([]orb.Point(nil), upper...)
		for i := len(lower) - 1; i >= 0; i-- {
			poly = append(poly, lower[i])
		}
		color := StatusColor(st)
		cv.group(groupAttrs{class: "area " + string(st), title: StatusLabel(st)})
		cv.path(path{{pts: poly, closed: true}}, style{fill: paint{color, 0.85}})
		cv.end()
	}
	cv.end()
	drawXAxis(cv, ts, plot, from, until, X)
}

// minLastState is the least width, in CSS pixels, of the counts at the chart's last day: when the
// last change falls on it, the state it makes would otherwise be a hairline.
const minLastState = 4

// timeScale maps days onto the plot's width, from the start of day from to the end of the chart,
// until (exclusive). The last state, from day last on, is at least minLastState pixels wide: the
// days before it are drawn a little narrower if need be.
func timeScale(from, last, until geo.Day, plot box) func(geo.Day) float64 {
	w := plot.x1 - plot.x0
	linear := func(d geo.Day) float64 { return plot.x0 + float64(d-from)/float64(until-from)*w }
	if last <= from || linear(until)-linear(last) >= minLastState || w <= 2*minLastState {
		return linear
	}
	split := plot.x1 - minLastState
	return func(d geo.Day) float64 {
		if d <= last {
			return plot.x0 + float64(d-from)/float64(last-from)*(split-plot.x0)
		}
		return split + float64(d-last)/float64(until-last)*minLastState
	}
}

// drawYAxis writes the counts every step from 0 to top left of the plot, with a grid line at each
// but 0.
func drawYAxis(cv canvas, plot box, top, step float64, Y func(float64) float64) {
	for v := 0.0; v <= top+1e-9; v += step {
		yy := math.Round(Y(v)) + 0.5
		if v > 0 {
			cv.path(path{}.moveTo(plot.x0, yy).lineTo(plot.x1, yy), style{stroke: solid(gridColor), width: 1})
		}
		cv.text(plot.x0-8, Y(v)+axisLabelSize*0.35, strconv.Itoa(int(v)), textStyle{size: axisLabelSize, anchor: anchorEnd, fill: inkMuted, class: "axis"})
	}
}

// drawXAxis draws the time axis: its line, a tick at every new year and the years' labels.
func drawXAxis(cv canvas, ts *typesetter, plot box, from, until geo.Day, X func(geo.Day) float64) {
	cv.path(path{}.moveTo(plot.x0, plot.y1+0.5).lineTo(plot.x1, plot.y1+0.5), style{stroke: solid(Ink), width: 1})
	y0, y1 := from.Year(), until.Year()
	yearW := (plot.x1 - plot.x0) / max(1, float64(until-from)/365.25)
	labelW := ts.width("2000", axisLabelSize, false) + 10
	// Label every year, or every 2, 5, 10, … years, whichever leaves room for the labels; tick every
	// year while ticks stay 4 pixels apart.
	every := 1
	for _, n := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		every = n
		if yearW*float64(n) >= labelW {
			break
		}
	}
	tickEvery := every
	if yearW >= 4 {
		tickEvery = 1
	}
	for yr := y0 + (tickEvery-y0%tickEvery)%tickEvery; yr <= y1+1; yr += tickEvery {
		d := geo.DayOf(yr, 1, 1)
		if d < from || d > until {
			continue
		}
		x := math.Round(X(d)) + 0.5
		cv.path(path{}.moveTo(x, plot.y1).lineTo(x, plot.y1+5), style{stroke: solid(Ink), width: 1})
		if yr%every != 0 {
			continue
		}
		// The label sits in the middle of its year when years are wide, on the tick otherwise.
		lx := x
		if every == 1 {
			end := min(geo.DayOf(yr+1, 1, 1), until)
			if X(end)-x < labelW {
				continue
			}
			lx = (x + X(end)) / 2
		}
		cv.text(lx, plot.y1+5+axisLabelSize+2, strconv.Itoa(yr), textStyle{size: axisLabelSize, anchor: anchorMiddle, fill: inkMuted, class: "axis"})
	}
}

// drawChartHeader writes a chart's title and stamp at its top left, each shortened to maxW, and
// returns the y below them.
func drawChartHeader(cv canvas, ts *typesetter, title, stamp string, maxW float64) float64 {
	y := float64(chartEdge)
	if t := fitText(ts, title, titleSize, true, maxW); t != "" {
		_, _, capH := ts.metrics(titleSize, true)
		y += capH
		cv.text(chartEdge, y, t, textStyle{size: titleSize, bold: true, fill: Ink, class: "title"})
		y += 10
	}
	if s := fitText(ts, stamp, stampSize, false, maxW); s != "" {
		_, _, capH := ts.metrics(stampSize, false)
		y += capH
		cv.text(chartEdge, y, s, textStyle{size: stampSize, fill: inkMuted, class: "stamp"})
		y += 10
	}
	return y
}

// drawChartLegend writes a row of entries, one per status with its symbol and count, wrapping at
// right, from (x, y) the row's top; it returns the bottom of the last row.
func drawChartLegend(cv canvas, ts *typesetter, c geo.Counts, x, y, right float64) float64 {
	cv.group(groupAttrs{id: "legend"})
	defer cv.end()
	row := float64(legendRow)
	cx := x
	for _, st := range LegendOrder() {
		words := StatusLabel(st)
		count := strconv.Itoa(countOf(c, st))
		ww := ts.width(words, legendSize, false)
		cw := ts.width(count, legendSize, true)
		entry := legendSymbol + 6 + ww + 5 + cw
		if cx > x && cx+entry > right {
			cx, y = x, y+row
		}
		mid := y + row/2
		drawSymbol(cv, orb.Point{cx + legendSymbol/2, mid}, legendSymbol, symbolParts(st)...)
		base := mid + legendSize*0.35
		cv.text(cx+legendSymbol+6, base, words, textStyle{size: legendSize, fill: Ink, class: "legend"})
		cv.text(cx+legendSymbol+6+ww+5, base, count, textStyle{size: legendSize, bold: true, fill: Ink, class: "legend-count"})
		cx += entry + chartLegendGap
	}
	return y + row
}
