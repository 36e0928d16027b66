package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"dcatlas/data"
	"dcatlas/export"
	"dcatlas/geo"
)

// errUsage means the command line was wrong; the usage has been printed.
var errUsage = export.ErrUsage

// run is the whole program: it dispatches to a subcommand (serve when none is given).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "validate":
		return validate(args, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, stdout, stderr)
	case "tiles":
		return export.Tiles(ctx, args, stdout, stderr)
	case "render":
		return export.Image(ctx, args, stdout, stderr)
	case "export":
		return export.Site(ctx, args, stdout, stderr)
	case "help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  dcatlas [serve] [flags]     serve the map, API and tiles (see dcatlas serve -h)
  dcatlas validate [DIR]      check the data files (built-in ones, or *.yaml in DIR)
  dcatlas healthcheck         exit 0 when the server at DCATLAS_ADDR is ready (for containers)
  dcatlas tiles export [flags] OUTDIR
                              write base-map or site tiles as {z}/{x}/{y} files (see dcatlas tiles export -h)
  dcatlas render map|timeline [flags] --out FILE.png|FILE.svg
                              draw a static map or timeline chart (see dcatlas render -h)
  dcatlas export site [flags] DIR
                              write the atlas as static files for any static host or CDN (see dcatlas export site -h)
`)
}

func validate(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("validate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	if err := fl.Parse(args); err != nil {
		return errUsage
	}
	if fl.NArg() > 1 {
		return fmt.Errorf("validate takes at most one directory, got %d arguments", fl.NArg())
	}
	fsys, name := data.Dir(fl.Arg(0))
	atlas, err := data.Atlas()
	if err != nil {
		return err
	}
	ds, err := data.Load(fsys, data.Options{Locator: atlas})
	var problems data.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("%s: %d problems", name, len(problems))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(stdout, "%s: ok: %d providers, %d sites, %d events (version %s)\n", name, len(ds.Providers), len(ds.Sites), countEvents(ds), ds.Version)
	return nil
}

func countEvents(ds *geo.Dataset) int {
	n := 0
	for _, s := range ds.Sites {
		n += len(s.Events)
	}
	return n
}
