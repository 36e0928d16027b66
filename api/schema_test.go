package api

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// validateScript checks every feature in the documents named on the command line against the
// schema in the first, with the python-jsonschema validator its $schema names (Draft 2020-12),
// formats included. It prints one line per invalid feature and the number of features checked.
const validateScript = `
import json, sys, jsonschema, importlib.metadata
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
if cls is not jsonschema.Draft202012Validator:
    sys.exit("schema is not validated as Draft 2020-12 but by %s" % cls.__name__)
cls.check_schema(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
n = 0
for path in sys.argv[2:]:
    doc = json.load(open(path, encoding="utf-8"))
    for f in doc.get("features", [doc]):
        n += 1
        for e in v.iter_errors(f):
            print("%s: %s: %s at %s" % (path, f.get("id"), e.message, "/".join(map(str, e.absolute_path))))
print("checked", n, "features with jsonschema", importlib.metadata.version("jsonschema"), cls.__name__)
`

// TestFeaturesValidateAgainstSchema validates every site feature of every golden file and of live
// answers against /collections/sites/schema with python-jsonschema (Debian python3-jsonschema).
func TestFeaturesValidateAgainstSchema(t *testing.T) {
	python := pythonWith(t, "jsonschema", "python3-jsonschema")
	s := newTestServer(t, Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	dir := t.TempDir()
	save := func(name, target string) string {
		rec := get(t, s, target)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	schema := save("schema.json", "/collections/sites/schema")
	docs, err := filepath.Glob("testdata/items-*.geojson")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no golden items files: %v", err)
	}
	for i, target := range []string{
		"/collections/sites/items?limit=1000",
		"/collections/sites/items?limit=1000&at=2016-11-21",
		"/collections/sites/items?limit=1000&at=2026-12-31&skipGeometry=true",
		"/collections/sites/items?properties=name,closing_latest,pending_date",
		"/collections/sites/items/alibaba-cn-nanjing?at=2025-01-01",
		"/collections/sites/items/alibaba-eu-west-2?at=2020-01-01", // before it exists
	} {
		docs = append(docs, save("live-"+string(rune('a'+i))+".json", target))
	}
	var ids struct{ Features []struct{ ID string } }
	decode(t, get(t, s, "/collections/sites/items?limit=1000&at=2030-01-01"), &ids)
	for _, f := range ids.Features {
		docs = append(docs, save(f.ID+".json", "/collections/sites/items/"+f.ID))
	}
	out, err := exec.Command(python, append([]string{"-c", validateScript, schema}, docs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("validator: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	t.Log(last)
	for _, l := range lines[:len(lines)-1] {
		t.Error(l)
	}
	f := strings.Fields(last)
	if len(f) < 2 || f[0] != "checked" {
		t.Fatalf("validator output %q", last)
	}
	if n, err := strconv.Atoi(f[1]); err != nil || n < 100 {
		t.Errorf("only %s features checked", f[1])
	}
}
