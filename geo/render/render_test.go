package render

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"dcatlas/geo"
)

// europe is the bound of the Europe tests, as the Features API tests use it.
var europe = orb.Bound{Min: orb.Point{-11, 35}, Max: orb.Point{30, 60}}

func TestMapGolden(t *testing.T) {
	fx := testFixture(t)
	tests := []struct {
		name string
		spec func() MapSpec
		// size is the PNG's size in device pixels.
		size image2
	}{
		{"world-2016-11-21.png", func() MapSpec {
			return fx.mapOf(day(t, "2016-11-21"), geo.Filter{}, Extent{})
		}, image2{1200, 800}},
		{"world-2025-09-24.png", func() MapSpec {
			return fx.mapOf(day(t, "2025-09-24"), geo.Filter{}, Extent{})
		}, image2{1200, 800}},
		{"europe-2025-09-24.png", func() MapSpec {
			s := fx.mapOf(day(t, "2025-09-24"), geo.Filter{}, BoundExtent(europe))
			s.Labels = true
			return s
		}, image2{1200, 800}},
		{"asia-labels-2018-09-01.png", func() MapSpec {
			s := fx.mapOf(day(t, "2018-09-01"), geo.Filter{}, BoundExtent(orb.Bound{Min: orb.Point{60, -12}, Max: orb.Point{150, 50}}))
			s.Labels = true
			s.Title = "Alibaba Cloud in Asia, September 2018"
			return s
		}, image2{1200, 800}},
		{"providers-2025-09-24.png", func() MapSpec {
			return fx.providersMap(t, day(t, "2025-09-24"))
		}, image2{1200, 800}},
		{"sites-retina-2025-09-24.png", func() MapSpec {
			s := fx.mapOf(day(t, "2025-09-24"), geo.Filter{}, SitesExtent(nil))
			s.Width, s.Height, s.Scale = 600, 400, 2
			return s
		}, image2{1200, 800}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderMap(t, fx.atlas, tt.spec(), PNG)
			if size := decodePNG(t, got).Bounds().Size(); size.X != tt.size.w || size.Y != tt.size.h {
				t.Errorf("size %v, want %d×%d", size, tt.size.w, tt.size.h)
			}
			goldenPNG(t, tt.name, got)
		})
	}
}

type image2 struct{ w, h int }

func TestTimelineGolden(t *testing.T) {
	fx := testFixture(t)
	until := day(t, "2025-09-24")
	spec := TimelineSpec{
		Width: 1200, Height: 400,
		Timeline:    fx.ds.Timeline(geo.Filter{}, until),
		Until:       until,
		Title:       "Alibaba Cloud regions over time",
		Stamp:       "Alibaba Cloud regions by status, until " + until.String(),
		Attribution: "Data: dcatlas, sources in each site's history",
	}
	var buf bytes.Buffer
	if err := Timeline(context.Background(), &buf, spec, PNG); err != nil {
		t.Fatal(err)
	}
	goldenPNG(t, "timeline-2025-09-24.png", buf.Bytes())
}

