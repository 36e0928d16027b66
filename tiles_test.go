package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"
)

// exportRun runs the command line in process and returns its stdout and stderr.
func exportRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("dcatlas %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// exportedFiles lists the files under dir, relative and sorted.
func exportedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestExportBasemap(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		files []string
		size  int // PNG width and height, 0 for vector tiles
	}{
		{"PNG", []string{"--layer", "basemap", "--maxzoom", "1"},
			[]string{"0/0/0.png", "1/0/0.png", "1/0/1.png", "1/1/0.png", "1/1/1.png"}, 256},
		{"PNG @2x from zoom 1", []string{"--layer", "basemap", "--minzoom", "1", "--maxzoom", "1", "--scale", "2"},
			[]string{"1/0/0@2x.png", "1/0/1@2x.png", "1/1/0@2x.png", "1/1/1@2x.png"}, 512},
		{"dark PNG", []string{"--layer", "basemap-dark", "--maxzoom", "1"},
			[]string{"0/0/0.png", "1/0/0.png", "1/0/1.png", "1/1/0.png", "1/1/1.png"}, 256},
		{"vector", []string{"--layer", "basemap-vector", "--maxzoom", "1", "--workers", "1"},
			[]string{"0/0/0.mvt", "1/0/0.mvt", "1/0/1.mvt", "1/1/0.mvt", "1/1/1.mvt", "metadata.json"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			stdout, stderr := exportRun(t, append(append([]string{"tiles", "export"}, tt.args...), dir)...)
			if got := exportedFiles(t, dir); !slices.Equal(got, tt.files) {
				t.Fatalf("wrote %v, want %v", got, tt.files)
			}
			tiles := len(tt.files)
			if slices.Contains(tt.files, "metadata.json") {
				tiles--
			}
			if !strings.Contains(stdout, fmt.Sprintf("wrote %d ", tiles)) {
				t.Errorf("stdout %q", stdout)
			}
			if !strings.Contains(stderr, "100%") {
				t.Errorf("no progress reaching 100%% on stderr: %q", stderr)
			}
			for _, f := range tt.files {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case f == "metadata.json":
				case tt.size > 0:
					img, err := png.Decode(bytes.NewReader(b))
					if err != nil || img.Bounds().Dx() != tt.size || img.Bounds().Dy() != tt.size {
						t.Errorf("%s: not a %d-pixel PNG (%v)", f, tt.size, err)
					}
				default:
					if ls, err := mvt.Unmarshal(b); err != nil || len(ls) != 2 || ls[0].Name != "countries" || ls[1].Name != "country_labels" {
						t.Errorf("%s: not a tile of countries and their names (%v)", f, err)
					}
				}
			}
		})
	}
}

// TestExportBasemapVectorInGDAL has GDAL read an export of the vector base map: both layers, the
// names as points with their numeric fields.
func TestExportBasemapVectorInGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (gdal-bin) is not on PATH: cannot check that GDAL reads the export")
	}
	dir := t.TempDir()
	exportRun(t, "tiles", "export", "--layer", "basemap-vector", "--maxzoom", "2", dir)
	out, err := exec.Command("ogrinfo", "-ro", "-al", "-oo", "TILE_EXTENSION=mvt", filepath.Join(dir, "2")).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"Layer name: countries", "Layer name: country_labels", "name (String) = Brazil", "iso2 (String) = BR", "rank (Real) = ", "min_zoom (Real) = ", "POINT ("} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo output lacks %q:\n%.3000s", want, out)
		}
	}
}

