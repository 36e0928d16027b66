package render

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Map layout, in CSS pixels.
const (
	markerSize   = symbolBox // the symbols' size on the map, as in the web viewer
	markerRadius = 11        // half the extent of a symbol with its pending ring
	// providerMarkerSize is the symbols' size on a map of several providers, whose sites often
	// share a city.
	providerMarkerSize = 19
	edge               = 12 // from the map's edge to a panel
	panelPad           = 10 // inside a panel
	panelRadius        = 4
	titleSize          = 20
	stampSize          = 13
	legendSize         = 13
	legendRow          = 22
	legendSymbol       = 20
	labelSize          = 12
	labelHalo          = 3
	attribSize         = 10.5
)

// panelStyle is the look of the boxes holding the title, the legend and the attribution.
var panelStyle = style{fill: paint{white, 0.88}, stroke: paint{Ink, 0.14}, width: 1}

// box is a rectangle in CSS pixels.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlaps(o box) bool {
	return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1
}

func (b box) inside(o box) bool {
	return b.x0 >= o.x0 && b.x1 <= o.x1 && b.y0 >= o.y0 && b.y1 <= o.y1
}

func (b box) grow(d float64) box { return box{b.x0 - d, b.y0 - d, b.x1 + d, b.y1 + d} }

// placedMarker is a marker at its pixel position; a marker shown more than once (on a map wider
// than the world) has one per copy.
type placedMarker struct {
	m  *Marker
	i  int // index in the spec's markers
	at orb.Point
}

// fitText shortens s with an ellipsis until it is at most maxW pixels wide.
func fitText(ts *typesetter, s string, size float64, bold bool, maxW float64) string {
	if ts.width(s, size, bold) <= maxW {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := string(r) + "…"
		if ts.width(t, size, bold) <= maxW {
			return t
		}
	}
	return ""
}

// drawMap lays out and draws a map: base map and markers in the frame, then labels, then the
// panels of title, legend and attribution.
func drawMap(cv canvas, ts *typesetter, spec MapSpec, v view) {
	w, h := v.w, v.h
	frame := box{0, 0, w, h}

	// Markers on the map, north first so that southern symbols overlap northern ones.
	var placed []placedMarker
	for i := range spec.Markers {
		m := &spec.Markers[i]
		y := v.px(0, worldY(m.Point[1]))[1]
		if y < -markerRadius || y > h+markerRadius {
			continue
		}
		for _, x := range v.copies(worldX(m.Point[0]), markerRadius) {
			placed = append(placed, placedMarker{m: m, i: i, at: orb.Point{x, y}})
		}
	}
	slices.SortStableFunc(placed, func(a, b placedMarker) int {
		return cmp.Or(cmp.Compare(a.at[1], b.at[1]), cmp.Compare(a.at[0], b.at[0]))
	})

	// On a map of several providers, sites in the same city often share a point: fan them out so
	// that none hides another.
	if len(spec.Providers) > 1 {
		fanOut(placed, providerMarkerSize*0.55)
	}

	// Panels: their boxes first, as the labels must avoid them.
	var panels []box
	title := layoutTitle(ts, spec.Title, spec.Stamp, w)
	if title.shown() {
		panels = append(panels, title.box)
	}
	attrib := layoutAttribution(ts, spec.Attribution, w, h)
	if attrib.text != "" {
		panels = append(panels, attrib.box)
	}
	// On a map of several providers, a marker takes its provider's colour.
	byProvider := len(spec.Providers) > 1
	providerOf := func(m *Marker) (MapProvider, bool) {
		for _, p := range spec.Providers {
			if p.ID == m.Provider {
				return p, true
			}
		}
		return MapProvider{Color: Ink}, false
	}
	colorOf := func(m *Marker) basemap.Color {
		if byProvider {
			p, _ := providerOf(m)
			return p.Color
		}
		return StatusColor(m.Status)
	}
	var legend legendLayout
	if spec.Legend {
		var counts geo.Counts
		perProvider := map[string]int{}
		seen := make(map[int]bool)
		for _, p := range placed {
			if !seen[p.i] {
				seen[p.i] = true
				counts.Add(geo.State{Status: p.m.Status, Pending: pendingEvent(p.m.Pending)})
				perProvider[p.m.Provider]++
			}
		}
		var rows []legendRowLayout
		if byProvider {
			for _, p := range spec.Providers {
				rows = append(rows, legendRowLayout{parts: symbolPartsIn(geo.StatusActive, p.Color), words: p.Name, count: perProvider[p.ID], bold: true})
			}
		}
		status := statusRows(counts, byProvider)
		status[0].gapBefore = byProvider
		rows = append(rows, status...)
		legend = layoutLegend(ts, rows, frame, title.box, attrib.box, placed)
		if legend.shown {
			panels = append(panels, legend.box)
		}
	}
	var labels []placedLabel
	if spec.Labels {
		labels = placeLabels(ts, placed, panels, frame)
	}

	cv.group(groupAttrs{id: "map", clip: true})
	cv.baseMap(v)
	cv.group(groupAttrs{id: "markers"})
	size := float64(markerSize)
	if byProvider {
		size = providerMarkerSize
	}
	for _, p := range placed {
		class, title := "marker "+string(p.m.Status), markerTitle(p.m)
		if prov, ok := providerOf(p.m); ok && byProvider {
			class += " " + prov.ID
			title = prov.Name + " · " + title
		}
		cv.group(groupAttrs{class: class, title: title})
		drawMarker(cv, p.at, size, p.m.Status, colorOf(p.m), p.m.Pending)
		cv.end()
	}
	cv.end()
	cv.end()
	if len(labels) > 0 {
		cv.group(groupAttrs{id: "labels"})
		for _, l := range labels {
			cv.text(l.x, l.y, l.text, textStyle{size: labelSize, anchor: l.anchor, fill: Ink, halo: labelHalo, class: "label"})
		}
		cv.end()
	}
	title.draw(cv)
	if legend.shown {
		legend.draw(cv)
	}
	attrib.draw(cv)
}

