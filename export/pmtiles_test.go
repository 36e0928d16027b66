package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"dcatlas/api"
	"dcatlas/data"
	"dcatlas/geo"
	"dcatlas/geo/basemap"
	"dcatlas/tileset"
)

// readPMTiles reads an archive back with go-pmtiles: its header, metadata and every tile by
// tile, decompressed as the header says.
func readPMTiles(t *testing.T, path string) (pmtiles.HeaderV3, map[string]any, map[maptile.Tile][]byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pmtiles.DeserializeHeader(b[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		t.Fatal(err)
	}
	meta, err := pmtiles.DeserializeMetadata(bytes.NewReader(b[h.MetadataOffset:h.MetadataOffset+h.MetadataLength]), h.InternalCompression)
	if err != nil {
		t.Fatal(err)
	}
	tiles := map[maptile.Tile][]byte{}
	fetch := func(off, n uint64) ([]byte, error) { return b[off : off+n], nil }
	err = pmtiles.IterateEntries(h, fetch, func(e pmtiles.EntryV3) {
		body := b[h.TileDataOffset+e.Offset : h.TileDataOffset+e.Offset+uint64(e.Length)]
		if h.TileCompression == pmtiles.Gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		for i := range uint64(e.RunLength) {
			z, x, y := pmtiles.IDToZxy(e.TileID + i)
			tiles[maptile.New(x, y, maptile.Zoom(z))] = body
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, meta, tiles
}

// TestExportPMTiles exports each layer as a PMTiles archive with the command, reads it back with
// go-pmtiles, and checks that it holds exactly the tiles of the directory export, each equal to
// the server's answer for that tile, with the layer's TileJSON as metadata.
func TestExportPMTiles(t *testing.T) {
	atlas, ds, err := data.Open("")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(ds, api.Options{Atlas: atlas, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	tests := []struct {
		layer, args, query string
		set                *tileset.Set
		tileType           pmtiles.TileType
	}{
		{"basemap", "--maxzoom 2", "", tileset.Basemap(atlas, 1, basemap.Light), pmtiles.Png},
		{"basemap-dark", "--maxzoom 2", "", tileset.Basemap(atlas, 1, basemap.Dark), pmtiles.Png},
		{"basemap-vector", "--maxzoom 3", "", tileset.BasemapVector(atlas), pmtiles.Mvt},
		{"sites", "--maxzoom 6 --at 2018-09-01 --status active", "?at=2018-09-01&status=active", sitesAt(t, ds, "2018-09-01"), pmtiles.Mvt},
	}
	for _, tt := range tests {
		t.Run(tt.layer, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.layer+".pmtiles")
			args := append([]string{"export", "--format", "pmtiles", "--layer", tt.layer, "--server-url", "https://atlas.example/"}, strings.Fields(tt.args)...)
			var stdout, stderr bytes.Buffer
			if err := Tiles(context.Background(), append(args, out), &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			h, meta, tiles := readPMTiles(t, out)
			if h.TileType != tt.tileType || h.MinZoom != 0 || int(h.MaxZoom) != maxZoomOf(tt.args) || !h.Clustered {
				t.Errorf("header %+v", h)
			}
			if meta["name"] != tt.set.Title || meta["tiles"] != nil {
				t.Errorf("metadata %v", meta)
			}
			if tt.set.Vectors != nil {
				layers, _ := meta["vector_layers"].([]any)
				if len(layers) != len(tt.set.Vectors) {
					t.Errorf("vector_layers %v", meta["vector_layers"])
				}
				for i := range min(len(layers), len(tt.set.Vectors)) {
					if layers[i].(map[string]any)["id"] != tt.set.Vectors[i].ID {
						t.Errorf("vector_layers %v", meta["vector_layers"])
					}
				}
			}
			if tt.layer == "sites" && !strings.Contains(meta["attribution"].(string), `href="https://atlas.example/collections/sites"`) {
				t.Errorf("attribution %q", meta["attribution"])
			}
			want := 0
			for tile := range tt.set.Tiles(0, maxZoomOf(tt.args)) {
				want++
				got, ok := tiles[tile]
				if !ok {
					t.Errorf("tile %v missing", tile)
					continue
				}
				ext := ".mvt"
				if tt.tileType == pmtiles.Png {
					ext = ".png"
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/tiles/%s/%d/%d/%d%s%s", tt.set.PathLayer, tile.Z, tile.X, tile.Y, ext, tt.query), nil))
				if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), got) {
					t.Errorf("tile %v: %d bytes in the archive, the server answers %d with %d bytes", tile, len(got), rec.Code, rec.Body.Len())
				}
			}
			if len(tiles) != want || want == 0 {
				t.Errorf("%d tiles in the archive, want %d", len(tiles), want)
			}
		})
	}
}

// sitesAt is the site tile set of the built-in data at a day, active sites only.
func sitesAt(t *testing.T, ds *geo.Dataset, day string) *tileset.Set {
	t.Helper()
	at, f, err := api.ParseFilter(url.Values{"at": {day}, "status": {"active"}}, ds, geo.DayFromTime(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return tileset.Sites(ds, at, f)
}

// maxZoomOf reads --maxzoom N from a test's arguments.
func maxZoomOf(args string) int {
	f := strings.Fields(args)
	for i := range f {
		if f[i] == "--maxzoom" {
			n, _ := strconv.Atoi(f[i+1])
			return n
		}
	}
	return -1
}
