// Package publish writes the atlas as static files for any static host or CDN, with no dcatlas
// server behind it: the viewer's page and files, the documents it loads, download snapshots,
// timeline images and the base map. Every file is the server's own answer: publish asks a Server
// (in static mode, see api.StaticSite) through its handler, and draws the base map with package
// tileset, as the server does.
package publish

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dcatlas/api"
	"dcatlas/geo"
	"dcatlas/geo/basemap"
	"dcatlas/tileset"
	"dcatlas/web"
)

// Base-map formats of an export.
const (
	BasemapPNG     = "png"     // a {z}/{x}/{y}.png pyramid, which the viewer (Leaflet) reads
	BasemapPMTiles = "pmtiles" // one basemap.pmtiles archive, for MapLibre and the like
)

// Which days an export has download snapshots for (see SnapshotDays); each choice also has today.
const (
	SnapshotsMonthly = "monthly" // the first of every month: the slider's stops
	SnapshotsYearly  = "yearly"  // 1 January of every year
	SnapshotsToday   = "today"   // today only
)

// ValidSnapshots reports whether s is one of the snapshot choices (SnapshotsMonthly, …).
func ValidSnapshots(s string) bool {
	return s == SnapshotsMonthly || s == SnapshotsYearly || s == SnapshotsToday
}

// Config says what to export and where.
type Config struct {
	Dir       string // the export's root; made if missing
	ServerURL string // a live server for what files cannot answer; empty hides those parts
	// Snapshots says which days have download snapshots: SnapshotsMonthly (also when empty),
	// SnapshotsYearly or SnapshotsToday.
	Snapshots string
	// BasemapFormat is BasemapPNG or BasemapPMTiles, with zooms 0 to BasemapMaxZoom.
	BasemapFormat  string
	BasemapMaxZoom int
	Workers        int // base-map tiles drawn at once
}

// Summary is what an export wrote.
type Summary struct {
	Files int
	Bytes int64
	Day   geo.Day // the day the export holds: today when it was made
}

// file is one file of the export and the request whose answer it holds.
type file struct{ name, target string }

// Site exports the atlas of ds, with the base map drawn from atlas, as cfg says.
func Site(ctx context.Context, ds *geo.Dataset, atlas *basemap.Atlas, cfg Config) (Summary, error) {
	var sum Summary
	tileURL := "tiles/basemap/{z}/{x}/{y}.png"
	if cfg.BasemapFormat == BasemapPMTiles {
		tileURL = "" // the Leaflet viewer draws no PMTiles: it shows its markers on a blank map
	}
	every := cfg.Snapshots
	if every == "" {
		every = SnapshotsMonthly
	}
	if !ValidSnapshots(every) {
		return sum, fmt.Errorf("snapshots %q: want %s, %s or %s", every, SnapshotsMonthly, SnapshotsYearly, SnapshotsToday)
	}
	// One day for every file, even across midnight.
	now := time.Now()
	sum.Day = geo.DayFromTime(now)
	days := SnapshotDays(ds, sum.Day, every)
	server := strings.TrimRight(cfg.ServerURL, "/")
	// The documents' links name the live server's API (without one, the request's placeholder host).
	// The page lists the snapshots' days: the viewer's download buttons name only those files.
	srv := api.New(ds, api.Options{Atlas: atlas, BaseURL: server, Now: func() time.Time { return now }, Static: &api.StaticSite{
		ServerURL: server, TileURL: tileURL, TileMaxZoom: cfg.BasemapMaxZoom, Snapshots: every, SnapshotDays: days,
	}})
	files, err := siteFiles(ds, days)
	if err != nil {
		return sum, err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		n, err := writeAnswer(ctx, srv, cfg.Dir, f)
		if err != nil {
			return sum, err
		}
		sum.Files++
		sum.Bytes += n
	}
	n, b, err := writeBasemap(ctx, atlas, cfg)
	sum.Files += n
	sum.Bytes += b
	return sum, err
}

// siteFiles lists the files answered by the server: pages, viewer files, documents, images, and
// the download snapshots of days (see SnapshotDays).
func siteFiles(ds *geo.Dataset, days []geo.Day) ([]file, error) {
	files := []file{
		{"index.html", "/map"},
		{"embed.html", "/embed"},
		{"history.json", "/history.json"},
		{"timeline.json", "/timeline"},
		{"timeline.png", "/static/timeline.png"},
		{"timeline.svg", "/static/timeline.svg"},
		{"map.png", "/static/map.png"},
	}
	for _, d := range days {
		at := d.String()
		files = append(files,
			file{SnapshotName(at, "geojson"), "/collections/sites/items?limit=1000&at=" + at},
			file{SnapshotName(at, "csv"), "/collections/sites/items?f=csv&limit=1000&at=" + at})
	}
	for _, s := range ds.Sites {
		files = append(files, file{"sites/" + s.ID + ".json", "/collections/sites/items/" + url.PathEscape(s.ID) + "?properties=events,notes"})
	}
	err := fs.WalkDir(web.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files = append(files, file{api.StaticAssetDir + p, "/web/" + p})
		return nil
	})
	return files, err
}

