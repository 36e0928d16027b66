// Package synthetic writes generated datasets of any size in the data file format, for scale and
// load tests: many providers, many sites, each site near a real site's city so that it passes
// validation. Nothing it writes is committed; tests and bench/ generate what they need.
package synthetic

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"dcatlas/data"
)

// Spec says what to generate.
type Spec struct {
	Sites     int // in all, spread evenly over the providers
	Providers int // at least 1
	// NameLen, when above zero, pads every provider's name to this many characters: a hostile name.
	NameLen int
	Seed    uint64
}

// place is a real site's country and coordinates, around which generated sites are put.
type place struct {
	country  string
	lon, lat float64
}

// Write writes the dataset described by spec into dir as one YAML file per provider.
func Write(dir string, spec Spec) error {
	ds, err := data.Load(data.Embedded(), data.Options{})
	if err != nil {
		return err
	}
	var places []place
	for _, s := range ds.Sites {
		places = append(places, place{s.Country, s.Point.Lon(), s.Point.Lat()})
	}
	r := rand.New(rand.NewPCG(spec.Seed, 13))
	providers := max(1, spec.Providers)
	for p := range providers {
		n := spec.Sites / providers
		if p < spec.Sites%providers {
			n++
		}
		if err := writeProvider(filepath.Join(dir, fmt.Sprintf("synth-%03d.yaml", p)), p, n, spec.NameLen, places, r); err != nil {
			return err
		}
	}
	return nil
}

func writeProvider(path string, p, sites, nameLen int, places []place, r *rand.Rand) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	name := fmt.Sprintf("Synthetic Cloud %d", p)
	for len(name) < nameLen {
		name += " x"
	}
	fmt.Fprintf(w, "provider: synth-%03d\nname: %q\nshort_name: \"Synth %d\"\nurl: https://example.org/synth-%d\ncolour: \"#%06x\"\n", p, name, p, p, r.IntN(1<<24))
	fmt.Fprintf(w, "notes: \"Generated for scale tests.\"\nsources:\n  S1:\n    title: \"Generated\"\n    publisher: dcatlas tests\n    date: 2020-01-01\n    url: https://example.org/\n")
	fmt.Fprintf(w, "sites:\n")
	for i := range sites {
		pl := places[r.IntN(len(places))]
		lon := pl.lon + (r.Float64()-0.5)*0.1
		lat := pl.lat + (r.Float64()-0.5)*0.1
		year := 2005 + r.IntN(20)
		month := 1 + r.IntN(12)
		fmt.Fprintf(w, "  - id: synth-%d-%d\n    region: r%d-%d\n    name: \"Region %d-%d\"\n    city: City %d\n    country: %s\n    lon: %.4f\n    lat: %.4f\n",
			p, i, p, i, p, i, r.IntN(1000), pl.country, lon, lat)
		fmt.Fprintf(w, "    notes: \"Generated site %d of provider %d.\"\n    events:\n", i, p)
		fmt.Fprintf(w, "      - date: %04d-%02d\n        status: announced\n        note: \"Announced.\"\n        sources: [S1]\n", year, month)
		fmt.Fprintf(w, "      - date: %04d-%02d-%02d\n        status: active\n        note: \"Opened.\"\n        sources: [S1]\n", year+1, month, 1+r.IntN(28))
		if r.IntN(10) == 0 {
			fmt.Fprintf(w, "      - date: %04d\n        status: closed\n        note: \"Closed.\"\n        sources: [S1]\n", year+2+r.IntN(3))
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
