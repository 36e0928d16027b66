package export

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dcatlas/api"
	"dcatlas/data"
	"dcatlas/geo"
)

// renderUsage is the help of the render command.
const renderUsage = `usage: dcatlas render map|timeline [flags] --out FILE.png|FILE.svg

Draws a static map of the sites at a date, or a chart of their timeline, as the server's
/static/map.{png,svg} and /static/timeline.{png,svg} do: the same parameters, checks and drawing.
The format follows the extension of --out.

  dcatlas render map --at 2018-09-01 --out map.png
  dcatlas render map --bbox -11,35,30,60 --labels --title "Alibaba Cloud in Europe" --out europe.svg
  dcatlas render timeline --until 2025-09-24 --out timeline.svg

`

// renderFlags are the flags of the render command that are query parameters of the static images,
// with their help. Each is passed on as the parameter of the same name, when given.
var renderFlags = []struct{ name, help string }{
	{"at", "map: the date whose status is shown, YYYY-MM-DD (default today)"},
	{"until", "timeline: the chart's last day, YYYY-MM-DD (default today)"},
	{"bbox", "map: the extent, minLon,minLat,maxLon,maxLat (default: the sites shown); timeline: only sites inside"},
	{"center", "map: the centre, lon,lat, with --zoom (instead of --bbox)"},
	{"zoom", "map: Web Mercator zoom level, 0 to 18, with --center"},
	{"width", "width in CSS pixels, 64 to 2048 (default 1200)"},
	{"height", "height in CSS pixels, 64 to 2048 (default 800 for a map, 400 for a timeline)"},
	{"scale", "PNG only: device pixels per CSS pixel, 1 or 2"},
	{"status", "only sites in these statuses at the date, comma-separated: announced, active, closing, closed"},
	{"provider", "only sites of these provider ids, comma-separated"},
	{"kind", "only sites of these kinds, comma-separated: public, government, sovereign, partner"},
	{"country", "only sites in these ISO 3166-1 alpha-2 countries, comma-separated"},
	{"q", "only sites whose name, city, region code or id holds this text"},
	{"by", "timeline: provider, to draw the race (a line per provider of its sites in service)"},
	{"title", "a title, at most 120 characters"},
}

// renderBoolFlags are the boolean parameters of the static images.
var renderBoolFlags = []struct {
	name, help string
	def        bool
}{
	{"legend", "map: draw the legend (--legend=false to leave it out)", true},
	{"labels", "map: write the sites' names", false},
}

// Image runs dcatlas render: it builds the query of a static image from the flags and draws it
// with the server's code (api.DrawStaticImage).
func Image(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), renderUsage)
		fl.PrintDefaults()
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fl.Usage()
		return ErrUsage
	}
	kind := args[0]
	if kind != "map" && kind != "timeline" {
		fl.Usage()
		return fmt.Errorf("render: unknown image %q (want map or timeline)", kind)
	}
	values := make(map[string]*string)
	for _, f := range renderFlags {
		values[f.name] = fl.String(f.name, "", f.help)
	}
	bools := make(map[string]*bool)
	for _, f := range renderBoolFlags {
		bools[f.name] = fl.Bool(f.name, f.def, f.help)
	}
	out := fl.String("out", "", "the file to write, ending in .png or .svg (required)")
	dataDir := fl.String("data", os.Getenv("DCATLAS_DATA"), "directory of *.yaml data files; empty for the built-in data (env DCATLAS_DATA)")
	if err := fl.Parse(args[1:]); err != nil {
		return ErrUsage
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("render: unexpected argument %q", fl.Arg(0))
	}
	if *out == "" {
		return errors.New("render: --out FILE.png or FILE.svg is required")
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("render: --out %q: the file name must end in .png or .svg", *out)
	}
	// The flags given, as the query of GET /static/{kind}{ext}.
	q := url.Values{}
	fl.Visit(func(f *flag.Flag) {
		if v, ok := values[f.Name]; ok {
			q.Set(f.Name, *v)
		}
		if b, ok := bools[f.Name]; ok {
			q.Set(f.Name, fmt.Sprint(*b))
		}
	})

	atlas, ds, err := data.Open(*dataDir)
	if err != nil {
		return err
	}
	body, _, err := api.DrawStaticImage(ctx, ds, atlas, geo.DayFromTime(time.Now()), kind+ext, q)
	var p *api.Problem
	if errors.As(err, &p) && p.Parameter != "" {
		return fmt.Errorf("render: --%s: %s (accepted: %s)", p.Parameter, p.Detail, p.Accepted)
	}
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if err := os.WriteFile(*out, body, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d KB)\n", *out, (len(body)+1023)/1024)
	return nil
}
