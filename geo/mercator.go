package geo

import "github.com/paulmach/orb"

// MercatorMaxLat is the latitude of Web Mercator's north and south edges, atan(sinh(π)): the tile
// grid, the base map and the static maps all end there.
const MercatorMaxLat = 85.05112877980659

// MercatorBound is the bound of the whole Web Mercator tile grid, in WGS 84.
func MercatorBound() orb.Bound {
	return orb.Bound{Min: orb.Point{-180, -MercatorMaxLat}, Max: orb.Point{180, MercatorMaxLat}}
}