// TestConcurrentDrawing draws maps and charts from several goroutines, sharing the atlas and the
// fonts; run with -race.
func TestConcurrentDrawing(t *testing.T) {
	fx := testFixture(t)
	at := day(t, "2020-01-01")
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			spec := fx.mapOf(at, geo.Filter{}, Extent{})
			spec.Width, spec.Height, spec.Labels = 300+10*i, 200, true
			var buf bytes.Buffer
			if err := Map(context.Background(), &buf, fx.atlas, spec, Format(i%2)); err != nil {
				t.Error(err)
			}
			tl := TimelineSpec{Width: 300, Height: 150, Timeline: fx.ds.Timeline(geo.Filter{}, at), Until: at}
			if err := Timeline(context.Background(), &buf, tl, Format(i%2)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestCancelledDrawingStops checks that a cancelled context stops a map or chart: nothing is
// written and the error is the context's.
func TestCancelledDrawingStops(t *testing.T) {
	fx := testFixture(t)
	at := day(t, "2020-01-01")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, f := range []Format{PNG, SVG} {
		var buf bytes.Buffer
		if err := Map(ctx, &buf, fx.atlas, fx.mapOf(at, geo.Filter{}, Extent{}), f); !errors.Is(err, context.Canceled) || buf.Len() > 0 {
			t.Errorf("%v map: %v and %d bytes, want context.Canceled and nothing", f, err, buf.Len())
		}
		tl := TimelineSpec{Width: 300, Height: 150, Timeline: fx.ds.Timeline(geo.Filter{}, at), Until: at}
		if err := Timeline(ctx, &buf, tl, f); !errors.Is(err, context.Canceled) || buf.Len() > 0 {
			t.Errorf("%v timeline: %v and %d bytes, want context.Canceled and nothing", f, err, buf.Len())
		}
	}
}

// cancelOnWrite is a writer that ends a context at its first write.
type cancelOnWrite struct {
	cancel context.CancelFunc
	writes int
	bytes  int
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.writes++
	w.bytes += len(p)
	w.cancel()
	return len(p), nil
}

// TestCancelledEncodingStops checks that a context ended while a large PNG is being encoded stops
// the encoding: only what was written before it ended is written.
func TestCancelledEncodingStops(t *testing.T) {
	fx := testFixture(t)
	at := day(t, "2020-01-01")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOnWrite{cancel: cancel}
	spec := fx.mapOf(at, geo.Filter{}, Extent{})
	spec.Width, spec.Height, spec.Scale = 1024, 1024, 2
	err := Map(ctx, w, fx.atlas, spec, PNG)
	if !errors.Is(err, context.Canceled) || w.writes != 1 {
		t.Errorf("%v after %d writes (%d bytes), want context.Canceled after the first", err, w.writes, w.bytes)
	}
}

// providersMap is the map of every provider's sites at day at, coloured by provider, as the API
// draws it.
func (fx fixture) providersMap(tb testing.TB, at geo.Day) MapSpec {
	tb.Helper()
	spec := MapSpec{
		Width: 1200, Height: 800, Scale: 1,
		Markers:     MarkersOf(fx.all.Select(at, geo.Filter{})),
		Legend:      true,
		Stamp:       "Alibaba Cloud, Amazon Web Services, Microsoft Azure, Google Cloud regions as of " + at.String(),
		Attribution: testAttribution,
	}
	for _, p := range fx.all.Providers {
		c, ok := HexColor(p.Colour)
		if !ok {
			tb.Fatalf("%s: colour %q", p.ID, p.Colour)
		}
		spec.Providers = append(spec.Providers, MapProvider{ID: p.ID, Name: p.ShortName, Color: c})
	}
	return spec
}

// raceOf is the race of every provider until day until, as the API draws it.
func (fx fixture) raceOf(tb testing.TB, until geo.Day) RaceSpec {
	tb.Helper()
	spec := RaceSpec{
		Width: 1200, Height: 500, Until: until,
		Title:       "The race: cloud regions in service",
		Stamp:       "Regions in service (active or closing) per provider, until " + until.String(),
		Sources:     "Sources: each provider's announcements, news of record, SDK region lists; every date sourced per site",
		Attribution: "Data: dcatlas",
	}
	for _, p := range fx.all.Providers {
		c, ok := HexColor(p.Colour)
		if !ok {
			tb.Fatalf("%s: colour %q", p.ID, p.Colour)
		}
		tl := fx.all.Timeline(geo.Filter{Providers: []string{p.ID}}, until)
		spec.Lines = append(spec.Lines, RaceLine{Name: p.ShortName, Color: c, Highlight: p.ID == "alibaba-cloud", Changes: tl.Changes})
	}
	return spec
}

func TestRaceGolden(t *testing.T) {
	fx := testFixture(t)
	spec := fx.raceOf(t, day(t, "2025-09-24"))
	var buf bytes.Buffer
	if err := Race(context.Background(), &buf, spec, PNG); err != nil {
		t.Fatal(err)
	}
	goldenPNG(t, "race-2025-09-24.png", buf.Bytes())
	buf.Reset()
	if err := Race(context.Background(), &buf, spec, SVG); err != nil {
		t.Fatal(err)
	}
	goldenSVG(t, "race-2025-09-24.svg", buf.Bytes())
}
