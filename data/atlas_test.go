package data

import (
	"testing"

	"dcatlas/geo/basemap"
)

// testAtlas is the locator the tests validate with: the built-in Natural Earth base map, decoded
// afresh for each caller (about 0.1 s).
func testAtlas(t testing.TB) Locator {
	t.Helper()
	var topo [3][]byte
	for i, scale := range []string{"110m", "50m", "10m"} {
		b, err := NaturalEarth(scale)
		if err != nil {
			t.Fatal(err)
		}
		topo[i] = b
	}
	a, err := basemap.New(topo[0], topo[1], topo[2])
	if err != nil {
		t.Fatal(err)
	}
	return a
}
