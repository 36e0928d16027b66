package api

import (
	"encoding/xml"
	"fmt"
	"image/png"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dcatlas/geo"
)

// svgText is a text element of an SVG.
type svgText struct {
	Class string `xml:"class,attr"`
	Fill  string `xml:"fill,attr"`
	Text  string `xml:",chardata"`
}

// raceSVG is what the race's SVG says: its lines and texts, top-level or in a group.
type raceSVG struct {
	Groups []struct {
		Inner []struct {
			Class string `xml:"class,attr"`
			Title string `xml:"title"`
		} `xml:"g"`
		Texts []svgText `xml:"text"`
	} `xml:"g"`
	Texts []svgText `xml:"text"`
}

// texts returns every text of the SVG.
func (d raceSVG) texts() []svgText {
	out := d.Texts
	for _, g := range d.Groups {
		out = append(out, g.Texts...)
	}
	return out
}

// TestStaticRace checks /static/timeline.*?by=provider: a line per provider in its colour, Alibaba
// highlighted, each labelled at its end with the count /timeline?by=provider gives.
func TestStaticRace(t *testing.T) {
	s := newFullServer(t, Options{})
	rec := get(t, s, "/static/timeline.svg?by=provider&until=2025-09-24")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaSVG {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc raceSVG
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var lines, highlighted, labels []string
	for _, g := range doc.Groups {
		for _, l := range g.Inner {
			switch l.Class {
			case "line":
				lines = append(lines, l.Title)
			case "line highlight":
				lines = append(lines, l.Title)
				highlighted = append(highlighted, l.Title)
			}
		}
	}
	fills := map[string]string{}
	for _, tx := range doc.texts() {
		if tx.Class == "end-label" {
			labels = append(labels, tx.Text)
			fills[tx.Text] = tx.Fill
		}
	}
	slices.Sort(lines)
	if !slices.Equal(lines, []string{"AWS", "Alibaba", "Azure", "Google Cloud"}) || !slices.Equal(highlighted, []string{"Alibaba"}) {
		t.Errorf("lines %v, highlighted %v", lines, highlighted)
	}

	// The end labels give each provider's sites in service at the last day, in its colour.
	var tl struct {
		Providers []struct {
			Provider string
			Changes  []struct{ geo.Counts }
		}
	}
	decode(t, get(t, s, "/timeline?by=provider&until=2025-09-24"), &tl)
	for _, p := range tl.Providers {
		prov, _ := s.ds.Provider(p.Provider)
		want := fmt.Sprintf("%s %d", prov.ShortName, p.Changes[len(p.Changes)-1].InService())
		if !slices.Contains(labels, want) {
			t.Errorf("no end label %q in %v", want, labels)
		} else if fills[want] != prov.Colour {
			t.Errorf("%q in %s, want the provider's colour %s", want, fills[want], prov.Colour)
		}
	}

	// The PNG, its download name, and the stamp with a filter.
	rec = get(t, s, "/static/timeline.png?by=provider&until=2025-09-24&scale=2&download=1")
	img, err := png.Decode(rec.Body)
	if err != nil || img.Bounds().Dx() != 2400 || img.Bounds().Dy() != 800 {
		t.Fatalf("PNG: %v %v", err, img)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="dcatlas-race-2025-09-24@2x.png"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rec = get(t, s, "/static/timeline.svg?by=provider&provider=aws,alibaba-cloud&kind=public")
	doc = raceSVG{}
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	n, stamp := 0, ""
	for _, tx := range doc.texts() {
		switch tx.Class {
		case "end-label":
			n++
		case "stamp":
			stamp = tx.Text
		}
	}
	if n != 2 || stamp != "Regions in service (active or closing) per provider, until 2026-11-23 · public regions" {
		t.Errorf("two providers, public only: %d labels, stamp %q", n, stamp)
	}

	// The race differs from the stacked chart, and is cached apart from it.
	if a, b := get(t, s, "/static/timeline.svg?by=provider").Body.String(), get(t, s, "/static/timeline.svg").Body.String(); a == b {
		t.Error("by=provider draws the same chart as without it")
	}
	wantProblem(t, get(t, s, "/static/timeline.png?by=country"), http.StatusBadRequest, paramBy)
	wantProblem(t, get(t, s, "/static/timeline.svg?by="), http.StatusBadRequest, paramBy)
}

// TestStaticMapProviders checks that a map of several providers colours its markers by provider
// and counts each provider in its legend, and that a map of one keeps the status colours.
func TestStaticMapProviders(t *testing.T) {
	a, err := staticAtlas()
	if err != nil {
		t.Fatal(err)
	}
	s := newFullServer(t, Options{Atlas: a})
	type markerSVG struct {
		Class string `xml:"class,attr"`
		Title string `xml:"title"`
	}
	var doc struct {
		Groups []struct {
			ID    string    `xml:"id,attr"`
			Texts []svgText `xml:"text"`
			Inner []struct {
				Markers []markerSVG `xml:"g"`
			} `xml:"g"`
		} `xml:"g"`
	}
	parse := func(target string) (markers []markerSVG, legend []string) {
		rec := get(t, s, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		doc.Groups = nil
		if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		for _, g := range doc.Groups {
			if g.ID == "legend" {
				for _, tx := range g.Texts {
					legend = append(legend, tx.Text)
				}
			}
			for _, in := range g.Inner {
				markers = append(markers, in.Markers...)
			}
		}
		return markers, legend
	}
	markers, legend := parse("/static/map.svg?at=2025-09-24")
	per := map[string]int{}
	for _, m := range markers {
		for _, p := range allProviders {
			if slices.Contains(strings.Fields(m.Class), p) {
				per[p]++
			}
		}
	}
	var items providersDoc
	decode(t, get(t, s, "/providers?at=2025-09-24"), &items)
	for _, p := range items.Providers {
		// Every site is on the world map once (none lies where the world shows twice).
		if per[p.ID] != p.Counts.Total() {
			t.Errorf("%s: %d markers, %d sites", p.ID, per[p.ID], p.Counts.Total())
		}
		i := slices.Index(legend, p.Short)
		if i < 0 || i+1 >= len(legend) || legend[i+1] != strconv.Itoa(p.Counts.Total()) {
			t.Errorf("legend %v lacks %s %d", legend, p.Short, p.Counts.Total())
		}
	}
	if len(markers) == 0 || !strings.Contains(markers[0].Title, " · ") {
		t.Errorf("marker titles do not name the provider: %+v", markers[:min(1, len(markers))])
	}
	// One provider: status colours, a legend of statuses only.
	markers, legend = parse("/static/map.svg?at=2025-09-24&provider=aws")
	for _, m := range markers {
		if strings.Contains(m.Class, "aws") {
			t.Fatalf("a map of one provider marks %q", m.Class)
		}
	}
	if slices.Contains(legend, "AWS") || !slices.Contains(legend, "Active") {
		t.Errorf("legend of one provider: %v", legend)
	}
}
