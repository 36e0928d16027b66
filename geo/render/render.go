// Package render draws dcatlas's static images: maps of sites at a date over the built-in base map,
// and timeline charts of their counts, each as PNG or SVG.
//
// One layout feeds two backends. The layout code (map.go, timeline.go) places every element once
// and issues drawing calls to a small canvas; an SVG writer and a raster backend (anti-aliased with
// golang.org/x/image/vector, text from the embedded Go fonts) implement it, so the PNG and the SVG
// of a spec show the same picture. Maps are in Web Mercator (EPSG:3857), sized in CSS pixels; a PNG
// may have two device pixels per CSS pixel (Scale 2).
//
// The package is pure: it reads no files and knows nothing of HTTP. It does not select sites
// either: callers turn a dataset query into Markers (see MarkersOf) and a Timeline.
package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Format is the encoding of an image.
type Format int

// The image formats.
const (
	PNG Format = iota
	SVG
)

// String returns the format's file extension without the dot: "png" or "svg".
func (f Format) String() string {
	switch f {
	case PNG:
		return "png"
	case SVG:
		return "svg"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Size limits of an image, in CSS pixels. They bound the work of one image: at most
// MaxSize×MaxSize CSS pixels at MaxScale device pixels each.
const (
	MinSize  = 64
	MaxSize  = 2048
	MaxScale = 2
)

// ErrInvalidSpec means a spec cannot be drawn: a size or scale out of range, a bound that is not a
// number, an unknown format.
var ErrInvalidSpec = errors.New("render: invalid spec")

// checkSize checks the size and scale of an image.
func checkSize(width, height, scale int) error {
	if width < MinSize || width > MaxSize || height < MinSize || height > MaxSize {
		return fmt.Errorf("%w: size %d×%d is outside %d to %d", ErrInvalidSpec, width, height, MinSize, MaxSize)
	}
	if scale < 1 || scale > MaxScale {
		return fmt.Errorf("%w: scale %d is not 1 or 2", ErrInvalidSpec, scale)
	}
	return nil
}

// finite reports whether every value is a finite number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// MapSpec describes a static map: its size, what part of the world it shows, the sites on it and
// the text around them.
type MapSpec struct {
	// Width and Height are the size in CSS pixels, MinSize to MaxSize. The SVG has this size and a
	// matching viewBox; the PNG has Scale device pixels per CSS pixel.
	Width, Height int
	// Scale is the PNG's pixel ratio, 1 or 2 (0 means 1). The SVG ignores it.
	Scale int
	// Extent is the part of the world to show; the zero Extent shows the whole world.
	Extent Extent
	// Markers are the sites to draw; those outside the map are left out.
	Markers []Marker
	// Legend adds a legend of the status symbols, with the number of sites on the map in each.
	Legend bool
	// Labels writes the sites' names beside their symbols where they fit without overlapping
	// anything.
	Labels bool
	// Providers are the providers of the markers. When it holds more than one, each marker is
	// drawn in its provider's colour, its status told by shape and fill alone, and the legend counts
	// the markers per provider as well as per status.
	Providers []MapProvider
	// Title, when set, is written large at the top left.
	Title string
	// Stamp says what the map shows and when, such as "Alibaba Cloud regions as of 2018-09-01";
	// it is written at the top left, under the title.
	Stamp string
	// Attribution credits the base map and the data, at the bottom right.
	Attribution string
	// Canvases lends the PNG's pixels; nil allocates them.
	Canvases *Canvases
}

// MapProvider is a provider as a map's markers and legend show it.
type MapProvider struct {
	ID    string
	Name  string // in the legend, e.g. "AWS"
	Color basemap.Color
}

// Marker is one site on a map.
type Marker struct {
	Point    orb.Point // longitude, latitude
	Provider string    // the provider's id
	Status   geo.Status
	// Pending marks a change of status whose date is not yet certain: a dashed ring.
	Pending bool
	// Label is the name written beside the symbol when the map has labels.
	Label string
}

// MarkersOf returns the markers of the matches: each site's point, status at the day it was
// selected for, pending change and name.
func MarkersOf(ms []geo.Match) []Marker {
	out := make([]Marker, len(ms))
	for i, m := range ms {
		out[i] = Marker{Point: m.Site.Point, Provider: m.Site.Provider, Status: m.State.Status, Pending: m.State.Pending != nil, Label: m.Site.Name}
	}
	return out
}

func (s *MapSpec) check() error {
	if s.Scale == 0 {
		s.Scale = 1
	}
	if err := checkSize(s.Width, s.Height, s.Scale); err != nil {
		return err
	}
	if err := s.Extent.check(); err != nil {
		return err
	}
	for _, m := range s.Markers {
		if !finite(m.Point[0], m.Point[1]) {
			return fmt.Errorf("%w: marker %q at %v", ErrInvalidSpec, m.Label, m.Point)
		}
	}
	return nil
}

// Map draws the map spec describes over the atlas's base map and writes it to w as f. A nil atlas
// draws sea only. Errors wrap ErrInvalidSpec, come from w, or are ctx's error when it ends first:
// drawing stops then.
func Map(ctx context.Context, w io.Writer, a *basemap.Atlas, spec MapSpec, f Format) error {
	if err := spec.check(); err != nil {
		return err
	}
	ts, err := newTypesetter()
	if err != nil {
		return err
	}
	v := spec.Extent.view(float64(spec.Width), float64(spec.Height))
	switch f {
	case PNG:
		c := newRaster(ctx, spec.Width, spec.Height, spec.Scale, a, spec.Canvases)
		defer c.release()
		drawMap(c, ts, spec, v)
		return encode(ctx, c, w)
	case SVG:
		c := newSVG(spec.Width, spec.Height, a, docTitle(spec.Title, spec.Stamp))
		drawMap(c, ts, spec, v)
		return encode(ctx, c, w)
	}
	return fmt.Errorf("%w: unknown format %v", ErrInvalidSpec, f)
}

// TimelineSpec describes a chart of the number of sites in each status over time.
type TimelineSpec struct {
	// Width, Height and Scale are as in MapSpec.
	Width, Height int
	Scale         int
	// Timeline holds the counts; the chart steps at each of its Changes and runs to Until.
	Timeline geo.Timeline
	Until    geo.Day
	// Title, when set, is written large at the top left.
	Title string
	// Stamp says what the chart counts, such as "Alibaba Cloud regions by status, until
	// 2025-09-24"; it is written under the title.
	Stamp string
	// Attribution credits the data, at the bottom right.
	Attribution string
	// Canvases lends the PNG's pixels; nil allocates them.
	Canvases *Canvases
}

// Timeline draws the chart spec describes and writes it to w as f. Errors wrap ErrInvalidSpec, or
// come from w, or are ctx's error when it ends first.
func Timeline(ctx context.Context, w io.Writer, spec TimelineSpec, f Format) error {
	size := chartSize{spec.Width, spec.Height, spec.Scale, spec.Canvases}
	return drawChart(ctx, w, size, docTitle(spec.Title, spec.Stamp), f, func(cv canvas, ts *typesetter) { drawTimeline(cv, ts, spec) })
}

// chartSize is a chart's size in CSS pixels, its PNG's pixel ratio (0 means 1) and the pool that
// lends its pixels (nil for none).
type chartSize struct {
	width, height, scale int
	canvases             *Canvases
}

// drawChart checks a chart's size, draws it with draw on a canvas of format f, and writes it to
// w, unless ctx ends first; title names the SVG document.
func drawChart(ctx context.Context, w io.Writer, size chartSize, title string, f Format, draw func(canvas, *typesetter)) error {
	if size.scale == 0 {
		size.scale = 1
	}
	if err := checkSize(size.width, size.height, size.scale); err != nil {
		return err
	}
	ts, err := newTypesetter()
	if err != nil {
		return err
	}
	switch f {
	case PNG:
		c := newRaster(ctx, size.width, size.height, size.scale, nil, size.canvases)
		defer c.release()
		draw(c, ts)
		return encode(ctx, c, w)
	case SVG:
		c := newSVG(size.width, size.height, nil, title)
		draw(c, ts)
		return encode(ctx, c, w)
	}
	return fmt.Errorf("%w: unknown format %v", ErrInvalidSpec, f)
}

// encode writes a drawn canvas to w, unless ctx has ended, and stops when it ends: encoding a
// large image costs as much as drawing it.
func encode(ctx context.Context, c interface{ encode(io.Writer) error }, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.encode(ctxWriter{ctx, w})
}

// ctxWriter fails its writes once ctx has ended, which stops the encoder writing to it.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (cw ctxWriter) Write(p []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		return 0, err
	}
	return cw.w.Write(p)
}

// docTitle is the title of an SVG document: the image's title and stamp.
func docTitle(title, stamp string) string {
	switch {
	case title == "":
		return stamp
	case stamp == "":
		return title
	}
	return title + " — " + stamp
}
