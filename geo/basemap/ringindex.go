package basemap

import "github.com/paulmach/orb"

// ringIndex answers whether a point lies inside a ring by looking only at the edges that cross
// the point's horizontal band, not at every edge: checking thousands of sites against a detailed
// coastline is then cheap.
type ringIndex struct {
	ring       orb.Ring
	minY, step float64
	bands      [][]int32 // per band, the edges crossing it, by the index of their first point
}

// edgesPerBand is about how many edges each band holds for a ring of average wiggliness.
const edgesPerBand = 8

func newRingIndex(r orb.Ring) *ringIndex {
	b := boundOf(r)
	n := max(1, len(r)/edgesPerBand)
	x := &ringIndex{ring: r, minY: b.Min[1], step: (b.Max[1] - b.Min[1]) / float64(n), bands: make([][]int32, n)}
	for i := range r { // edge i runs from r[i] to the next point, the last back to the first
		a, b := r[i], r[(i+1)%len(r)]
		lo, hi := x.band(min(a[1], b[1])), x.band(max(a[1], b[1]))
		for k := lo; k <= hi; k++ {
			x.bands[k] = append(x.bands[k], int32(i))
		}
	}
	return x
}

// band is the band holding latitude y, clamped to the ring's.
func (x *ringIndex) band(y float64) int {
	if x.step <= 0 {
		return 0
	}
	return min(len(x.bands)-1, max(0, int((y-x.minY)/x.step)))
}

// contains reports whether p is inside the ring, by the even-odd rule on a ray going east. A point
// exactly on the boundary may go either way; DistanceKm then finds it 0 km away all the same.
func (x *ringIndex) contains(p orb.Point) bool {
	in := false
	for _, i := range x.bands[x.band(p[1])] {
		a, b := x.ring[i], x.ring[(int(i)+1)%len(x.ring)]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// polygonIndex is a polygon's rings, indexed: the exterior first, then the holes.
type polygonIndex []*ringIndex

func newPolygonIndex(p orb.Polygon) polygonIndex {
	out := make(polygonIndex, len(p))
	for i, r := range p {
		out[i] = newRingIndex(r)
	}
	return out
}

// contains reports whether p lies inside the exterior and outside every hole.
func (x polygonIndex) contains(p orb.Point) bool {
	if len(x) == 0 || !x[0].contains(p) {
		return false
	}
	for _, h := range x[1:] {
		if h.contains(p) {
			return false
		}
	}
	return true
}