// SnapshotDays are the days an export has download snapshots for, as every says: the first of
// every month (SnapshotsMonthly) or 1 January of every year (SnapshotsYearly) from the month of
// the dataset's first event (the slider's first stop) to before today, then today; or today alone
// (SnapshotsToday). The export lists them in its page (api.StaticSite), where web/files.js reads
// them: this is the one rule for which days have a file.
func SnapshotDays(ds *geo.Dataset, today geo.Day, every string) []geo.Day {
	first, _ := ds.TimeExtent()
	if every == SnapshotsToday || len(ds.Sites) == 0 || first > today {
		return []geo.Day{today}
	}
	t := first.Time()
	var days []geo.Day
	for m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC); ; m = m.AddDate(0, 1, 0) {
		d := geo.DayFromTime(m)
		if d >= today {
			break
		}
		if every != SnapshotsYearly || m.Month() == time.January {
			days = append(days, d)
		}
	}
	return append(days, today)
}

// SnapshotName is the file of the snapshot of the sites at day at (YYYY-MM-DD) in format ext,
// geojson or csv.
func SnapshotName(at, ext string) string { return "downloads/dcatlas-sites-" + at + "." + ext }

// writeAnswer asks srv for f's target and writes the answer's body to f's name under dir.
func writeAnswer(ctx context.Context, srv http.Handler, dir string, f file) (int64, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, f.target, nil)
	req.Header.Set("Accept", "*/*")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return 0, fmt.Errorf("%s: the server answers %d: %.200s", f.target, rec.Code, rec.Body.String())
	}
	return int64(rec.Body.Len()), writeFile(filepath.Join(dir, filepath.FromSlash(f.name)), rec.Body.Bytes())
}

// writeBasemap exports the base map's tiles and returns how many files and bytes it wrote. A PNG
// pyramid comes in both palettes, tiles/basemap and tiles/basemap-dark, which the viewer's dark
// theme reads (at the default zoom 5, 1365 more tiles, about 5.4 MB and 5 s); a PMTiles archive
// is light only.
func writeBasemap(ctx context.Context, atlas *basemap.Atlas, cfg Config) (int, int64, error) {
	switch cfg.BasemapFormat {
	case BasemapPNG:
		var n int
		var b int64
		for _, p := range basemap.Palettes() {
			set := tileset.Basemap(atlas, 1, p)
			out := filepath.Join(cfg.Dir, "tiles", set.Name)
			d, err := tileset.NewDir(out, set, 0, cfg.BasemapMaxZoom)
			if err != nil {
				return n, b, err
			}
			sn, sb, err := writeTiles(ctx, set, d, out, cfg)
			n, b = n+sn, b+sb
			if err != nil {
				return n, b, err
			}
		}
		return n, b, nil
	case BasemapPMTiles:
		set := tileset.Basemap(atlas, 1, basemap.Light)
		out := filepath.Join(cfg.Dir, "basemap.pmtiles")
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return 0, 0, err
		}
		pm, err := tileset.NewPMTiles(out, set, 0, cfg.BasemapMaxZoom, cfg.ServerURL)
		if err != nil {
			return 0, 0, err
		}
		defer pm.Abort()
		return writeTiles(ctx, set, pm, out, cfg)
	}
	return 0, 0, fmt.Errorf("base-map format %q: want %s or %s", cfg.BasemapFormat, BasemapPNG, BasemapPMTiles)
}

// writeTiles exports the set's tiles of zooms 0 to cfg.BasemapMaxZoom through w, which writes
// them to out, and returns how many files and bytes out holds.
func writeTiles(ctx context.Context, set *tileset.Set, w tileset.Writer, out string, cfg Config) (int, int64, error) {
	if err := tileset.Export(ctx, set, w, 0, cfg.BasemapMaxZoom, max(1, cfg.Workers), func() {}); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", set.Title, err)
	}
	var n int
	var b int64
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n++
			b += info.Size()
		}
		return err
	})
	return n, b, err
}

// writeFile writes b to name, making its directory.
func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
