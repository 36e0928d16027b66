package basemap

import "github.com/paulmach/orb"

// ringIndex answers whether a point lies inside a ring by looking only at the edges that cross
// the point's horizontal band, not at every edge: checking thousands of sites against a detailed
// coastline is then cheap.
type ringIndex struct {
	ring       orb.Ring
	minY, step float64
	// The edges crossing band k, by the index of their first point, are edges[starts[k]:starts[k+1]]:
	// two arrays without pointers rather than a slice per band, which the garbage collector would
	// visit one by one on every cycle for as long as the server runs.
	starts []int32
	edges  []int32
}

// edgesPerBand is about how many edges each band holds for a ring of average wiggliness.
const edgesPerBand = 8

func newRingIndex(r orb.Ring) *ringIndex {
	b := boundOf(r)
	n := max(1, len(r)/edgesPerBand)
	x := &ringIndex{ring: r, minY: b.Min[1], step: (b.Max[1] - b.Min[1]) / float64(n), starts: make([]int32, n+1)}
	// Edge i runs from r[i] to the next point, the last back to the first. Count each band's
	// edges, then place them.
	span := func(i int) (lo, hi int) {
		a, b := r[i], r[(i+1)%len(r)]
		return x.band(min(a[1], b[1])), x.band(max(a[1], b[1]))
	}
	for i := range r {
		lo, hi := span(i)
		for k := lo; k <= hi; k++ {
			x.starts[k+1]++
		}
	}
	for k := range n {
		x.starts[k+1] += x.starts[k]
	}
	x.edges = make([]int32, x.starts[n])
	next := append([]int32(nil), x.starts[:n]...)
	for i := range r {
		lo, hi := span(i)
		for k := lo; k <= hi; k++ {
			x.edges[next[k]] = int32(i)
			next[k]++
		}
	}
	return x
}

// band is the band holding latitude y, clamped to the ring's.
func (x *ringIndex) band(y float64) int {
	n := len(x.starts) - 1
	if x.step <= 0 {
		return 0
	}
	return min(n-1, max(0, int((y-x.minY)/x.step)))
}

// contains reports whether p is inside the ring, by the even-odd rule on a ray going east. A point
// exactly on the boundary may go either way; DistanceKm then finds it 0 km away all the same.
func (x *ringIndex) contains(p orb.Point) bool {
	in := false
	k := x.band(p[1])
	for _, i := range x.edges[x.starts[k]:x.starts[k+1]] {
		a, b := x.ring[i], x.ring[(int(i)+1)%len(x.ring)]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// polygonIndex is a polygon's rings, indexed: the exterior first, then the holes. The indexes are
// held by value: one object fewer per ring for the garbage collector to visit.
type polygonIndex []ringIndex

func newPolygonIndex(p orb.Polygon) polygonIndex {
	out := make(polygonIndex, len(p))
	for i, r := range p {
		out[i] = *newRingIndex(r)
	}
	return out
}

// contains reports whether p lies inside the exterior and outside every hole.
func (x polygonIndex) contains(p orb.Point) bool {
	if len(x) == 0 || !x[0].contains(p) {
		return false
	}
	for i := range x[1:] {
		if x[1+i].contains(p) {
			return false
		}
	}
	return true
}

// packIndexes moves the bands of every ring index into two arrays shared by all, so that the
// garbage collector has two objects to visit rather than two per ring (thousands at 10m).
func packIndexes(polygons [][]polygonIndex) {
	var nStarts, nEdges int
	for _, ps := range polygons {
		for _, p := range ps {
			for _, x := range p {
				nStarts += len(x.starts)
				nEdges += len(x.edges)
			}
		}
	}
	starts, edges := make([]int32, 0, nStarts), make([]int32, 0, nEdges)
	for _, ps := range polygons {
		for _, p := range ps {
			for k := range p {
				x := &p[k]
				s, e := len(starts), len(edges)
				starts, edges = append(starts, x.starts...), append(edges, x.edges...)
				x.starts, x.edges = starts[s:len(starts):len(starts)], edges[e:len(edges):len(edges)]
			}
		}
	}
}
