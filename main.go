// Command dcatlas serves a map of cloud data-center sites over time: GeoJSON, tiles, images and a
// web viewer, from one binary with its data built in.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A closed stderr or stdout must not kill the server: writes to it fail with EPIPE instead,
	// and the log buffer counts the lines lost.
	signal.Ignore(syscall.SIGPIPE)
	// SIGHUP (the terminal or supervisor went away) drains like SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dcatlas:", err)
		os.Exit(1)
	}
}
