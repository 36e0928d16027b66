package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// registerWebRoutes registers the web viewer's pages and assets.
func (s *Server) registerWebRoutes() {}

// serveViewer answers a browser at / with the viewer page.
func (s *Server) serveViewer(c echo.Context) error {
	return problemf(http.StatusNotAcceptable, "the HTML viewer is not built yet; ask for application/json")
}

// prefersHTML reports whether an Accept header lists text/html before any JSON type, as browsers do.
func prefersHTML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.TrimSpace(mt) {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json", "application/geo+json", "*/*":
			return false
		}
	}
	return false
}
