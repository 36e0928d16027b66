package geo

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// SiteLayerName is the name of the vector tile layer that holds sites.
const SiteLayerName = "sites"

// TileExtent is the width and height of a vector tile in its own units (MVT 2.1 extent).
const TileExtent = mvt.DefaultExtent

// TileBuffer is how far beyond its edges, in tile units, a vector tile holds points: a site that
// close to an edge is in both tiles, so its symbol is drawn whole on either side.
const TileBuffer = 64

// TileField describes one property of the features of a vector tile layer.
type TileField struct {
	Name string
	// Type is the MVT value type: "String" or "Number".
	Type        string
	Description string
}

// SiteFields returns the properties a site feature of SiteLayer may carry, in order. Properties
// without a value (no region code yet, nothing pending, no such event) are left out of the feature.
//
// Dates come as EDTF strings, as the sources give them, and as the earliest and latest day each can
// mean, written as integers YYYYMMDD (20161121). The property events lists every event of the site
// as "from-to status", comma-separated and in order (20161121-20161121 announced,20161121-20170213
// active), so that a client can tell the status at any day D without the server, by the rule of
// Site.At: walk the events in order while to ≤ D; the status is the last one walked (none: the site
// does not exist yet). Walk on while from ≤ D: the last of those whose status differs is pending.
// The first
// event of each status (announced_from, opened_to, …) is there for filtering by when a site was
// first announced or opened; a reopened site has more than one, so they do not give its status.
func SiteFields() []TileField {
	fields := []TileField{
		{"id", "String", "Site id, e.g. alibaba-cn-hangzhou"},
		{"name", "String", "Name"},
		{"provider", "String", "Provider id"},
		{"kind", "String", "Kind: public, government, sovereign or partner"},
		{"region", "String", "Provider's region code, when known"},
		{"city", "String", "City"},
		{"country", "String", "Country, ISO 3166-1 alpha-2"},
		{"status", "String", "Status at the tile's date: announced, active, closing or closed"},
		{"status_date", "String", "EDTF date of the event that set the status"},
		{"pending_status", "String", "Status a later event whose window holds the date would set (e.g. opening sometime this year); absent when none"},
		{"pending_date", "String", "EDTF date of the pending event; absent when none"},
		{"events", "String", "Every event as YYYYMMDD-YYYYMMDD status (earliest and latest day), comma-separated, in order: the status at day D is that of the last event of the leading run whose latest day ≤ D"},
	}
	for _, e := range siteEvents() {
		fields = append(fields,
			TileField{e.name, "String", "EDTF date of the first " + e.what + " event; absent when none"},
			TileField{e.name + "_from", "Number", "Earliest day of " + e.name + ", as the integer YYYYMMDD"},
			TileField{e.name + "_to", "Number", "Latest day of " + e.name + ", as the integer YYYYMMDD: certain from this day"},
		)
	}
	return fields
}

// siteEvent names the first event of a status among a site's properties.
type siteEvent struct {
	name, what string
	status     Status
}

func siteEvents() []siteEvent {
	return []siteEvent{
		{"announced", "announcement", StatusAnnounced},
		{"opened", "opening (active)", StatusActive},
		{"closing", "closing", StatusClosing},
		{"closed", "closure", StatusClosed},
	}
}

// SiteLayer returns the sites that exist at day at and pass f, and that lie in tile t or within
// TileBuffer units of its edges, as a vector tile layer named SiteLayerName. Geometry is already in
// tile coordinates (extent TileExtent, y down), ready for mvt.Marshal; features are in dataset
// order, each with the properties of SiteFields and a numeric id that is stable for a site id (a
// 53-bit hash, exact in JavaScript). Across the antimeridian the neighbouring tile wraps round. A
// tile off the grid (t.Valid false) is empty.
func (d *Dataset) SiteLayer(t maptile.Tile, at Day, f Filter) *mvt.Layer {
	l := &mvt.Layer{Name: SiteLayerName, Version: 2, Extent: TileExtent}
	if !t.Valid() {
		return l
	}
	for _, m := range d.Select(at, f) {
		p, ok := tilePoint(t, m.Site.Point)
		if !ok {
			continue
		}
		l.Features = append(l.Features, &geojson.Feature{
			Type:       "Feature",
			ID:         SiteFeatureID(m.Site.ID),
			Geometry:   p,
			Properties: siteProperties(m),
		})
	}
	return l
}

