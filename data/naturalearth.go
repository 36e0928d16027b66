package data

import (
	"embed"
	"fmt"
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
