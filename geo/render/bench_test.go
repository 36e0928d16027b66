package render

import (
	"bytes"
	"context"
	"testing"

	"dcatlas/geo"
)

// The benchmarks draw the reports' usual images: 1200×800 maps of the world and of Europe at a
// date, with legend and labels, and a 1200×400 timeline chart. The atlas prepares each scale of
// the base map on first use; that is done before timing.
func BenchmarkMap(b *testing.B) {
	fx := testFixture(b)
	at := day(b, "2025-09-24")
	for _, ext := range []struct {
		name string
		ext  Extent
	}{{"world", Extent{}}, {"europe", BoundExtent(europe)}} {
		spec := fx.mapOf(at, geo.Filter{}, ext.ext)
		spec.Labels = true
		for _, f := range []Format{PNG, SVG} {
			b.Run(ext.name+"/"+f.String(), func(b *testing.B) {
				var buf bytes.Buffer
				if err := Map(context.Background(), &buf, fx.atlas, spec, f); err != nil { // warm up the atlas
					b.Fatal(err)
				}
				for b.Loop() {
					buf.Reset()
					if err := Map(context.Background(), &buf, fx.atlas, spec, f); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(buf.Len())/1024, "KB/image")
			})
		}
	}
}

func BenchmarkTimeline(b *testing.B) {
	fx := testFixture(b)
	until := day(b, "2025-09-24")
	spec := TimelineSpec{Width: 1200, Height: 400, Timeline: fx.ds.Timeline(geo.Filter{}, until), Until: until,
		Title: "Alibaba Cloud regions", Stamp: "by status", Attribution: "Data: dcatlas"}
	for _, f := range []Format{PNG, SVG} {
		b.Run(f.String(), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Timeline(context.Background(), &buf, spec, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len())/1024, "KB/image")
		})
	}
}

// BenchmarkTimelineData is the cost of the counts a chart draws, from the dataset.
func BenchmarkTimelineData(b *testing.B) {
	fx := testFixture(b)
	until := day(b, "2025-09-24")
	for b.Loop() {
		fx.ds.Timeline(geo.Filter{}, until)
	}
}
