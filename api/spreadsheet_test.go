package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCSVOpensInLibreOffice opens the items and changes CSV in headless LibreOffice Calc (Debian
// libreoffice-calc-nogui) with its character set left to detection, as its import dialog does,
// saves what Calc read as CSV again and checks the cells: names with accents intact, the byte
// order mark consumed, the country name beside its code, one source per line inside one cell.
func TestCSVOpensInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice; skipped with -short")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice is not installed: apt-get install libreoffice-calc-nogui")
	}
	s := newTestServer(t, Options{})
	dir := t.TempDir()
	files := map[string]string{
		"items.csv":   "/collections/sites/items?f=csv&limit=1000&at=2026-11-23",
		"changes.csv": "/changes?f=csv&from=2000-01-01&to=2030-12-31&limit=1000",
	}
	var paths []string
	for name, target := range files {
		rec := get(t, s, target)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", target, rec.Code)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	out := filepath.Join(dir, "calc")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// CSV import options: comma, double quote, character set 0 (unknown: Calc detects it), from
	// line 1. Export: comma, double quote, UTF-8 (76).
	args := append([]string{"--headless", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--infilter=CSV:44,34,0,1", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", out}, paths...)
	if b, err := exec.CommandContext(ctx, soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	read := func(name string) [][]string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("LibreOffice wrote no %s: %v", name, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s as saved by LibreOffice: %v", name, err)
		}
		return rows
	}
	for name := range files {
		rows := read(name)
		orig, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(get(t, s, files[name]).Body.Bytes(), []byte(utf8BOM)))).ReadAll()
		if len(rows) != len(orig) {
			t.Errorf("%s: Calc read %d rows, the CSV has %d (a line break inside a cell split a row?)", name, len(rows), len(orig))
		}
		header := rows[0]
		if header[0] != "id" {
			t.Errorf("%s: Calc's first header cell is %q, want id (the byte order mark must not show)", name, header[0])
		}
		for _, col := range []string{"country", "country_name", "sources"} {
			if !slices.Contains(header, col) {
				t.Errorf("%s: no %s column in %q", name, col, header)
			}
		}
		text := strings.Join(slices.Concat(rows...), "\x00")
		want := []string{"São Paulo", "Brazil", "Mexico"}
		if name == "items.csv" {
			want = append(want, "Querétaro") // the city column; changes have none
		}
		for _, want := range want {
			if !strings.Contains(text, want) {
				t.Errorf("%s: Calc shows no %q", name, want)
			}
		}
		src := slices.Index(header, "sources")
		multi := 0
		for i, r := range rows[1:] {
			if src >= 0 && src < len(r) && len(r) == len(orig[i+1]) && r[src] == orig[i+1][src] && strings.Contains(r[src], "\n") {
				multi++
			}
		}
		if multi == 0 {
			t.Errorf("%s: no row keeps several sources on separate lines of one cell in Calc", name)
		}
		t.Logf("%s: Calc read %d rows; %d with sources on several lines", name, len(rows)-1, multi)
	}
}
