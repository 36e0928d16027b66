package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"dcatlas/geo"
)

// node is an XML element with its attributes and children.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk calls fn with n and every element under it.
func (n node) walk(fn func(node)) {
	fn(n)
	for _, c := range n.Children {
		c.walk(fn)
	}
}

// find returns the elements under n (n included) for which match is true.
func (n node) find(match func(node) bool) []node {
	var out []node
	n.walk(func(e node) {
		if match(e) {
			out = append(out, e)
		}
	})
	return out
}

func byTag(tag string) func(node) bool { return func(e node) bool { return e.XMLName.Local == tag } }

func byClass(class string) func(node) bool {
	return func(e node) bool { return slices.Contains(strings.Fields(e.attr("class")), class) }
}

func byID(id string) func(node) bool { return func(e node) bool { return e.attr("id") == id } }

func parseSVG(t *testing.T, b []byte) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestMapSVGStructure parses the SVG of a map and checks what it holds: a sized root with a
// viewBox, land and borders as paths, a group per site shown, and the texts.
func TestMapSVGStructure(t *testing.T) {
	fx := testFixture(t)
	at := day(t, "2025-09-24")
	spec := fx.mapOf(at, geo.Filter{}, Extent{})
	spec.Labels = true
	spec.Title = "Alibaba Cloud & its regions <2025>"
	b := renderMap(t, fx.atlas, spec, SVG)
	if len(b) > 300<<10 {
		t.Errorf("a 1200×800 world map is %d KB, want under 300 KB", len(b)>>10)
	}
	root := parseSVG(t, b)
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root %v", root.XMLName)
	}
	if root.attr("width") != "1200" || root.attr("height") != "800" || root.attr("viewBox") != "0 0 1200 800" {
		t.Errorf("root width %q height %q viewBox %q", root.attr("width"), root.attr("height"), root.attr("viewBox"))
	}
	if len(root.Children) == 0 || root.Children[0].XMLName.Local != "title" || root.Children[0].Text != spec.Title+" — "+spec.Stamp {
		t.Errorf("the document's title is not its first element: %+v", root.Children[0].XMLName)
	}
	for _, tag := range []string{"script", "style", "foreignObject", "image", "a"} {
		if n := len(root.find(byTag(tag))); n > 0 {
			t.Errorf("%d <%s> elements", n, tag)
		}
	}
	if m := root.find(byID("map")); len(m) != 1 || m[0].attr("clip-path") != "url(#"+clipID+")" {
		t.Errorf("map group %+v, want one clipped to the frame", m)
	}
	land := root.find(byID("land"))
	if len(land) != 1 || len(land[0].find(byTag("path"))) < 100 {
		t.Fatalf("land group %d, want one with the countries' paths", len(land))
	}
	if borders := root.find(byID("borders")); len(borders) != 1 || len(borders[0].find(byTag("path"))) < 100 {
		t.Error("no borders")
	}

	// One marker group per site on the map: all of them, on a world map.
	markers := root.find(byClass("marker"))
	if want := len(spec.Markers); len(markers) != want {
		t.Errorf("%d marker groups, want %d", len(markers), want)
	}
	counts := map[string]int{}
	for _, m := range markers {
		classes := strings.Fields(m.attr("class"))
		counts[classes[len(classes)-1]]++
		if len(m.find(byTag("title"))) != 1 || len(m.Children) < 3 {
			t.Errorf("marker %q: %d children, want a title and the shapes", m.attr("class"), len(m.Children))
		}
	}
	c := fx.ds.CountsAt(at, geo.Filter{})
	if counts["active"] != c.Active || counts["announced"] != c.Announced || counts["closed"] != c.Closed {
		t.Errorf("markers by status %v, want %+v", counts, c)
	}

	texts := func(class string) []string {
		var out []string
		for _, e := range root.find(byClass(class)) {
			if e.XMLName.Local == "text" {
				out = append(out, e.Text)
			}
		}
		return out
	}
	if got := texts("title"); !slices.Equal(got, []string{spec.Title}) {
		t.Errorf("title %q, want %q", got, spec.Title)
	}
	if got := texts("stamp"); !slices.Equal(got, []string{"Alibaba Cloud regions as of 2025-09-24"}) {
		t.Errorf("stamp %q", got)
	}
	if got := texts("attribution"); !slices.Equal(got, []string{testAttribution}) {
		t.Errorf("attribution %q", got)
	}
	wantLegend := []string{"Active", "Announced", "Closing down", "Closed"}
	if c.Pending > 0 {
		wantLegend = append(wantLegend, "Change pending")
	}
	if got := texts("legend"); !slices.Equal(got, wantLegend) {
		t.Errorf("legend %q, want %q", got, wantLegend)
	}
	wantCounts := []string{strconv.Itoa(c.Active), strconv.Itoa(c.Announced), strconv.Itoa(c.Closing), strconv.Itoa(c.Closed)}
	if got := texts("legend-count"); len(got) < 4 || !slices.Equal(got[:4], wantCounts) {
		t.Errorf("legend counts %q, want %q", got, wantCounts)
	}
	labels := texts("label")
	if len(labels) < 10 {
		t.Errorf("%d labels: %q", len(labels), labels)
	}
	var names []string
	for _, m := range spec.Markers {
		names = append(names, m.Label)
	}
	for _, l := range labels {
		if !slices.Contains(names, l) {
			t.Errorf("label %q is no site's name", l)
		}
	}
	// Every number is a number.
	if bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("Inf")) {
		t.Error("the SVG holds NaN or Inf")
	}
}

