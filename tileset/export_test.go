package tileset

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb/maptile"

	"dcatlas/data"
	"dcatlas/geo/basemap"
)

// memWriter keeps the tiles written, failing on the tile fail.
type memWriter struct {
	mu     sync.Mutex
	tiles  map[maptile.Tile][]byte
	fail   maptile.Tile
	closed bool
}

func (w *memWriter) WriteTile(t maptile.Tile, b []byte) error {
	if t == w.fail {
		return errors.New("boom")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tiles[t] = b
	return nil
}

func (w *memWriter) Close() error { w.closed = true; return nil }

func TestExport(t *testing.T) {
	atlas, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	set := BasemapVector(atlas)
	n := 0
	for range set.Tiles(0, 3) {
		n++
	}
	if n != 85 {
		t.Fatalf("Tiles(0, 3) yields %d tiles, want 85", n)
	}
	w := &memWriter{tiles: map[maptile.Tile][]byte{}, fail: maptile.New(9, 9, 9)}
	var done sync.WaitGroup
	done.Add(85)
	if err := Export(context.Background(), set, w, 0, 3, 2, done.Done); err != nil || len(w.tiles) != 85 || !w.closed {
		t.Fatalf("wrote %d tiles, closed %v, error %v", len(w.tiles), w.closed, err)
	}
	for tile, b := range w.tiles {
		want, err := set.Render(context.Background(), tile)
		if err != nil || string(want) != string(b) {
			t.Fatalf("tile %v differs from Render (%v)", tile, err)
		}
	}

	w = &memWriter{tiles: map[maptile.Tile][]byte{}, fail: maptile.New(1, 1, 2)}
	err = Export(context.Background(), set, w, 0, 3, 2, func() {})
	if err == nil || !strings.Contains(err.Error(), "tile 2/1/1: boom") || w.closed {
		t.Errorf("a failing tile: %v, closed %v", err, w.closed)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w = &memWriter{tiles: map[maptile.Tile][]byte{}}
	if err := Export(ctx, Basemap(atlas, 2, basemap.Light), w, 0, 3, 2, func() {}); !errors.Is(err, context.Canceled) || len(w.tiles) != 0 {
		t.Errorf("cancelled: %v after %d tiles", err, len(w.tiles))
	}
}

func TestTileJSONAndMetadata(t *testing.T) {
	atlas, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	doc := Basemap(atlas, 1, basemap.Light).TileJSON("https://example.org", "")
	if doc.Tiles[0] != "https://example.org/tiles/basemap/{z}/{x}/{y}.png" || doc.MaxZoom != BasemapMaxZoom || doc.VectorLayers != nil {
		t.Errorf("basemap TileJSON %+v", doc)
	}
	if b := Bounds(); b != [4]float64{-180, -85.051129, 180, 85.051129} {
		t.Errorf("bounds %v", b)
	}
	if Basemap(atlas, 2, basemap.Light).Ext() != "@2x.png" || BasemapVector(atlas).Ext() != ".mvt" {
		t.Error("extensions")
	}
	if Basemap(atlas, 1, basemap.Light).Metadata(0, 3) != nil {
		t.Error("a raster set has metadata.json")
	}
	meta := BasemapVector(atlas).Metadata(1, 3)
	if meta["bounds"] != "-180.0,-85.051129,180.0,85.051129" || meta["minzoom"] != 1 || !strings.Contains(meta["json"].(string), `"geometry":"Polygon"`) {
		t.Errorf("metadata %v", meta)
	}
}
