// Package data holds dcatlas's dataset files, embedded in the binary, and the loader that turns them
// into a validated geo.Dataset or reports every problem as file:line: reason.
package data

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"gopkg.in/yaml.v3"

	"dcatlas/geo"
	"dcatlas/geo/country"
)

//go:embed *.yaml
var embedded embed.FS

// Embedded returns the dataset files built into the binary.
func Embedded() fs.FS { return embedded }

// Locator tells how far a point lies from a country's territory, in kilometres (0 inside); ok is
// false when it does not know the country.
type Locator interface {
	DistanceKm(p orb.Point, iso2 string) (km float64, ok bool)
}

// MaxCountryDistanceKm is how far outside the country it names a site may lie.
const MaxCountryDistanceKm = 50

// Options configure Load.
type Options struct {
	// Locator, when set, checks that every site lies in or near the country it names.
	Locator Locator
}

// Problem is one thing wrong in a data file.
type Problem struct {
	File   string
	Line   int
	Reason string
}

// String is the problem as file:line: reason.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason) }

// Problems is every problem found in a set of data files. It is the error Load returns for bad data.
type Problems []Problem

// Error lists every problem, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// MaxFileBytes bounds a data file: parsing takes many times its size in memory.
const MaxFileBytes = 64 << 20

// ErrNoData means the directory holds no data file.
var ErrNoData = errors.New("data: no *.yaml data file found")

// Load reads every *.yaml file at the root of fsys, one provider per file, and returns the dataset,
// or Problems listing everything wrong with it.
func Load(fsys fs.FS, opts Options) (*geo.Dataset, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, ErrNoData
	}
	slices.Sort(names)
	ds := &geo.Dataset{}
	var problems Problems
	siteLines := map[string]Problem{}
	// Files are read and parsed in parallel, then merged in name order.
	type parsed struct {
		name   string
		b      []byte
		tooBig *Problem
		err    error
		p      parser
		prov   geo.Provider
		sites  []lineSite
	}
	files := make([]parsed, len(names))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(len(names), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f := &files[i]
				f.name = names[i]
				if fi, err := fs.Stat(fsys, f.name); err == nil && fi.Size() > MaxFileBytes {
					f.tooBig = &Problem{path.Base(f.name), 1, fmt.Sprintf("the file is %d MiB; at most %d MiB is read", fi.Size()>>20, MaxFileBytes>>20)}
					continue
				}
				if f.b, f.err = fs.ReadFile(fsys, f.name); f.err != nil {
					continue
				}
				f.p = parser{file: path.Base(f.name), opts: opts}
				f.prov, f.sites = f.p.parse(f.b)
			}
		}()
	}
	for i := range names {
		work <- i
	}
	close(work)
	wg.Wait()
	hash := sha256.New()
	var formers []Problem // former ids, with the id as the reason until checked
	for i := range files {
		f := &files[i]
		if f.tooBig != nil {
			problems = append(problems, *f.tooBig)
			continue
		}
		if f.err != nil {
			return nil, f.err
		}
		fmt.Fprintf(hash, "%s\x00%d\x00", f.name, len(f.b))
		hash.Write(f.b)
		p, prov, sites := &f.p, f.prov, f.sites
		problems = append(problems, p.problems...)
		if prov.ID == "" {
			continue
		}
		if _, dup := ds.Provider(prov.ID); dup {
			problems = append(problems, Problem{p.file, 1, fmt.Sprintf("provider %q is also in another file", prov.ID)})
		}
		ds.Providers = append(ds.Providers, prov)
		for _, s := range sites {
			at := Problem{p.file, s.line, ""}
			if first, dup := siteLines[s.site.ID]; dup {
				at.Reason = fmt.Sprintf("duplicate site id %q (first at %s:%d)", s.site.ID, first.File, first.Line)
				problems = append(problems, at)
				continue
			}
			siteLines[s.site.ID] = at
			ds.Sites = append(ds.Sites, s.site)
		}
		for _, l := range p.formerLines {
			formers = append(formers, Problem{File: p.file, Line: l.line, Reason: l.id})
		}
	}
	// A former id must name no other site, now or before.
	for _, f := range formers {
		id := f.Reason
		if first, dup := siteLines[id]; dup {
			f.Reason = fmt.Sprintf("former id %q is already an id or a former id (first at %s:%d)", id, first.File, first.Line)
			problems = append(problems, f)
			continue
		}
		siteLines[id] = Problem{f.File, f.Line, ""}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int {
			if c := strings.Compare(a.File, b.File); c != 0 {
				return c
			}
			return a.Line - b.Line
		})
		return nil, problems
	}
	ds.Version = hex.EncodeToString(hash.Sum(nil))[:16]
	return ds, nil
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	sourceKey     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	colourPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