func TestTimelineSVGStructure(t *testing.T) {
	fx := testFixture(t)
	until := day(t, "2025-09-24")
	var buf bytes.Buffer
	spec := TimelineSpec{Width: 1200, Height: 400, Timeline: fx.ds.Timeline(geo.Filter{}, until), Until: until,
		Title: "Regions", Stamp: "Alibaba Cloud regions by status", Attribution: "Data: dcatlas"}
	if err := Timeline(context.Background(), &buf, spec, SVG); err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, buf.Bytes())
	if root.attr("viewBox") != "0 0 1200 400" {
		t.Errorf("viewBox %q", root.attr("viewBox"))
	}
	var areas []string
	for _, g := range root.find(byClass("area")) {
		areas = append(areas, strings.Fields(g.attr("class"))[1])
	}
	if want := []string{"active", "closing", "announced", "closed"}; !slices.Equal(areas, want) {
		t.Errorf("areas %q, want %q", areas, want)
	}
	var years []string
	for _, e := range root.find(byClass("axis")) {
		if len(e.Text) == 4 {
			years = append(years, e.Text)
		}
	}
	if len(years) < 10 || years[0] != "2011" || years[len(years)-1] != "2025" {
		t.Errorf("year labels %q", years)
	}
	for _, class := range []string{"title", "stamp", "attribution", "legend", "legend-count"} {
		if len(root.find(byClass(class))) == 0 {
			t.Errorf("no %s text", class)
		}
	}
}

// TestLegendAvoidsSymbols checks that the legend moves from the bottom left to a corner where it
// hides no site.
func TestLegendAvoidsSymbols(t *testing.T) {
	spec := MapSpec{
		Width: 600, Height: 400, Legend: true, Stamp: "Stamp", Attribution: "Attribution",
		Extent: BoundExtent(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{30, 20}}),
	}
	legendX := func(t *testing.T) float64 {
		t.Helper()
		var buf bytes.Buffer
		if err := Map(context.Background(), &buf, nil, spec, SVG); err != nil {
			t.Fatal(err)
		}
		g := parseSVG(t, buf.Bytes()).find(byID("legend"))
		if len(g) != 1 {
			t.Fatal("no legend")
		}
		x, _ := strconv.ParseFloat(g[0].find(byTag("rect"))[0].attr("x"), 64)
		return x
	}
	if x := legendX(t); x > 100 {
		t.Errorf("legend at x %v on an empty map, want the bottom left", x)
	}
	for i := range 4 { // sites in the bottom left corner
		spec.Markers = append(spec.Markers, Marker{Point: orb.Point{1 + float64(i), 1 + float64(i%2)}, Status: geo.StatusActive})
	}
	if x := legendX(t); x < 300 {
		t.Errorf("legend at x %v over the sites in the bottom left, want it on the right", x)
	}
}

// TestSVGTextIsAlwaysXML checks that text XML forbids cannot break the document.
func TestSVGTextIsAlwaysXML(t *testing.T) {
	for _, in := range []string{"a\x01b", "\uFFFE", "\uFFFF", "bad \xff utf-8", "<&>\"'", "tab\tok"} {
		out := xmlText(in)
		var v struct {
			XMLName xml.Name
			Text    string `xml:",chardata"`
		}
		doc := "<t>" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(out) + "</t>"
		if err := xml.Unmarshal([]byte(doc), &v); err != nil {
			t.Errorf("xmlText(%q) = %q is not XML text: %v", in, out, err)
		}
	}
}
