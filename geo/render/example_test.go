package render_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/render"
)

// A map of two sites, as SVG. The service passes its atlas to draw the base map; without one the
// map is sea only.
func ExampleMap() {
	spec := render.MapSpec{
		Width: 600, Height: 400,
		Extent: render.BoundExtent(orb.Bound{Min: orb.Point{100, 0}, Max: orb.Point{125, 35}}),
		Markers: []render.Marker{
			{Point: orb.Point{120.15, 30.28}, Status: geo.StatusActive, Label: "China (Hangzhou)"},
			{Point: orb.Point{103.82, 1.35}, Status: geo.StatusAnnounced, Pending: true, Label: "Singapore"},
		},
		Legend:      true,
		Labels:      true,
		Stamp:       "Alibaba Cloud regions as of 2015-01-01",
		Attribution: "Data: dcatlas",
	}
	var buf bytes.Buffer
	if err := render.Map(context.Background(), &buf, nil, spec, render.SVG); err != nil {
		log.Fatal(err)
	}
	svg := buf.String()
	fmt.Println(strings.Count(svg, `<g class="marker `), "markers")
	fmt.Println(strings.Count(svg, `class="label"`), "labels")
	fmt.Println(strings.Contains(svg, `<text class="stamp"`))
	// Output:
	// 2 markers
	// 2 labels
	// true
}

// The extents a map may have: a box, a centre and zoom level, or the sites it shows.
func ExampleSitesExtent() {
	frankfurt := orb.Point{8.68, 50.11}
	_ = render.SitesExtent([]orb.Point{frankfurt})                                     // zoom 4 around it
	_ = render.CenterExtent(frankfurt, 6)                                              // zoom 6 around it
	_ = render.BoundExtent(orb.Bound{Min: orb.Point{-11, 35}, Max: orb.Point{30, 60}}) // Europe
	fmt.Println(render.MinSize, render.MaxSize, render.MaxScale)
	// Output: 64 2048 2
}
