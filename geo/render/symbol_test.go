package render

import (
	"os"
	"strings"
	"testing"

	"dcatlas/geo"
)

// TestSymbolsMatchViewer reads the web viewer's symbols (web/symbols.js) and checks that the static
// images use the same geometry, so the two cannot drift apart. (The viewer takes its colours from
// here, through /history.json.)
func TestSymbolsMatchViewer(t *testing.T) {
	b, err := os.ReadFile("../../web/symbols.js")
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	// The geometry: every shape of the Go symbols, written as symbols.js writes it.
	for _, st := range geo.Statuses() {
		for _, p := range symbolParts(st) {
			if want := jsShape(p); !strings.Contains(js, want) {
				t.Errorf("%s: symbols.js has no %s", st, want)
			}
		}
	}
	if want := jsShape(pendingRing()); !strings.Contains(js, want) {
		t.Errorf("pending: symbols.js has no %s", want)
	}
}

// jsShape writes the geometry of a part as web/symbols.js has it, without the paint.
func jsShape(p part) string {
	n := func(v float64) string { return string(fmtNum(nil, v, 2)) }
	switch {
	case p.circle != nil:
		return `<circle cx="` + n(p.circle.cx) + `" cy="` + n(p.circle.cy) + `" r="` + n(p.circle.r) + `"`
	case p.rect != nil:
		return `<rect x="` + n(p.rect.x) + `" y="` + n(p.rect.y) + `" width="` + n(p.rect.w) + `" height="` + n(p.rect.h) + `" rx="` + n(p.rect.rx) + `"`
	}
	// Paths: symbols.js writes the closing triangle as "M4.2 6.5h15.6L12 19.5z" and the cross as
	// "M9 9l6 6M15 9l-6 6"; compare the points they visit.
	return jsPathPoints(p.path)
}

// jsPathPoints writes a path of symbols.js from its vertices: a triangle as "M4.2 6.5h15.6L12
// 19.5z", other lines as "M9 9l6 6M15 9l-6 6".
func jsPathPoints(pa path) string {
	n := func(v float64) string { return string(fmtNum(nil, v, 2)) }
	if len(pa) == 1 && len(pa[0].pts) == 3 && pa[0].closed {
		pts := pa[0].pts
		return `d="M` + n(pts[0][0]) + ` ` + n(pts[0][1]) + `h` + n(pts[1][0]-pts[0][0]) + `L` + n(pts[2][0]) + ` ` + n(pts[2][1]) + `z"`
	}
	d := `d="`
	for _, sp := range pa {
		d += "M" + n(sp.pts[0][0]) + " " + n(sp.pts[0][1])
		for i := 1; i < len(sp.pts); i++ {
			dx, dy := n(sp.pts[i][0]-sp.pts[i-1][0]), n(sp.pts[i][1]-sp.pts[i-1][1])
			if !strings.HasPrefix(dy, "-") {
				dy = " " + dy
			}
			d += "l" + dx + dy
		}
	}
	return d + `"`
}

func TestStatusColor(t *testing.T) {
	if got := StatusColor("unknown"); got != Ink {
		t.Errorf("unknown status: %s", got)
	}
}
