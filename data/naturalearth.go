package data

import (
	"embed"
	"fmt"

	"dcatlas/geo/basemap"
)

// naturalEarth holds the Natural Earth country topologies (world-atlas 2.0.2,
// see naturalearth/README.md).
//
//go:embed naturalearth/*.json
var naturalEarth embed.FS

// NaturalEarth returns the embedded Natural Earth countries TopoJSON at the given
// scale: "110m", "50m" or "10m". Any other scale is an error. The bytes are
// a fresh copy owned by the caller; decode them with basemap.New.
func NaturalEarth(scale string) ([]byte, error) {
	switch scale {
	case "110m", "50m", "10m":
	default:
		return nil, fmt.Errorf("data: unknown Natural Earth scale %q (want 110m, 50m or 10m)", scale)
	}
	return naturalEarth.ReadFile("naturalearth/countries-" + scale + ".json")
}

// Atlas decodes the embedded Natural Earth countries at all three scales into a base-map atlas.
func Atlas() (*basemap.Atlas, error) {
	var topo [3][]byte
	for i, scale := range []string{"110m", "50m", "10m"} {
		b, err := NaturalEarth(scale)
		if err != nil {
			return nil, err
		}
		topo[i] = b
	}
	return basemap.New(topo[0], topo[1], topo[2])
}