// httpURL reports whether u is an absolute http or https URL.
func httpURL(u string) bool {
	pu, err := url.Parse(u)
	return err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != ""
}

// parser reads one data file and collects its problems.
type parser struct {
	file     string
	opts     Options
	problems Problems
	sources  map[string]*geo.Source
	// formerLines are the former ids the file names, with their lines.
	formerLines []lineID
}

// lineID is a site id and the line that names it.
type lineID struct {
	id   string
	line int
}

type lineSite struct {
	site geo.Site
	line int
}

func (p *parser) addf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	p.problems = append(p.problems, Problem{p.file, line, fmt.Sprintf(format, args...)})
}

// fields checks that n is a mapping with only the allowed keys, each once, and returns the values by key.
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.addf(n, "%s must be a mapping of keys to values", what)
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(allowed, k.Value):
			p.addf(k, "unknown key %q in %s (allowed: %s)", k.Value, what, strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			p.addf(k, "key %q appears twice in %s", k.Value, what)
		default:
			out[k.Value] = v
		}
	}
	return out
}

// text returns the scalar string at key, reporting a problem if it is required and missing or not text.
func (p *parser) text(parent *yaml.Node, f map[string]*yaml.Node, key, what string, required bool) (string, *yaml.Node) {
	n := f[key]
	if n == nil {
		if required {
			p.addf(parent, "%s has no %q", what, key)
		}
		return "", parent
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.addf(n, "%q in %s must be text", key, what)
		return "", n
	}
	v := strings.TrimSpace(n.Value)
	if v == "" && required {
		p.addf(n, "%q in %s is empty", key, what)
	}
	if limit := maxChars(key); len(v) > limit { // bytes ≥ characters: count only when it may matter
		if c := utf8.RuneCountInString(v); c > limit {
			p.addf(n, "%q in %s is %d characters long; at most %d are allowed", key, what, c, limit)
			v = "" // not carried further: the data is refused anyway
		}
	}
	return v, n
}

// maxChars is the longest text allowed under key, in characters. Names are drawn in labels and
// legends and copied into every answer, so they stay short; notes are prose, served whole.
func maxChars(key string) int {
	switch key {
	case "notes":
		return 10_000
	case "note", "url", "title":
		return 2_000
	case "short_name":
		return 40
	case "name", "city", "partner", "publisher", "region":
		return 200
	}
	return 200 // ids, codes, dates, numbers: far shorter when valid
}

func (p *parser) number(parent *yaml.Node, f map[string]*yaml.Node, key, what string) (float64, bool) {
	v, n := p.text(parent, f, key, what, true)
	if v == "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || n.Tag == "!!str" {
		p.addf(n, "%q in %s must be a number, got %q", key, what, v)
		return 0, false
	}
	return x, true
}

func (p *parser) parse(b []byte) (geo.Provider, []lineSite) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		p.problems = append(p.problems, yamlProblem(p.file, err))
		return geo.Provider{}, nil
	}
	if len(doc.Content) == 0 {
		p.addf(nil, "the file is empty")
		return geo.Provider{}, nil
	}
	root := doc.Content[0]
	f := p.fields(root, "the file", "provider", "name", "short_name", "url", "colour", "notes", "sources", "sites")
	if f == nil {
		return geo.Provider{}, nil
	}
	var prov geo.Provider
	var n *yaml.Node
	prov.ID, n = p.text(root, f, "provider", "the file", true)
	if prov.ID != "" && !idPattern.MatchString(prov.ID) {
		p.addf(n, "provider %q must be lowercase letters, digits and hyphens", prov.ID)
	}
	prov.Name, _ = p.text(root, f, "name", "the file", true)
	prov.ShortName, _ = p.text(root, f, "short_name", "the file", false)
	if prov.ShortName == "" {
		prov.ShortName = prov.Name
	}
	if u, un := p.text(root, f, "url", "the file", false); u != "" {
		if !httpURL(u) {
			p.addf(un, "url %q is not an http(s) URL", u)
		}
		prov.URL = u
	}
	if c, cn := p.text(root, f, "colour", "the file", false); c != "" {
		if !colourPattern.MatchString(c) {
			p.addf(cn, "colour %q must be written #rrggbb, e.g. \"#ff6a00\"", c)
		}
		prov.Colour = c
	}
	prov.Notes, _ = p.text(root, f, "notes", "the file", false)
	p.readSources(root, f["sources"])
	if f["sites"] == nil || f["sites"].Kind != yaml.SequenceNode || len(f["sites"].Content) == 0 {
		p.addf(root, "the file must have a non-empty list of sites")
		return prov, nil
	}
	var sites []lineSite
	for _, sn := range f["sites"].Content {
		s := p.site(sn, prov.ID)
		sites = append(sites, lineSite{s, sn.Line})
	}
	return prov, sites
}

