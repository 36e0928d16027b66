package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dcatlas/api"
	"dcatlas/data"
)

// TestSite exports the atlas with a small base map and checks the files against a normal
// server's answers: documents, images and tiles byte for byte, the page in static mode with
// every file it names present.
func TestSite(t *testing.T) {
	atlas, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadDir("", atlas)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := Site(context.Background(), ds, atlas, Config{Dir: dir, ServerURL: "https://atlas.example/", BasemapFormat: BasemapPNG, BasemapMaxZoom: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(ds, api.Options{Atlas: atlas})
	same := func(name, target string) {
		t.Helper()
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Error(err)
			return
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK || !bytes.Equal(got, rec.Body.Bytes()) {
			t.Errorf("%s: %d bytes; the server answers %s with %d and %d bytes", name, len(got), target, rec.Code, rec.Body.Len())
		}
	}
	same("downloads/dcatlas-sites.geojson", "/collections/sites/items?limit=1000")
	same("downloads/dcatlas-sites.csv", "/collections/sites/items?f=csv&limit=1000")
	same("timeline.svg", "/static/timeline.svg")
	same("timeline.png", "/static/timeline.png")
	same("web/app.js", "/web/app.js")
	for _, s := range ds.Sites {
		same("sites/"+s.ID+".json", "/collections/sites/items/"+s.ID+"?properties=events,notes")
	}
	tiles := 0
	for _, tile := range []string{"0/0/0", "1/0/0", "1/0/1", "1/1/0", "1/1/1"} {
		same("tiles/basemap/"+tile+".png", "/tiles/basemap/"+tile+".png")
		same("tiles/basemap-dark/"+tile+".png", "/tiles/basemap-dark/"+tile+".png")
		tiles += 2
	}
	if sum.Files < len(ds.Sites)+tiles+8 || sum.Bytes == 0 {
		t.Errorf("summary %+v", sum)
	}

	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-static="1"`, `data-server-url="https://atlas.example"`, `data-basemap-tiles="tiles/basemap/{z}/{x}/{y}.png"`, `data-basemap-max-zoom="1"`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	// Every file the page loads is in the export, named relative to the page.
	refs := regexp.MustCompile(`(?:href|src)="([^"]+)"`).FindAllSubmatch(page, -1)
	n := 0
	for _, m := range refs {
		ref := string(m[1])
		if !strings.HasPrefix(ref, api.StaticAssetDir) {
			continue
		}
		n++
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ref))); err != nil {
			t.Errorf("index.html loads %s: %v", ref, err)
		}
	}
	if n < 3 {
		t.Errorf("index.html names %d files under %s", n, api.StaticAssetDir)
	}
}

// TestViewerFindsExportedFiles runs the viewer's static-mode mapping (web/files.js, under node) on
// the requests the viewer makes, and checks that each names a file of the export, or the live
// server when one is configured. It needs node, and is skipped without it.
func TestViewerFindsExportedFiles(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: no node")
	}
	atlas, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadDir("", atlas)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Site(context.Background(), ds, atlas, Config{Dir: dir, BasemapFormat: BasemapPNG, BasemapMaxZoom: 0, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	type request struct{ Path, Query, Server string }
	reqs := []request{
		{"/collections/sites/items", "download=1&limit=1000", ""},
		{"/collections/sites/items", "f=csv&download=1&limit=1000&status=active", ""},
		{"/collections/sites/items", "limit=1000", ""}, // the Features API: no file
		{"/api", "", "https://atlas.example"},
	}
	if _, err := os.Stat(filepath.Join(dir, "history.json")); err == nil {
		reqs = append(reqs, request{"/history.json", "", ""})
	} else {
		t.Log("this server has no /history.json yet: not checked")
	}
	for _, s := range ds.Sites {
		reqs = append(reqs, request{"/collections/sites/items/" + s.ID, "properties=events,notes", ""})
	}
	in, _ := json.Marshal(reqs)
	files, err := filepath.Abs(filepath.Join("..", "web", "files.js"))
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`import(%q).then((m) => console.log(JSON.stringify(%s.map((r) => m.staticURL(r.Path, r.Query, r.Server)))))`, files, in)
	out, err := exec.Command(node, "-e", script).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var urls []string
	if err := json.Unmarshal(out, &urls); err != nil || len(urls) != len(reqs) {
		t.Fatalf("node printed %s (%v)", out, err)
	}
	for i, r := range reqs {
		u := urls[i]
		switch {
		case r.Server != "":
			if u != r.Server+r.Path {
				t.Errorf("%s?%s with a server: %q", r.Path, r.Query, u)
			}
		case r.Query == "limit=1000":
			if u != "" {
				t.Errorf("%s?%s: %q, want nothing", r.Path, r.Query, u)
			}
		default:
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(u))); u == "" || err != nil {
				t.Errorf("%s?%s: the viewer asks for %q: %v", r.Path, r.Query, u, err)
			}
		}
	}
}
