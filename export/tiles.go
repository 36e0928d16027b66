package export

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"dcatlas/api"
	"dcatlas/data"
	"dcatlas/geo"
	"dcatlas/tileset"
)

// exportConfig is a parsed tiles export command line.
type exportConfig struct {
	layer            string
	minZoom, maxZoom int
	scale            int
	sites            url.Values // the site filters, as the API takes them (checked by api.ParseFilter)
	dataDir          string
	workers          int
	format           string // dir or pmtiles
	serverURL        string // a PMTiles archive's attribution links there
	outDir           string // the directory, or the .pmtiles file
}

// Tiles runs the tiles command; its one subcommand is export.
func Tiles(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: dcatlas tiles export [flags] OUTDIR (see dcatlas tiles export -h)")
		return ErrUsage
	}
	cfg, err := parseExportFlags(args[1:], stderr)
	if err != nil {
		return err
	}
	return exportTiles(ctx, cfg, stdout, stderr)
}

func parseExportFlags(args []string, stderr io.Writer) (exportConfig, error) {
	var cfg exportConfig
	var at, statuses, providers, kinds, countries, query string
	fl := flag.NewFlagSet("tiles export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), `usage: dcatlas tiles export --layer LAYER --maxzoom N [flags] OUTDIR
       dcatlas tiles export --format pmtiles --layer LAYER --maxzoom N [flags] OUT.pmtiles

Writes OUTDIR/{z}/{x}/{y}.png (basemap, basemap-dark; {y}@2x.png with --scale 2) or {y}.mvt (sites,
basemap-vector), as the server serves them, for static hosting. Vector exports also get
OUTDIR/metadata.json (the layers and fields, as GDAL and tippecanoe write it). Site exports write
only the tiles that hold a site; clients treat a missing tile as empty.

With --format pmtiles the same tiles go into one PMTiles v3 archive, with the layer's TileJSON as
its metadata, for any static host that answers HTTP range requests (MapLibre reads it through the
pmtiles package). Vector tiles are stored gzipped; identical tiles are stored once.

`)
		fl.PrintDefaults()
	}
	fl.StringVar(&cfg.layer, "layer", "", "basemap (PNG), basemap-dark (PNG, dark palette), basemap-vector (countries MVT) or sites (MVT)")
	fl.IntVar(&cfg.minZoom, "minzoom", 0, "first zoom level")
	fl.IntVar(&cfg.maxZoom, "maxzoom", -1, fmt.Sprintf("last zoom level (required; at most %d for the base map, %d for sites)", tileset.BasemapMaxZoom, tileset.SitesMaxZoom))
	fl.IntVar(&cfg.scale, "scale", 1, "basemap pixel ratio: 1 (256-pixel tiles) or 2 (512-pixel {y}@2x.png)")
	fl.StringVar(&at, "at", "", "sites: the date whose status the tiles show, YYYY-MM-DD (default today)")
	fl.StringVar(&statuses, "status", "", "sites: only these statuses, comma-separated")
	fl.StringVar(&providers, "provider", "", "sites: only these provider ids, comma-separated")
	fl.StringVar(&kinds, "kind", "", "sites: only these kinds, comma-separated: public, government, sovereign, partner")
	fl.StringVar(&countries, "country", "", "sites: only these ISO 3166-1 alpha-2 countries, comma-separated")
	fl.StringVar(&query, "q", "", "sites: only sites whose name, city, region code or id holds this text")
	fl.StringVar(&cfg.dataDir, "data", os.Getenv("DCATLAS_DATA"), "sites: directory of *.yaml data files; empty for the built-in data (env DCATLAS_DATA)")
	fl.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "tiles rendered at once")
	fl.StringVar(&cfg.format, "format", "dir", "dir ({z}/{x}/{y} files under OUTDIR) or pmtiles (one archive)")
	fl.StringVar(&cfg.serverURL, "server-url", "", "pmtiles: public URL of a dcatlas server that the sites' attribution links to")
	if err := fl.Parse(args); err != nil {
		return cfg, ErrUsage
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return cfg, fmt.Errorf("tiles export: want one output directory, got %d arguments", fl.NArg())
	}
	cfg.outDir = fl.Arg(0)
	maxZoom := tileset.BasemapMaxZoom
	switch cfg.layer {
	case tileset.BasemapName, tileset.BasemapDarkName, tileset.BasemapVectorName:
	case tileset.SitesName:
		maxZoom = tileset.SitesMaxZoom
	case "":
		return cfg, errors.New("tiles export: --layer is required: basemap, basemap-dark, basemap-vector or sites")
	default:
		return cfg, fmt.Errorf("tiles export: unknown --layer %q (want basemap, basemap-dark, basemap-vector or sites)", cfg.layer)
	}
	switch {
	case cfg.maxZoom < 0:
		return cfg, errors.New("tiles export: --maxzoom is required")
	case cfg.maxZoom > maxZoom:
		return cfg, fmt.Errorf("tiles export: --maxzoom %d is beyond the %s layer's maximum, %d", cfg.maxZoom, cfg.layer, maxZoom)
	case cfg.minZoom < 0 || cfg.minZoom > cfg.maxZoom:
		return cfg, fmt.Errorf("tiles export: --minzoom %d is not between 0 and --maxzoom %d", cfg.minZoom, cfg.maxZoom)
	case cfg.scale != 1 && cfg.scale != 2:
		return cfg, fmt.Errorf("tiles export: --scale %d: want 1 or 2", cfg.scale)
	case cfg.scale != 1 && cfg.layer != tileset.BasemapName && cfg.layer != tileset.BasemapDarkName:
		return cfg, errors.New("tiles export: --scale applies to the basemap and basemap-dark layers only")
	case cfg.workers < 1:
		return cfg, fmt.Errorf("tiles export: --workers %d: want at least 1", cfg.workers)
	case cfg.format != "dir" && cfg.format != "pmtiles":
		return cfg, fmt.Errorf("tiles export: --format %q: want dir or pmtiles", cfg.format)
	case cfg.serverURL != "" && cfg.format != "pmtiles":
		return cfg, errors.New("tiles export: --server-url applies to --format pmtiles only")
	}
	var filterErr error
	fl.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "at", "status", "provider", "kind", "country", "q", "data":
			if cfg.layer != tileset.SitesName {
				filterErr = fmt.Errorf("tiles export: --%s applies to the sites layer only", f.Name)
			}
		}
	})
	if filterErr != nil {
		return cfg, filterErr
	}
	cfg.sites = url.Values{}
	for name, v := range map[string]string{"at": at, "status": statuses, "provider": providers, "kind": kinds, "country": countries, "q": query} {
		if v != "" {
			cfg.sites.Set(name, v)
		}
	}
	return cfg, nil
}

func exportTiles(ctx context.Context, cfg exportConfig, stdout, stderr io.Writer) error {
	atlas, err := data.Atlas()
	if err != nil {
		return fmt.Errorf("loading the base map: %w", err)
	}
	var set *tileset.Set
	switch cfg.layer {
	case tileset.BasemapName, tileset.BasemapDarkName:
		p, _ := tileset.BasemapPalette(cfg.layer)
		set = tileset.Basemap(atlas, cfg.scale, p)
	case tileset.BasemapVectorName:
		set = tileset.BasemapVector(atlas)
	case tileset.SitesName:
		ds, err := data.LoadDir(cfg.dataDir, atlas)
		if err != nil {
			return fmt.Errorf("the data is invalid:\n%w", err)
		}
		at, filter, err := api.ParseFilter(cfg.sites, ds, geo.DayFromTime(time.Now()))
		var p *api.Problem
		if errors.As(err, &p) {
			return fmt.Errorf("tiles export: --%s: %s (accepted: %s)", p.Parameter, p.Detail, p.Accepted)
		} else if err != nil {
			return err
		}
		set = tileset.Sites(ds, at, filter)
	}
	var w tileset.Writer
	if cfg.format == "pmtiles" {
		pm, err := tileset.NewPMTiles(cfg.outDir, set, cfg.minZoom, cfg.maxZoom, strings.TrimRight(cfg.serverURL, "/"))
		if err != nil {
			return err
		}
		defer pm.Abort() // removes the temporary file if the export stops early
		w = pm
	} else if w, err = tileset.NewDir(cfg.outDir, set, cfg.minZoom, cfg.maxZoom); err != nil {
		return err
	}
	total := 0
	for range set.Tiles(cfg.minZoom, cfg.maxZoom) {
		total++
	}
	start := time.Now()
	p := newProgress(stderr, total)
	err = tileset.Export(ctx, set, w, cfg.minZoom, cfg.maxZoom, cfg.workers, func() { p.add(1) })
	p.finish()
	if err != nil {
		return fmt.Errorf("tiles export: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %d %s tiles (zoom %d–%d) to %s in %s\n", total, cfg.layer, cfg.minZoom, cfg.maxZoom, cfg.outDir, time.Since(start).Round(time.Millisecond))
	return nil
}
