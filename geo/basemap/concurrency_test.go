package basemap

import (
	"context"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestConcurrentUse renders, encodes and locates from many goroutines on a
// fresh atlas, whose drawing geometry is then built on first use or by
// Prepare, whichever comes first; run with -race.
func TestConcurrentUse(t *testing.T) {
	a, err := New(readTopology(t, Scale110m), readTopology(t, Scale50m), readTopology(t, Scale10m))
	if err != nil {
		t.Fatal(err)
	}
	tiles := []maptile.Tile{maptile.New(0, 0, 0), maptile.New(2, 1, 2), maptile.New(26, 13, 5), maptile.New(66, 43, 7)}
	var wg sync.WaitGroup
	wg.Go(a.Prepare)
	for i := range 8 {
		wg.Go(func() {
			tile := tiles[i%len(tiles)]
			if _, err := a.RenderPNG(context.Background(), tile, 1+i%2, Palette(i%2)); err != nil {
				t.Error(err)
			}
			if _, err := a.MVT(tile); err != nil {
				t.Error(err)
			}
			if d, ok := a.DistanceKm(orb.Point{114.1694, 22.3193}, "HK"); !ok || d != 0 {
				t.Errorf("DistanceKm = %v, %v", d, ok)
			}
		})
	}
	wg.Wait()
}