func yamlProblem(file string, err error) Problem {
	// yaml.v3 reports "yaml: line N: reason".
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, reason, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(num); err == nil {
				return Problem{file, line, "not valid YAML: " + reason}
			}
		}
	}
	return Problem{file, 1, "not valid YAML: " + msg}
}

func (p *parser) readSources(root, n *yaml.Node) {
	p.sources = map[string]*geo.Source{}
	if n == nil || n.Kind != yaml.MappingNode {
		p.addf(root, "the file must have a mapping of sources, keyed like S1")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		what := fmt.Sprintf("source %s", k.Value)
		if !sourceKey.MatchString(k.Value) {
			p.addf(k, "source key %q must start with a letter and hold letters, digits, - or _", k.Value)
		}
		if p.sources[k.Value] != nil {
			p.addf(k, "source %s is defined twice", k.Value)
			continue
		}
		f := p.fields(v, what, "title", "publisher", "date", "url", "note")
		if f == nil {
			continue
		}
		src := &geo.Source{Key: k.Value}
		src.Title, _ = p.text(v, f, "title", what, true)
		src.Publisher, _ = p.text(v, f, "publisher", what, true)
		if ds, dn := p.text(v, f, "date", what, true); ds != "" {
			d, err := geo.ParseDate(ds)
			if err != nil {
				p.addf(dn, "%s: %s", what, plain(err))
			}
			src.Date = d
		}
		src.Note, _ = p.text(v, f, "note", what, false)
		var un *yaml.Node
		src.URL, un = p.text(v, f, "url", what, false)
		switch {
		case src.URL == "" && src.Note == "":
			p.addf(v, "%s has no url; give one, or a note saying why there is none", what)
		case src.URL != "" && !httpURL(src.URL):
			p.addf(un, "%s: url %q is not an http(s) URL", what, src.URL)
		}
		p.sources[k.Value] = src
	}
}

func (p *parser) site(n *yaml.Node, provider string) geo.Site {
	s := geo.Site{Provider: provider}
	f := p.fields(n, "a site", "id", "region", "name", "city", "country", "lon", "lat", "kind", "zones", "zones_source", "partner", "notes", "former_ids", "events")
	if f == nil {
		return s
	}
	var idn *yaml.Node
	s.ID, idn = p.text(n, f, "id", "a site", true)
	what := "site " + s.ID
	if s.ID != "" && !geo.ValidID(s.ID) {
		p.addf(idn, "site id %q must be at most 64 lowercase letters, digits and single hyphens", s.ID)
	}
	var rn *yaml.Node
	s.Region, rn = p.text(n, f, "region", what, false)
	if s.Region != "" && !regionPattern.MatchString(s.Region) {
		p.addf(rn, "%s: region code %q must be lowercase letters, digits and hyphens", what, s.Region)
	}
	s.Name, _ = p.text(n, f, "name", what, true)
	s.City, _ = p.text(n, f, "city", what, true)
	var cn *yaml.Node
	s.Country, cn = p.text(n, f, "country", what, true)
	if s.Country != "" {
		if _, ok := country.Lookup(s.Country); !ok {
			p.addf(cn, "%s: unknown country code %q (want ISO 3166-1 alpha-2, e.g. CN, HK, US)", what, s.Country)
			s.Country = ""
		}
	}
	lon, okLon := p.number(n, f, "lon", what)
	lat, okLat := p.number(n, f, "lat", what)
	if okLon && (lon < -180 || lon > 180) {
		p.addf(f["lon"], "%s: longitude %v is out of range -180..180", what, lon)
		okLon = false
	}
	if okLat && (lat < -90 || lat > 90) {
		p.addf(f["lat"], "%s: latitude %v is out of range -90..90", what, lat)
		okLat = false
	}
	s.Point = orb.Point{lon, lat}
	if okLon && okLat && s.Country != "" && p.opts.Locator != nil {
		if km, ok := p.opts.Locator.DistanceKm(s.Point, s.Country); ok && km > MaxCountryDistanceKm {
			p.addf(f["lat"], "%s: lon %v, lat %v lies %.0f km outside %s (at most %d km allowed; swapped or mistyped coordinates?)", what, lon, lat, km, s.Country, MaxCountryDistanceKm)
		}
	}
	if zn := f["zones"]; zn != nil {
		z, err := strconv.Atoi(zn.Value)
		if err != nil || z < 1 || zn.Kind != yaml.ScalarNode {
			p.addf(zn, "%s: zones must be a whole number of at least 1", what)
		}
		s.Zones = z
		key, kn := p.text(n, f, "zones_source", what+" (it has zones)", true)
		if key != "" {
			s.ZonesSource = p.source(kn, key, what)
		}
	} else if f["zones_source"] != nil {
		p.addf(f["zones_source"], "%s: zones_source without zones", what)
	}
	s.Kind = geo.KindPublic
	if k, kn := p.text(n, f, "kind", what, false); k != "" {
		kind, err := geo.ParseKind(k)
		if err != nil {
			p.addf(kn, "%s: %s", what, plain(err))
		}
		s.Kind = kind
	}
	s.Partner, _ = p.text(n, f, "partner", what, false)
	s.Notes, _ = p.text(n, f, "notes", what, false)
	if fn := f["former_ids"]; fn != nil {
		if fn.Kind != yaml.SequenceNode {
			p.addf(fn, "%s: former_ids must be a list of ids", what)
		} else {
			for _, in := range fn.Content {
				if !geo.ValidID(in.Value) || in.Kind != yaml.ScalarNode {
					p.addf(in, "%s: former id %q must be at most 64 lowercase letters, digits and single hyphens", what, in.Value)
					continue
				}
				s.FormerIDs = append(s.FormerIDs, in.Value)
				p.formerLines = append(p.formerLines, lineID{in.Value, in.Line})
			}
		}
	}
	en := f["events"]
	if en == nil || en.Kind != yaml.SequenceNode || len(en.Content) == 0 {
		p.addf(n, "%s must have a non-empty list of events", what)
		return s
	}
	var prev *geo.Event
	for i, evn := range en.Content {
		e, ok := p.event(evn, what)
		if !ok {
			prev = nil
			continue
		}
		if prev != nil {
			p.checkOrder(evn, what, prev, &e)
		} else if i == 0 && !e.Status.CanFollow("") {
			p.addf(evn, "%s: its first event must be announced or active, not %s", what, e.Status)
		}
		s.Events = append(s.Events, e)
		prev = &s.Events[len(s.Events)-1]
	}
	return s
}

