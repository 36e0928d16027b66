package data

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"unicode"

	"gopkg.in/yaml.v3"
)

// internalRefs returns the parts of a served note that only make sense inside the project: words
// equal to a source key of the data files (S19, F3) and paths to files outside the product.
func internalRefs(note string, keys map[string]bool) []string {
	var found []string
	for _, w := range strings.FieldsFunc(note, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if keys[w] {
			found = append(found, w)
		}
	}
	for _, p := range []string{"shared/", "facts/", "seeds/"} {
		if strings.Contains(note, p) {
			found = append(found, p)
		}
	}
	return found
}

func TestInternalRefs(t *testing.T) {
	keys := map[string]bool{"S19": true, "F3": true}
	tests := []struct {
		note string
		want []string
	}{
		{"Opened in November 2016 (Bloomberg text via NAI500).", nil},
		{"Opened in November 2016 (S19).", []string{"S19"}},
		{"Counted abroad (via F3, S19)", []string{"F3", "S19"}},
		{"Text kept in shared/facts/seeds/000.txt", []string{"shared/", "facts/", "seeds/"}},
		{"S190 and F30 are not keys; neither is s19", nil},
	}
	for _, tt := range tests {
		if got := internalRefs(tt.note, keys); !slices.Equal(got, tt.want) {
			t.Errorf("internalRefs(%q) = %q, want %q", tt.note, got, tt.want)
		}
	}
}

// sourceNotes reads the sources mappings of every data file in fsys: each source key with its note.
func sourceNotes(t *testing.T, fsys fs.FS) map[string]string {
	t.Helper()
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Sources map[string]struct {
				Note string `yaml:"note"`
			} `yaml:"sources"`
		}
		if err := yaml.Unmarshal(b, &file); err != nil {
			t.Fatal(err)
		}
		for k, src := range file.Sources {
			notes[k] = src.Note
		}
	}
	if len(notes) == 0 {
		t.Fatal("no sources found")
	}
	return notes
}

// TestServedNotesReadAlone checks that every note the API serves (provider, site, event and
// source notes) makes sense without the project's files: no source keys, no outside paths.
func TestServedNotesReadAlone(t *testing.T) {
	ds, err := Load(Embedded(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := sourceNotes(t, Embedded())
	keys := map[string]bool{}
	for k := range notes {
		keys[k] = true
	}
	check := func(where, note string) {
		if refs := internalRefs(note, keys); len(refs) > 0 {
			t.Errorf("%s: served note cites %q; name the source in words: %q", where, refs, note)
		}
	}
	for k, note := range notes {
		check("source "+k, note)
	}
	for _, p := range ds.Providers {
		check("provider "+p.ID, p.Notes)
	}
	for _, s := range ds.Sites {
		check(s.ID, s.Notes)
		for _, e := range s.Events {
			check(s.ID+" event "+e.Date.String(), e.Note)
		}
	}
}
