package data

import (
	"io/fs"
	"os"

	"dcatlas/geo"
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