// fanOut spreads each set of markers drawn at the same spot (within 2 pixels) evenly on a circle
// of radius r around it, the first at the top, in the order of the markers.
func fanOut(placed []placedMarker, r float64) {
	done := make([]bool, len(placed))
	for i := range placed {
		if done[i] {
			continue
		}
		group := []int{i}
		for j := i + 1; j < len(placed); j++ {
			if !done[j] && math.Hypot(placed[i].at[0]-placed[j].at[0], placed[i].at[1]-placed[j].at[1]) <= 2 {
				group = append(group, j)
			}
		}
		for _, j := range group {
			done[j] = true
		}
		if len(group) < 2 {
			continue
		}
		slices.SortFunc(group, func(a, b int) int { return cmp.Compare(placed[a].i, placed[b].i) })
		c := placed[i].at
		for k, j := range group {
			a := 2*math.Pi*float64(k)/float64(len(group)) - math.Pi/2
			placed[j].at = orb.Point{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)}
		}
	}
}

// pendingEvent stands for a pending change when counting: only its presence matters.
func pendingEvent(pending bool) *geo.Event {
	if pending {
		return &geo.Event{}
	}
	return nil
}

// markerTitle is what an SVG viewer shows over a marker.
func markerTitle(m *Marker) string {
	s := StatusLabel(m.Status)
	if m.Pending {
		s += ", change pending"
	}
	if m.Label == "" {
		return s
	}
	return m.Label + ": " + s
}

// titleLayout is the panel at the top left: a title, if any, over the stamp.
type titleLayout struct {
	title, stamp   string
	box            box
	titleY, stampY float64 // baselines
}

func (t titleLayout) shown() bool { return t.title != "" || t.stamp != "" }

func layoutTitle(ts *typesetter, title, stamp string, w float64) titleLayout {
	maxW := w - 2*edge - 2*panelPad
	t := titleLayout{title: fitText(ts, title, titleSize, true, maxW), stamp: fitText(ts, stamp, stampSize, false, maxW)}
	y := float64(edge + panelPad)
	width := 0.0
	if t.title != "" {
		asc, _, _ := ts.metrics(titleSize, true)
		t.titleY = y + asc*0.8
		y = t.titleY + 8
		width = ts.width(t.title, titleSize, true)
	}
	if t.stamp != "" {
		_, _, capH := ts.metrics(stampSize, false)
		if t.title == "" {
			y += capH
		} else {
			y += capH + 2
		}
		t.stampY = y
		width = max(width, ts.width(t.stamp, stampSize, false))
		y += stampSize * 0.25
	}
	t.box = box{edge, edge, edge + width + 2*panelPad, y + panelPad}
	return t
}

func (t titleLayout) draw(cv canvas) {
	if !t.shown() {
		return
	}
	cv.group(groupAttrs{id: "title"})
	cv.rect(t.box.x0, t.box.y0, t.box.x1-t.box.x0, t.box.y1-t.box.y0, panelRadius, panelStyle)
	x := t.box.x0 + panelPad
	if t.title != "" {
		cv.text(x, t.titleY, t.title, textStyle{size: titleSize, bold: true, fill: Ink, class: "title"})
	}
	if t.stamp != "" {
		cv.text(x, t.stampY, t.stamp, textStyle{size: stampSize, fill: inkMuted, class: "stamp"})
	}
	cv.end()
}

