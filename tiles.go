package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"dcatlas/api"
	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Export layers, named as the server's TileJSON documents are.
const (
	exportBasemap       = "basemap"        // raster PNG
	exportBasemapVector = "basemap-vector" // countries MVT
	exportSites         = "sites"          // sites MVT
)

// exportConfig is a parsed tiles export command line.
type exportConfig struct {
	layer            string
	minZoom, maxZoom int
	scale            int
	sites            url.Values // the site filters, as the API takes them (checked by api.ParseFilter)
	dataDir          string
	workers          int
	outDir           string
}

// tiles runs the tiles command; its one subcommand is export.
func tiles(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: dcatlas tiles export [flags] OUTDIR (see dcatlas tiles export -h)")
		return errUsage
	}
	cfg, err := parseExportFlags(args[1:], stderr)
	if err != nil {
		return err
	}
	return exportTiles(ctx, cfg, stdout, stderr)
}

func parseExportFlags(args []string, stderr io.Writer) (exportConfig, error) {
	var cfg exportConfig
	var at, statuses, providers, countries, query string
	fl := flag.NewFlagSet("tiles export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), `usage: dcatlas tiles export --layer LAYER --maxzoom N [flags] OUTDIR

Writes OUTDIR/{z}/{x}/{y}.png (basemap; {y}@2x.png with --scale 2) or {y}.mvt (sites,
basemap-vector), as the server serves them, for static hosting. Vector exports also get
OUTDIR/metadata.json (the layers and fields, as GDAL and tippecanoe write it). Site exports write
only the tiles that hold a site; clients treat a missing tile as empty.

`)
		fl.PrintDefaults()
	}
	fl.StringVar(&cfg.layer, "layer", "", "basemap (PNG), basemap-vector (countries MVT) or sites (MVT)")
	fl.IntVar(&cfg.minZoom, "minzoom", 0, "first zoom level")
	fl.IntVar(&cfg.maxZoom, "maxzoom", -1, fmt.Sprintf("last zoom level (required; at most %d for the base map, %d for sites)", api.BasemapMaxZoom, api.SitesMaxZoom))
	fl.IntVar(&cfg.scale, "scale", 1, "basemap pixel ratio: 1 (256-pixel tiles) or 2 (512-pixel {y}@2x.png)")
	fl.StringVar(&at, "at", "", "sites: the date whose status the tiles show, YYYY-MM-DD (default today)")
	fl.StringVar(&statuses, "status", "", "sites: only these statuses, comma-separated")
	fl.StringVar(&providers, "provider", "", "sites: only these provider ids, comma-separated")
	fl.StringVar(&countries, "country", "", "sites: only these ISO 3166-1 alpha-2 countries, comma-separated")
	fl.StringVar(&query, "q", "", "sites: only sites whose name, city, region code or id holds this text")
	fl.StringVar(&cfg.dataDir, "data", envOr("DCATLAS_DATA", ""), "sites: directory of *.yaml data files; empty for the built-in data (env DCATLAS_DATA)")
	fl.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "tiles rendered at once")
	if err := fl.Parse(args); err != nil {
		return cfg, errUsage
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return cfg, fmt.Errorf("tiles export: want one output directory, got %d arguments", fl.NArg())
	}
	cfg.outDir = fl.Arg(0)
	maxZoom := api.BasemapMaxZoom
	switch cfg.layer {
	case exportBasemap, exportBasemapVector:
	case exportSites:
		maxZoom = api.SitesMaxZoom
	case "":
		return cfg, errors.New("tiles export: --layer is required: basemap, basemap-vector or sites")
	default:
		return cfg, fmt.Errorf("tiles export: unknown --layer %q (want basemap, basemap-vector or sites)", cfg.layer)
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
	case cfg.scale != 1 && cfg.layer != exportBasemap:
		return cfg, errors.New("tiles export: --scale applies to the basemap layer only")
	case cfg.workers < 1:
		return cfg, fmt.Errorf("tiles export: --workers %d: want at least 1", cfg.workers)
	}
	var filterErr error
	fl.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "at", "status", "provider", "country", "q", "data":
			if cfg.layer != exportSites {
				filterErr = fmt.Errorf("tiles export: --%s applies to the sites layer only", f.Name)
			}
		}
	})
	if filterErr != nil {
		return cfg, filterErr
	}
	cfg.sites = url.Values{}
	for name, v := range map[string]string{"at": at, "status": statuses, "provider": providers, "country": countries, "q": query} {
		if v != "" {
			cfg.sites.Set(name, v)
		}
	}
	return cfg, nil
}

// tileJob renders one tile to bytes.
type tileJob func(t maptile.Tile) ([]byte, error)

func exportTiles(ctx context.Context, cfg exportConfig, stdout, stderr io.Writer) error {
	atlas, err := loadAtlas()
	if err != nil {
		return fmt.Errorf("loading the base map: %w", err)
	}
	var (
		list   []maptile.Tile
		render tileJob
		ext    = ".mvt"
		meta   any
	)
	switch cfg.layer {
	case exportBasemap:
		list = allTiles(cfg.minZoom, cfg.maxZoom)
		ext = ".png"
		if cfg.scale == 2 {
			ext = "@2x.png"
		}
		render = func(t maptile.Tile) ([]byte, error) { return atlas.RenderPNG(t, cfg.scale) }
	case exportBasemapVector:
		list = allTiles(cfg.minZoom, cfg.maxZoom)
		render = atlas.MVT
		meta = vectorMetadata(cfg, "dcatlas base map (vector)", api.NaturalEarthAttribution,
			basemap.LayerName, "Polygon", map[string]string{"iso2": "String", "name": "String"})
	case exportSites:
		ds, err := loadData(cfg.dataDir, atlas)
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
		for z := cfg.minZoom; z <= cfg.maxZoom; z++ {
			list = append(list, ds.SiteTiles(maptile.Zoom(z), at, filter)...)
		}
		render = func(t maptile.Tile) ([]byte, error) {
			return mvt.Marshal(mvt.Layers{ds.SiteLayer(t, at, filter)})
		}
		fields := map[string]string{}
		for _, f := range geo.SiteFields() {
			fields[f.Name] = f.Type
		}
		meta = vectorMetadata(cfg, "dcatlas sites at "+at.String(), "dcatlas", geo.SiteLayerName, "Point", fields)
	}
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		return err
	}
	if meta != nil {
		b, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cfg.outDir, "metadata.json"), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	start := time.Now()
	p := newProgress(stderr, len(list))
	err = runTileJobs(ctx, cfg.workers, list, func(t maptile.Tile) error {
		b, err := render(t)
		if err != nil {
			return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
		}
		dir := filepath.Join(cfg.outDir, fmt.Sprint(t.Z), fmt.Sprint(t.X))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(t.Y)+ext), b, 0o644); err != nil {
			return err
		}
		p.add(1)
		return nil
	})
	p.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d %s tiles (zoom %d–%d) to %s in %s\n", len(list), cfg.layer, cfg.minZoom, cfg.maxZoom, cfg.outDir, time.Since(start).Round(time.Millisecond))
	return nil
}

// allTiles lists every tile of the zooms from minZoom to maxZoom.
func allTiles(minZoom, maxZoom int) []maptile.Tile {
	var out []maptile.Tile
	for z := minZoom; z <= maxZoom; z++ {
		n := uint32(1) << z
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				out = append(out, maptile.New(x, y, maptile.Zoom(z)))
			}
		}
	}
	return out
}

// vectorMetadata is the metadata.json of a vector tile directory, as GDAL's MVT driver and
// tippecanoe write it: MBTiles metadata with the layer, its fields and geometry type in "json".
func vectorMetadata(cfg exportConfig, name, attribution, layer, geometry string, fields map[string]string) map[string]any {
	layers, _ := json.Marshal(map[string]any{
		"vector_layers": []map[string]any{{"id": layer, "minzoom": cfg.minZoom, "maxzoom": cfg.maxZoom, "fields": fields}},
		"tilestats":     map[string]any{"layerCount": 1, "layers": []map[string]any{{"layer": layer, "geometry": geometry}}},
	})
	return map[string]any{
		"name":        name,
		"format":      "pbf",
		"type":        "overlay",
		"attribution": attribution,
		"minzoom":     cfg.minZoom,
		"maxzoom":     cfg.maxZoom,
		"bounds":      "-180.0,-85.051129,180.0,85.051129",
		"json":        string(layers),
	}
}

// runTileJobs runs do on every tile with that many workers, stopping at the first error or when ctx
// is done.
func runTileJobs(ctx context.Context, workers int, list []maptile.Tile, do func(maptile.Tile) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan maptile.Tile)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for t := range jobs {
				if err := do(t); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
feed:
	for _, t := range list {
		select {
		case jobs <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	err := context.Cause(ctx) // a job's error, or why the caller stopped us
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("tiles export: interrupted: %w", err)
	}
	return err
}

// progress reports done/total on a terminal as one line redrawn in place, and elsewhere (a log, a
// pipe) as a plain line every tenth of the work.
type progress struct {
	w        io.Writer
	total    int
	done     atomic.Int64
	terminal bool
	mu       sync.Mutex
	last     time.Time // last redraw on a terminal
	lastStep int       // last tenth printed elsewhere
	stop     chan struct{}
	stopped  chan struct{}
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, terminal: isTerminal(w), stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.draw(false)
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) add(n int) { p.done.Add(int64(n)) }

func (p *progress) draw(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := int(p.done.Load())
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(done) / float64(p.total)
	}
	if p.terminal {
		const width = 30
		bar := strings.Repeat("█", int(pct/100*width)) + strings.Repeat("░", width-int(pct/100*width))
		fmt.Fprintf(p.w, "\r%s %d/%d tiles (%.1f%%)", bar, done, p.total, pct)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	step := int(pct / 10)
	if step > p.lastStep || (final && done != p.total) {
		p.lastStep = step
		fmt.Fprintf(p.w, "%d/%d tiles (%.0f%%)\n", done, p.total, pct)
	}
}

// finish stops the redraws and draws the final state.
func (p *progress) finish() {
	close(p.stop)
	<-p.stopped
	p.draw(true)
}
