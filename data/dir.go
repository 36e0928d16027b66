package data

import (
	"fmt"
	"io/fs"
	"os"
	"slices"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Dir returns the data files in dir, or the built-in ones when dir is empty, with a name for
// messages.
func Dir(dir string) (fs.FS, string) {
	if dir == "" {
		return Embedded(), "built-in data"
	}
	return os.DirFS(dir), dir
}

// LoadDir loads and validates the dataset in dir (built in when empty); loc, when not nil, checks
// that every site lies in or near its country.
func LoadDir(dir string, loc Locator) (*geo.Dataset, error) {
	fsys, _ := Dir(dir)
	return Load(fsys, Options{Locator: loc})
}

// Open returns the built-in base map and the dataset in dir (built in when empty), checked
// against it: what the server and the commands start from. Its errors say which of the two failed.
func Open(dir string) (*basemap.Atlas, *geo.Dataset, error) {
	atlas, err := Atlas()
	if err != nil {
		return nil, nil, fmt.Errorf("loading the base map: %w", err)
	}
	ds, err := LoadDir(dir, atlas)
	if err != nil {
		return nil, nil, fmt.Errorf("the data is invalid:\n%w", err)
	}
	return atlas, ds, nil
}

// Subset returns the files of fsys with only the named data files (such as "alibaba-cloud.yaml")
// at its root: the dataset of some providers, for fixtures and for one provider's commands.
func Subset(fsys fs.FS, names ...string) fs.FS { return subset{fsys, names} }

type subset struct {
	fs.FS
	names []string
}

func (s subset) keeps(name string) bool { return name == "." || slices.Contains(s.names, name) }

// Open opens a kept file, or the root.
func (s subset) Open(name string) (fs.File, error) {
	if !s.keeps(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return s.FS.Open(name)
}

// ReadDir lists the kept files of the root.
func (s subset) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	es, err := fs.ReadDir(s.FS, name)
	return slices.DeleteFunc(es, func(e fs.DirEntry) bool { return !s.keeps(e.Name()) }), err
}
