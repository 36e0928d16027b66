package data

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite the golden want.txt files")

// TestEmbeddedData checks that the shipped dataset is valid and complete.
func TestEmbeddedData(t *testing.T) {
	ds, err := Load(Embedded(), Options{Locator: testAtlas(t)})
	if err != nil {
		t.Fatalf("the built-in data is invalid:\n%v", err)
	}
	perProvider := map[string]int{}
	for _, s := range ds.Sites {
		perProvider[s.Provider]++
	}
	for provider, want := range map[string]int{
		"alibaba-cloud": 37, // 15 mainland China + 22 Hong Kong and international
		"aws":           41, // 36 public (2 announced), 2 GovCloud, 2 China (partners), 1 European Sovereign Cloud
		"azure":         80, // public, Government, China (21Vianet), Cloud Deutschland, announced
		"gcp":           52, // 43 public regions, 2 sovereign offerings, 7 announced countries
	} {
		if got := perProvider[provider]; got != want {
			t.Errorf("%s: got %d sites, want %d", provider, got, want)
		}
	}
	for _, s := range ds.Sites {
		for _, e := range s.Events {
			if len(e.Sources) == 0 {
				t.Errorf("%s: event %s has no source", s.ID, e.Date)
			}
		}
	}
	for _, id := range []string{"alibaba-ap-southeast-2", "alibaba-ap-south-1"} {
		s, ok := ds.Site(id)
		if !ok || s.Events[len(s.Events)-1].Status != "closed" {
			t.Errorf("%s should be in the data and closed", id)
		}
	}
	if len(ds.Version) != 16 {
		t.Errorf("version %q, want 16 hex digits", ds.Version)
	}
}

// TestFixtures loads each directory under testdata and compares the problems with its want.txt:
// every broken fixture must fail with exactly the problems listed, the valid ones must load.
func TestFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	loc := testAtlas(t)
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || filepath.Base(dir) == "fuzz" {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, err := Load(os.DirFS(dir), Options{Locator: loc})
			got := "ok\n"
			var problems Problems
			switch {
			case errors.As(err, &problems):
				got = problems.Error() + "\n"
			case err != nil:
				t.Fatalf("Load: %v", err)
			}
			golden := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./data -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("problems differ\ngot:\n%s\nwant:\n%s", got, want)
			}
			broken := !strings.HasPrefix(filepath.Base(dir), "valid") && filepath.Base(dir) != "reopened"
			if broken == (got == "ok\n") {
				t.Errorf("fixture %s: broken=%v but Load gave %q", dir, broken, got)
			}
		})
	}
}

func TestLoadEmptyDir(t *testing.T) {
	if _, err := Load(fstest.MapFS{}, Options{}); !errors.Is(err, ErrNoData) {
		t.Errorf("got %v, want ErrNoData", err)
	}
}

func TestDuplicateAcrossFiles(t *testing.T) {
	b, err := os.ReadFile("testdata/valid/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(b), "provider: example", "provider: other", 1)
	_, err = Load(fstest.MapFS{"a.yaml": {Data: b}, "b.yaml": {Data: []byte(other)}}, Options{})
	var problems Problems
	if !errors.As(err, &problems) || len(problems) != 2 || !strings.Contains(problems[0].String(), "b.yaml:15: duplicate site id \"example-tokyo\" (first at a.yaml:15)") {
		t.Errorf("got %v", err)
	}
}

// FuzzLoad checks that no input makes the loader panic, and that what it accepts is consistent.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/example.yaml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := Load(fstest.MapFS{"x.yaml": {Data: b}}, Options{})
		if err != nil {
			var problems Problems
			if errors.As(err, &problems) && len(problems) == 0 {
				t.Fatal("an error with no problems")
			}
			return
		}
		for _, s := range ds.Sites {
			if len(s.Events) == 0 || s.ID == "" {
				t.Fatalf("accepted a site without id or events: %+v", s)
			}
			for i := 1; i < len(s.Events); i++ {
				if s.Events[i].Date.Latest() < s.Events[i-1].Date.Latest() {
					t.Fatalf("accepted events out of order in %s", s.ID)
				}
			}
		}
	})
}

// TestSubset loads one provider's file out of the built-in ones.
func TestSubset(t *testing.T) {
	ds, err := Load(Subset(Embedded(), "alibaba-cloud.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Providers) != 1 || ds.Providers[0].ID != "alibaba-cloud" || len(ds.Sites) != 37 {
		t.Errorf("got %d providers (%v), %d sites; want alibaba-cloud alone with 37", len(ds.Providers), ds.Providers, len(ds.Sites))
	}
	two, err := Load(Subset(Embedded(), "aws.yaml", "gcp.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(two.Providers) != 2 || len(two.Sites) != 41+52 {
		t.Errorf("aws and gcp: %d providers, %d sites", len(two.Providers), len(two.Sites))
	}
	if _, err := Load(Subset(Embedded(), "oracle.yaml"), Options{}); !errors.Is(err, ErrNoData) {
		t.Errorf("a subset of no file: %v, want ErrNoData", err)
	}
}