// attributionLayout is the credit line at the bottom right.
type attributionLayout struct {
	text string
	box  box
	y    float64
}

const attribPad = 5

func layoutAttribution(ts *typesetter, s string, w, h float64) attributionLayout {
	a := attributionLayout{text: fitText(ts, s, attribSize, false, w-2*attribPad)}
	if a.text == "" {
		return a
	}
	tw := ts.width(a.text, attribSize, false)
	_, _, capH := ts.metrics(attribSize, false)
	bh := capH + attribSize*0.25 + 2*3.5
	a.box = box{w - tw - 2*attribPad, h - bh, w, h}
	a.y = h - 3.5 - attribSize*0.25
	return a
}

func (a attributionLayout) draw(cv canvas) {
	if a.text == "" {
		return
	}
	cv.group(groupAttrs{id: "attribution"})
	cv.rect(a.box.x0, a.box.y0, a.box.x1-a.box.x0, a.box.y1-a.box.y0, 0, style{fill: paint{white, 0.8}})
	cv.text(a.box.x1-attribPad, a.y, a.text, textStyle{size: attribSize, anchor: anchorEnd, fill: inkMuted, class: "attribution"})
	cv.end()
}

// legendLayout is the panel in a corner: a row per status, and one for pending changes if
// there are any, each with its symbol, words and count.
type legendLayout struct {
	shown bool
	box   box
	rows  []legendRowLayout
	// countX is where the counts end (they are right-aligned).
	countX float64
}

type legendRowLayout struct {
	parts []part
	words string
	count int
	bold  bool // a provider's row
	// gapBefore leaves half a row above the row.
	gapBefore bool
	y         float64 // the row's middle
}

// statusRows are the legend's rows of the statuses, with pending changes if there are any; in
// neutral ink when the markers' colours tell their providers.
func statusRows(c geo.Counts, neutral bool) []legendRowLayout {
	var rows []legendRowLayout
	for _, st := range LegendOrder() {
		n := map[geo.Status]int{geo.StatusActive: c.Active, geo.StatusAnnounced: c.Announced, geo.StatusClosing: c.Closing, geo.StatusClosed: c.Closed}[st]
		parts := symbolParts(st)
		if neutral {
			parts = symbolPartsIn(st, inkMuted)
		}
		rows = append(rows, legendRowLayout{parts: parts, words: StatusLabel(st), count: n})
	}
	if c.Pending > 0 {
		rows = append(rows, legendRowLayout{parts: []part{pendingRing(), pendingDot()}, words: "Change pending", count: c.Pending})
	}
	return rows
}

// layoutLegend places the legend's rows in the first corner where they hide no symbol: bottom
// left, bottom right (over the attribution) or top right; where they must hide some, in the corner
// where they hide the fewest. It leaves the legend out when the map is too small for it.
func layoutLegend(ts *typesetter, rows []legendRowLayout, frame, title, attrib box, placed []placedMarker) legendLayout {
	l := legendLayout{rows: rows}
	var wordsW, countW float64
	for _, r := range l.rows {
		wordsW = max(wordsW, ts.width(r.words, legendSize, r.bold))
		countW = max(countW, ts.width(strconv.Itoa(r.count), legendSize, true))
	}
	bw := panelPad + legendSymbol + 8 + wordsW + 18 + countW + panelPad
	// A half row parts the providers from the statuses.
	gaps := 0.0
	for _, r := range l.rows {
		if r.gapBefore {
			gaps += legendRow / 2
		}
	}
	bh := 2*(panelPad-3) + legendRow*float64(len(l.rows)) + gaps
	w, h := frame.x1, frame.y1
	bottomLeft := box{edge, h - edge - bh, edge + bw, h - edge}
	if bottomLeft.overlaps(attrib.grow(4)) { // a narrow map: stand on the attribution
		bottomLeft.y0, bottomLeft.y1 = attrib.y0-6-bh, attrib.y0-6
	}
	corners := []box{
		bottomLeft,
		{w - edge - bw, attrib.y0 - 6 - bh, w - edge, attrib.y0 - 6},
		{w - edge - bw, edge, w - edge, edge + bh},
	}
	if attrib.y0 == 0 && attrib.y1 == 0 { // no attribution
		corners[1].y0, corners[1].y1 = h-edge-bh, h-edge
	}
	best, hidden := -1, 0
	for i, b := range corners {
		if !b.inside(frame) || b.overlaps(title.grow(6)) || b.overlaps(attrib.grow(4)) {
			continue
		}
		n := 0
		for _, p := range placed {
			if symbolBounds(p).overlaps(b) {
				n++
			}
		}
		if best < 0 || n < hidden {
			best, hidden = i, n
		}
		if n == 0 {
			break
		}
	}
	if best < 0 {
		return legendLayout{} // no room for it
	}
	l.box = corners[best]
	gap := 0.0
	for i := range l.rows {
		if l.rows[i].gapBefore {
			gap += legendRow / 2
		}
		l.rows[i].y = l.box.y0 + panelPad - 3 + legendRow*(float64(i)+0.5) + gap
	}
	l.countX = l.box.x1 - panelPad
	l.shown = true
	return l
}

