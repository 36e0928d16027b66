// Package export holds the commands that write the atlas to files: tile directories (dcatlas
// tiles export) and static images (dcatlas render). They parse the same filters as the server
// (api.ParseFilter) and draw with the server's code (package tileset, api.DrawStaticImage), with no
// server running.
package export

import "errors"

// ErrUsage means the command line was wrong; the usage has been printed.
var ErrUsage = errors.New("usage")
