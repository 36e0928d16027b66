package export

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"dcatlas/data"
	"dcatlas/publish"
	"dcatlas/tileset"
)

// Site runs dcatlas export site: the atlas as static files (package publish).
func Site(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "site" {
		fmt.Fprintln(stderr, "usage: dcatlas export site [flags] DIR (see dcatlas export site -h)")
		return ErrUsage
	}
	var cfg publish.Config
	var dataDir string
	fl := flag.NewFlagSet("export site", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), `usage: dcatlas export site [flags] DIR

Writes the atlas into DIR as static files for any static host or CDN: the viewer (index.html,
embed.html, web/), its documents (history.json, timeline.json, sites/ID.json), download snapshots
of the sites on the days --snapshots names (downloads/), timeline and map images, and the base map
(tiles/basemap/{z}/{x}/{y}.png with its dark palette in tiles/basemap-dark/ for the viewer's dark
theme, or basemap.pmtiles, light only).

`)
		fl.PrintDefaults()
	}
	fl.StringVar(&cfg.ServerURL, "server-url", "", "public URL of a live dcatlas server for what files cannot answer (the Features API, images of any size); empty hides those")
	fl.StringVar(&cfg.Snapshots, "snapshots", publish.SnapshotsMonthly, "days with download snapshots (GeoJSON and CSV of every site): monthly (the first of every month, the slider's stops), yearly (1 January of every year) or today; each also today")
	fl.StringVar(&cfg.BasemapFormat, "basemap", publish.BasemapPNG, "base map as png (tile pyramids, light and dark, which the viewer shows) or pmtiles (one archive)")
	fl.IntVar(&cfg.BasemapMaxZoom, "basemap-maxzoom", 5, fmt.Sprintf("last zoom of the base map (at most %d); the viewer magnifies beyond it", tileset.BasemapMaxZoom))
	fl.StringVar(&dataDir, "data", os.Getenv("DCATLAS_DATA"), "directory of *.yaml data files; empty for the built-in data (env DCATLAS_DATA)")
	fl.IntVar(&cfg.Workers, "workers", runtime.GOMAXPROCS(0), "base-map tiles drawn at once")
	if err := fl.Parse(args[1:]); err != nil {
		return ErrUsage
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return fmt.Errorf("export site: want one output directory, got %d arguments", fl.NArg())
	}
	cfg.Dir = fl.Arg(0)
	switch {
	case !publish.ValidSnapshots(cfg.Snapshots):
		return fmt.Errorf("export site: --snapshots %q: want %s, %s or %s", cfg.Snapshots, publish.SnapshotsMonthly, publish.SnapshotsYearly, publish.SnapshotsToday)
	case cfg.BasemapFormat != publish.BasemapPNG && cfg.BasemapFormat != publish.BasemapPMTiles:
		return fmt.Errorf("export site: --basemap %q: want png or pmtiles", cfg.BasemapFormat)
	case cfg.BasemapMaxZoom < 0 || cfg.BasemapMaxZoom > tileset.BasemapMaxZoom:
		return fmt.Errorf("export site: --basemap-maxzoom %d: want 0 to %d", cfg.BasemapMaxZoom, tileset.BasemapMaxZoom)
	case cfg.Workers < 1:
		return errors.New("export site: --workers: want at least 1")
	}
	atlas, ds, err := data.Open(dataDir)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := publish.Site(ctx, ds, atlas, cfg)
	if err != nil {
		return fmt.Errorf("export site: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %d files, %.1f MiB, to %s in %s\n", sum.Files, float64(sum.Bytes)/(1<<20), cfg.Dir, time.Since(start).Round(time.Millisecond))
	return nil
}
