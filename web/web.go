// Package web holds the browser viewer of dcatlas: its page template, ES modules, styles and the
// vendored Leaflet files, embedded in the binary. It does no serving; the
// api package serves Assets under /web/ and renders PageTemplate for /, /map and /embed.
package web

import (
	"embed"
	"io/fs"
)

// assets are the files served under /web/. The vendored libraries are listed file by file so that
// nothing the viewer does not need (axe-core, the refresh script) is built in.
//
//go:embed *.js *.css *.svg
//go:embed vendor/leaflet/dist/leaflet.js vendor/leaflet/dist/leaflet.css vendor/leaflet/dist/images
//go:embed vendor/leaflet/LICENSE vendor/leaflet/package.json
var assets embed.FS

// pageTemplate is the html/template source of the viewer page, shared by the full map and the
// embed page.
//
//go:embed templates/viewer.html
var pageTemplate string

// Modules returns the viewer's ES modules (app.js, state.js, …), which the page preloads so that
// the browser fetches them at once rather than import by import.
func Modules() []string {
	names, _ := fs.Glob(assets, "*.js") // the pattern is valid: no error
	return names
}

// Assets returns the static files of the viewer, with paths as served below /web/ (app.js,
// vendor/leaflet/dist/leaflet.js, …).
func Assets() fs.FS { return assets }

// PageTemplate returns the html/template source of the viewer page. Its data is described in
// api/web.go (viewerPage).
func PageTemplate() string { return pageTemplate }