func (p *parser) source(n *yaml.Node, key, what string) *geo.Source {
	src := p.sources[key]
	if src == nil {
		p.addf(n, "%s: unknown source %q (define it under sources)", what, key)
	}
	return src
}

func (p *parser) event(n *yaml.Node, site string) (geo.Event, bool) {
	var e geo.Event
	f := p.fields(n, "an event of "+site, "date", "status", "note", "sources")
	if f == nil {
		return e, false
	}
	ok := true
	ds, dn := p.text(n, f, "date", "an event of "+site, true)
	if ds != "" {
		d, err := geo.ParseDate(ds)
		if err != nil {
			p.addf(dn, "%s: %s", site, plain(err))
			ok = false
		}
		e.Date = d
	} else {
		ok = false
	}
	what := fmt.Sprintf("%s event %s", site, ds)
	ss, sn := p.text(n, f, "status", what, true)
	if ss != "" {
		st, err := geo.ParseStatus(ss)
		if err != nil {
			p.addf(sn, "%s: %s", what, plain(err))
			ok = false
		}
		e.Status = st
	} else {
		ok = false
	}
	e.Note, _ = p.text(n, f, "note", what, true)
	src := f["sources"]
	if src == nil || src.Kind != yaml.SequenceNode || len(src.Content) == 0 {
		at := n
		if src != nil {
			at = src
		}
		p.addf(at, "%s has no source: give sources: [S1, …] with at least one key from sources", what)
		return e, ok
	}
	for _, k := range src.Content {
		if s := p.source(k, k.Value, what); s != nil {
			e.Sources = append(e.Sources, s)
		}
	}
	return e, ok
}

func (p *parser) checkOrder(n *yaml.Node, site string, prev, e *geo.Event) {
	if e.Date.Earliest() < prev.Date.Earliest() || e.Date.Latest() < prev.Date.Latest() {
		p.addf(n, "%s: event %s is out of order: it must not start or end before the event before it (%s)", site, e.Date, prev.Date)
	}
	if !e.Status.CanFollow(prev.Status) && !strings.Contains(strings.ToLower(e.Note), "reopen") {
		p.addf(n, "%s: a site cannot go from %s to %s unless the event's note says it reopened", site, prev.Status, e.Status)
	}
}

// plain is an error's text without its package prefix, for a curator to read.
func plain(err error) string { return strings.TrimPrefix(err.Error(), "geo: ") }
