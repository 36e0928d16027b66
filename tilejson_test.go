//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGDALTypesTileFieldsFromTileJSON reads a served site tile with GDAL's MVT driver, the served
// TileJSON as its metadata, and checks that GDAL types the _from/_to day fields as numbers and
// reads the same numbers the tile holds.
func TestGDALTypesTileFieldsFromTileJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and GDAL; skipped with -short")
	}
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not installed: apt-get install gdal-bin")
	}
	srv := startServer(t)
	dir := t.TempDir()
	meta := filepath.Join(dir, "sites.json")
	if err := os.WriteFile(meta, get(t, srv.URL+"/tiles/sites.json?at=2026-01-01"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A tile folder as a client caches it: {z}/{x}/{y}.pbf.
	if err := os.MkdirAll(filepath.Join(dir, "0", "0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "0", "0", "0.pbf"), get(t, srv.URL+"/tiles/sites/0/0/0.mvt?at=2026-01-01"), 0o644); err != nil {
		t.Fatal(err)
	}
	summary := gdal(t, "ogrinfo", "-ro", "-so", "-oo", "METADATA_FILE="+meta, filepath.Join(dir, "0"), "sites")
	fieldType := regexp.MustCompile(`(?m)^(\w+): (\w+) `)
	types := map[string]string{}
	for _, m := range fieldType.FindAllStringSubmatch(summary, -1) {
		types[m[1]] = m[2]
	}
	checked := 0
	for name, typ := range types {
		if strings.HasSuffix(name, "_from") || strings.HasSuffix(name, "_to") {
			checked++
			if typ != "Integer" && typ != "Integer64" && typ != "Real" {
				t.Errorf("GDAL types %s as %s, want a number", name, typ)
			}
		}
	}
	if checked != 8 || types["id"] != "String" {
		t.Fatalf("GDAL lists %d _from/_to fields (want 8) and id as %q:\n%s", checked, types["id"], summary)
	}
	// Nanjing's closing window as numbers: 20220602 to 20261231 in the tile, as in the API.
	var item struct {
		Properties map[string]any `json:"properties"`
	}
	getJSON(t, srv.URL+"/collections/sites/items/alibaba-cn-nanjing?at=2026-01-01", &item)
	from := strings.ReplaceAll(item.Properties["closing_earliest"].(string), "-", "")
	to := strings.ReplaceAll(item.Properties["closing_latest"].(string), "-", "")
	out := gdal(t, "ogrinfo", "-ro", "-al", "-q", "-oo", "METADATA_FILE="+meta, "-where", "id = 'alibaba-cn-nanjing'", filepath.Join(dir, "0"))
	for _, want := range []string{"closing_from (" + types["closing_from"] + ") = " + from, "closing_to (" + types["closing_to"] + ") = " + to} {
		if !strings.Contains(out, want) {
			t.Errorf("GDAL does not read %q for Nanjing:\n%s", want, out)
		}
	}
}