func (l legendLayout) draw(cv canvas) {
	cv.group(groupAttrs{id: "legend"})
	cv.rect(l.box.x0, l.box.y0, l.box.x1-l.box.x0, l.box.y1-l.box.y0, panelRadius, panelStyle)
	for _, r := range l.rows {
		sx := l.box.x0 + panelPad + legendSymbol/2
		drawSymbol(cv, orb.Point{sx, r.y}, legendSymbol, r.parts...)
		base := r.y + legendSize*0.35
		cv.text(sx+legendSymbol/2+8, base, r.words, textStyle{size: legendSize, bold: r.bold, fill: Ink, class: "legend"})
		cv.text(l.countX, base, strconv.Itoa(r.count), textStyle{size: legendSize, bold: true, anchor: anchorEnd, fill: Ink, class: "legend-count"})
	}
	cv.end()
}

// symbolBounds is the box a placed marker's symbol covers.
func symbolBounds(p placedMarker) box {
	r := 9.0
	if p.m.Pending {
		r = markerRadius
	}
	return box{p.at[0] - r, p.at[1] - r, p.at[0] + r, p.at[1] + r}
}

// placedLabel is a site's name where it is written.
type placedLabel struct {
	text   string
	x, y   float64
	anchor anchor
}

// maxLabelTries bounds the markers placeLabels tries to label, in its order: the largest map has
// room for fewer labels than this, and the work stays bounded however many sites are drawn.
const maxLabelTries = 5000

// placeLabels places the names of the markers greedily, active sites first: right of the symbol,
// else left, above or below, keeping the first position that stays on the map and clear of the
// panels, of every symbol and of the labels placed before. Names that fit nowhere are left out.
func placeLabels(ts *typesetter, placed []placedMarker, panels []box, frame box) []placedLabel {
	// Symbols, panels and the labels placed so far, by where they are: the check of a candidate
	// looks at its neighbours only.
	obstacles := newBoxGrid(frame, 4*labelSize)
	for _, b := range panels {
		obstacles.add(b)
	}
	for _, p := range placed {
		obstacles.add(symbolBounds(p))
	}
	order := slices.Clone(placed)
	rank := func(st geo.Status) int {
		switch st {
		case geo.StatusActive:
			return 0
		case geo.StatusClosing:
			return 1
		case geo.StatusAnnounced:
			return 2
		}
		return 3
	}
	slices.SortStableFunc(order, func(a, b placedMarker) int {
		return cmp.Or(cmp.Compare(rank(a.m.Status), rank(b.m.Status)), cmp.Compare(a.m.Label, b.m.Label))
	})
	_, desc, capH := ts.metrics(labelSize, false)
	inner := frame.grow(-2)
	var out []placedLabel
	for _, p := range order[:min(len(order), maxLabelTries)] {
		if p.m.Label == "" {
			continue
		}
		tw := ts.width(p.m.Label, labelSize, false)
		x, y := p.at[0], p.at[1]
		gap := symbolBounds(p).x1 - x + 1
		candidates := []placedLabel{
			{x: x + gap, y: y + capH/2, anchor: anchorStart},
			{x: x - gap, y: y + capH/2, anchor: anchorEnd},
			{x: x, y: y - gap - desc, anchor: anchorMiddle},
			{x: x, y: y + gap + capH, anchor: anchorMiddle},
		}
		for _, c := range candidates {
			x0 := c.x
			switch c.anchor {
			case anchorMiddle:
				x0 -= tw / 2
			case anchorEnd:
				x0 -= tw
			}
			b := box{x0, c.y - capH, x0 + tw, c.y + desc}.grow(labelHalo / 2)
			if !b.inside(inner) || obstacles.overlaps(b) {
				continue
			}
			c.text = p.m.Label
			out = append(out, c)
			obstacles.add(b.grow(1))
			break
		}
	}
	return out
}