// SiteTiles returns the tiles of zoom z whose SiteLayer at day at with filter f holds at least one
// site, ordered by x then y: the tiles worth writing when exporting site tiles.
func (d *Dataset) SiteTiles(z maptile.Zoom, at Day, f Filter) []maptile.Tile {
	n := int64(1) << z
	seen := map[maptile.Tile]bool{}
	for _, m := range d.Select(at, f) {
		own := maptile.At(m.Site.Point, z)
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				x, y := (int64(own.X)+dx+n)%n, int64(own.Y)+dy
				if y < 0 || y >= n {
					continue
				}
				t := maptile.New(uint32(x), uint32(y), z)
				if _, ok := tilePoint(t, m.Site.Point); ok {
					seen[t] = true
				}
			}
		}
	}
	out := make([]maptile.Tile, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b maptile.Tile) int {
		if a.X != b.X {
			return cmp.Compare(a.X, b.X)
		}
		return cmp.Compare(a.Y, b.Y)
	})
	return out
}

// tilePoint returns where the lon/lat point p falls in tile t, in tile units, and whether it lies
// within the tile or its buffer.
func tilePoint(t maptile.Tile, p orb.Point) (orb.Point, bool) {
	f := maptile.Fraction(p, t.Z)
	x := math.Floor((f[0] - float64(t.X)) * TileExtent)
	y := math.Floor((f[1] - float64(t.Y)) * TileExtent)
	in := func(v float64) bool { return v >= -TileBuffer && v < TileExtent+TileBuffer }
	if !in(y) {
		return orb.Point{}, false
	}
	world := float64(uint64(1)<<t.Z) * TileExtent
	for _, c := range [...]float64{x, x - world, x + world} {
		if in(c) {
			return orb.Point{c, y}, true
		}
	}
	return orb.Point{}, false
}

// SiteFeatureID is the numeric feature id of a site in vector tiles: a hash of its id below 2^53.
func SiteFeatureID(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64() & (1<<53 - 1)
}

// ymd writes a day as the integer YYYYMMDD.
func ymd(d Day) int64 {
	y, m, dd := d.Time().Date()
	return int64(y)*10000 + int64(m)*100 + int64(dd)
}

// siteProperties are the properties of a site feature, as SiteFields lists them.
func siteProperties(m Match) geojson.Properties {
	s, st := m.Site, m.State
	p := geojson.Properties{
		"id":          s.ID,
		"name":        s.Name,
		"provider":    s.Provider,
		"kind":        string(s.Kind),
		"city":        s.City,
		"country":     s.Country,
		"status":      string(st.Status),
		"status_date": st.Since.Date.String(),
	}
	if s.Region != "" {
		p["region"] = s.Region
	}
	if st.Pending != nil {
		p["pending_status"] = string(st.Pending.Status)
		p["pending_date"] = st.Pending.Date.String()
	}
	p["events"] = EventWindows(s.Events)
	for _, e := range siteEvents() {
		if ev := s.First(e.status); ev != nil {
			p[e.name] = ev.Date.String()
			p[e.name+"_from"] = ymd(ev.Date.Earliest())
			p[e.name+"_to"] = ymd(ev.Date.Latest())
		}
	}
	return p
}

// EventWindows writes events as the events property of SiteFields: "from-to status" for each, with
// from and to the event's earliest and latest day as YYYYMMDD, comma-separated, in order.
func EventWindows(events []Event) string {
	var b []byte
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, ymd(e.Date.Earliest()), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, ymd(e.Date.Latest()), 10)
		b = append(b, ' ')
		b = append(b, e.Status...)
	}
	return string(b)
}