// TestExportSites exports Alibaba Cloud's site tiles, decodes them, and has GDAL read the directory.
func TestExportSites(t *testing.T) {
	dir := t.TempDir()
	exportRun(t, "tiles", "export", "--layer", "sites", "--maxzoom", "5", "--at", "2018-09-01", "--provider", "alibaba-cloud", dir)
	files := exportedFiles(t, dir)
	for _, want := range []string{"metadata.json", "0/0/0.mvt", "3/4/2.mvt", "5/26/13.mvt"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s was not written; got %v", want, files)
		}
	}
	if slices.Contains(files, "5/0/0.mvt") {
		t.Error("an empty tile was written")
	}
	ids := func(path string) []string {
		b, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		ls, err := mvt.Unmarshal(b)
		if err != nil || len(ls) != 1 || ls[0].Name != "sites" {
			t.Fatalf("%s: %v", path, err)
		}
		var out []string
		for _, f := range ls[0].Features {
			out = append(out, f.Properties.MustString("id"))
		}
		slices.Sort(out)
		return out
	}
	if got := ids("0/0/0.mvt"); len(got) != 19 {
		t.Errorf("z0 holds %d sites at 2018-09-01, want 19: %v", len(got), got)
	}
	if got, want := ids("3/4/2.mvt"), []string{"alibaba-eu-central-1"}; !slices.Equal(got, want) {
		t.Errorf("3/4/2 holds %v, want %v", got, want)
	}
	if got := ids("5/26/13.mvt"); !slices.Contains(got, "alibaba-cn-hongkong") || !slices.Contains(got, "alibaba-cn-shenzhen") {
		t.Errorf("5/26/13 holds %v, want Hong Kong and Shenzhen", got)
	}

	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (gdal-bin) is not on PATH: cannot check that GDAL reads the export")
	}
	// GDAL's MVT driver opens a zoom level's directory, with metadata.json one level up.
	out, err := exec.Command("ogrinfo", "-ro", "-al", "-oo", "TILE_EXTENSION=mvt", filepath.Join(dir, "5")).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"Layer name: sites", "Geometry: Multi Point", "id (String) = alibaba-cn-hongkong", "id (String) = alibaba-eu-central-1", "status (String) = active", "opened_to (Real) = 20161130"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("ogrinfo output lacks %q:\n%s", want, out)
		}
	}
	// Clipped to their own tile, buffered copies are not read twice.
	if n := bytes.Count(out, []byte("id (String) = alibaba-cn-hongkong")); n != 1 {
		t.Errorf("GDAL reads Hong Kong %d times, want once", n)
	}
}

// TestExportRejectsBadFilters checks that the export takes the site filters exactly as the API
// does, with the API's messages.
func TestExportRejectsBadFilters(t *testing.T) {
	for args, want := range map[string]string{
		"--at 2018-02-30":   `--at: "2018-02-30" is not a date`,
		"--status open":     `--status: unknown status "open"`,
		"--country XX":      `--country: unknown country code "XX"`,
		"--provider oracle": `--provider: unknown provider "oracle"`,
		"--kind military":   `--kind: unknown kind "military"`,
		"--status active,,": "--status: empty item",
	} {
		t.Run(args, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"tiles", "export", "--layer", "sites", "--maxzoom", "1"}, append(strings.Fields(args), t.TempDir())...), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one saying %q", err, want)
			}
		})
	}
}

// TestExportSitesEveryProvider exports the sites of every provider and of one kind at zoom 0.
func TestExportSitesEveryProvider(t *testing.T) {
	perProvider := func(args ...string) (map[string]int, map[string]int) {
		dir := t.TempDir()
		exportRun(t, append(append([]string{"tiles", "export", "--layer", "sites", "--maxzoom", "0", "--at", "2025-09-24"}, args...), dir)...)
		b, err := os.ReadFile(filepath.Join(dir, "0/0/0.mvt"))
		if err != nil {
			t.Fatal(err)
		}
		ls, err := mvt.Unmarshal(b)
		if err != nil || len(ls) != 1 {
			t.Fatalf("0/0/0.mvt: %v", err)
		}
		providers, kinds := map[string]int{}, map[string]int{}
		for _, f := range ls[0].Features {
			providers[f.Properties.MustString("provider")]++
			kinds[f.Properties.MustString("kind")]++
		}
		return providers, kinds
	}
	providers, kinds := perProvider()
	for _, p := range []string{"alibaba-cloud", "aws", "azure", "gcp"} {
		if providers[p] == 0 {
			t.Errorf("no site of %s in the export: %v", p, providers)
		}
	}
	if kinds["public"] == 0 || kinds["government"] == 0 || kinds["partner"] == 0 || kinds["sovereign"] == 0 {
		t.Errorf("kinds %v, want each kind", kinds)
	}
	if providers, kinds := perProvider("--kind", "government"); len(kinds) != 1 || kinds["government"] != 8 || providers["aws"] != 2 || providers["azure"] != 6 {
		t.Errorf("--kind government: providers %v kinds %v, want 2 AWS and 6 Azure government regions", providers, kinds)
	}
}
