package basemap

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// naturalEarthDir holds the embedded Natural Earth files; the tests read
// them from disk so that they do not depend on package data.
const naturalEarthDir = "../../data/naturalearth"

// readTopology returns the world-atlas countries file at scale s.
func readTopology(tb testing.TB, s Scale) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(naturalEarthDir, "countries-"+s.String()+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// loadAtlas builds the atlas from the real data once per test binary.
var loadAtlas = sync.OnceValues(func() (*Atlas, error) {
	var topo [numScales][]byte
	for s := range topo {
		data, err := os.ReadFile(filepath.Join(naturalEarthDir, "countries-"+Scale(s).String()+".json"))
		if err != nil {
			return nil, err
		}
		topo[s] = data
	}
	return New(topo[0], topo[1], topo[2])
})

// testAtlas returns the shared atlas of the real data.
func testAtlas(tb testing.TB) *Atlas {
	tb.Helper()
	a, err := loadAtlas()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
