package basemap_test

import (
	"context"
	"fmt"
	"image"
	"log"
	"os"

	"github.com/paulmach/orb"

	"dcatlas/geo/basemap"
)

// The service builds its atlas from data.NaturalEarth; the example reads
// the same files.
func loadAtlas() *basemap.Atlas {
	var topo [3][]byte
	for i, scale := range []string{"110m", "50m", "10m"} {
		data, err := os.ReadFile("../../data/naturalearth/countries-" + scale + ".json")
		if err != nil {
			log.Fatal(err)
		}
		topo[i] = data
	}
	a, err := basemap.New(topo[0], topo[1], topo[2])
	if err != nil {
		log.Fatal(err)
	}
	return a
}

func ExampleAtlas_DistanceKm() {
	a := loadAtlas()
	for _, site := range []struct {
		name  string
		point orb.Point
		iso2  string
	}{
		{"Frankfurt", orb.Point{8.6821, 50.1109}, "DE"},
		{"Paris", orb.Point{2.3522, 48.8566}, "DE"},
		{"Hong Kong", orb.Point{114.1694, 22.3193}, "HK"},
	} {
		d, ok := a.DistanceKm(site.point, site.iso2)
		fmt.Printf("%s: %.0f km from %s (%v)\n", site.name, d, site.iso2, ok)
	}
	// Output:
	// Frankfurt: 0 km from DE (true)
	// Paris: 298 km from DE (true)
	// Hong Kong: 0 km from HK (true)
}

func ExampleAtlas_Draw() {
	a := loadAtlas()
	// A 600×300 static map of the Pacific islands, across the antimeridian.
	img := image.NewRGBA(image.Rect(0, 0, 600, 300))
	a.Draw(context.Background(), img, orb.Bound{Min: orb.Point{150, -30}, Max: orb.Point{-150, 0}}, 1)
	fmt.Println(img.Bounds().Size())
	// Output: (600,300)
}

func ExampleScaleForZoom() {
	for _, z := range []float64{0, 4, 8} {
		fmt.Println(z, basemap.ScaleForZoom(z))
	}
	// Output:
	// 0 110m
	// 4 50m
	// 8 10m
}

func ExampleColor() {
	fmt.Println(basemap.Sea, basemap.Land, basemap.Border, basemap.Coast)
	// Output: #dfe8ef #f5f3ee #b9b4aa #a9a59c
}
