package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"dcatlas/geo"
	"dcatlas/tileset"
	"dcatlas/web"
)

// The web viewer: one page template rendered for / (browsers), /map and /embed, and its static
// files under /web/. Asset URLs in the page carry a version segment, /web/@<version>/app.js, so
// that they can be cached for good; the same files are also served without it, /web/app.js, with a
// short cache. The page's ES modules import each other relatively and so inherit the version.

// Cache policies of the viewer.
const (
	pageCacheControl      = "no-cache" // always revalidated: it names the asset version
	assetCacheControl     = "public, max-age=300, stale-while-revalidate=86400"
	versionedCacheControl = "public, max-age=31536000, immutable" // the version changes with any asset
)

// Defaults of the built-in base map, as the viewer shows it.
const (
	builtinBasemapAttribution    = "Natural Earth"
	builtinBasemapAttributionURL = "https://www.naturalearthdata.com/"
	externalBasemapMaxZoom       = 18
)

// viewerTemplate is the page of the viewer; its data is a viewerPage.
var viewerTemplate = template.Must(template.New("viewer").Parse(web.PageTemplate()))

// viewerPage is what the page template needs: where things are, and the base map to use.
type viewerPage struct {
	Embed              bool
	Root               string // the path the service is mounted at, "" at the host's root
	Assets             string // the versioned asset prefix, ending in "/"
	TileURL            string // Leaflet URL template of the base map
	TileAttribution    string // plain text
	TileAttributionURL string
	TileMaxZoom        int
	Static             bool     // the page is a static file (see StaticSite)
	ServerURL          string   // a live server for what static files cannot answer; empty for none
	Snapshots          string   // which days a static export has download snapshots for (see StaticSite)
	SnapshotDays       string   // those days, YYYY-MM-DD, separated by spaces
	Modules            []string // the viewer's ES modules, to preload
}

// StaticSite describes the atlas exported as static files, for the viewer's page: it lives at the
// export's root, with its assets in web/ beside it.
type StaticSite struct {
	// ServerURL is a live dcatlas server for what files cannot answer (the Features API, images of
	// any size); empty hides those parts of the viewer.
	ServerURL string
	// TileURL is the Leaflet URL template of the exported base map, relative to the page, and
	// TileMaxZoom its last zoom (the viewer magnifies beyond it).
	TileURL     string
	TileMaxZoom int
	// SnapshotDays are the days of the export's download snapshots, the only days whose download
	// buttons name a file (web/files.js reads them from the page); Snapshots names the rule they
	// follow (monthly, yearly or today, see package publish) for the viewer's words.
	Snapshots    string
	SnapshotDays []geo.Day
}

// fileOnly reports whether the answers are for a static export with no live server: then the
// documents carry no links, since the API they would name is not there.
func (s *Server) fileOnly() bool { return s.opts.Static != nil && s.opts.BaseURL == "" }

// StaticAssetDir is where a static export keeps the viewer's files, relative to its page.
const StaticAssetDir = "web/"

// assetVersion identifies the viewer's files: a hash of all of them, computed once.
var assetVersion = sync.OnceValue(func() string {
	h := sha256.New()
	err := fs.WalkDir(web.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Assets(), p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "dev" // unreachable with an embed.FS; a fixed version only costs caching
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})

// registerWebRoutes registers the web viewer's pages and assets.
func (s *Server) registerWebRoutes() {
	s.get("/map", s.handleMap)
	s.get("/embed", s.handleEmbed)
	s.get("/web/*", s.handleAsset)
}

// serveViewer answers a browser at / with the viewer page. The same URL serves JSON to other
// clients, so the answer varies with Accept.
func (s *Server) serveViewer(c echo.Context) error {
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	return s.servePage(c, false)
}

// handleMap serves GET /map: the viewer. Its query (at, status, country, provider, site, view) is
// the viewer's state, read by the page's script; the server sends the same page for any query.
func (s *Server) handleMap(c echo.Context) error { return s.servePage(c, false) }

// handleEmbed serves GET /embed: the map alone, for iframes on any site.
func (s *Server) handleEmbed(c echo.Context) error { return s.servePage(c, true) }

// servePage sends the viewer page, full or for embedding, with its content security policy.
func (s *Server) servePage(c echo.Context, embed bool) error {
	key := keyOf("web:page").with("embed", embed).with("assets", assetVersion())
	return s.send(c, key, func() (*response, error) {
		var buf bytes.Buffer
		if err := viewerTemplate.Execute(&buf, s.viewerPage(embed)); err != nil {
			return nil, fmt.Errorf("rendering the viewer page: %w", err)
		}
		r := newResponse(mediaHTML, buf.Bytes())
		r.cacheControl = pageCacheControl
		r.csp = s.contentSecurityPolicy(embed)
		return r, nil
	})
}

// root is the path the service is mounted at, from the configured base URL: "" at a host's root.
func (s *Server) root() string {
	if s.opts.BaseURL == "" {
		return ""
	}
	u, err := url.Parse(s.opts.BaseURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

func (s *Server) viewerPage(embed bool) viewerPage {
	root := s.root()
	p := viewerPage{
		Embed:              embed,
		Root:               root,
		Assets:             root + "/web/@" + assetVersion() + "/",
		TileURL:            root + "/tiles/basemap/{z}/{x}/{y}{r}.png",
		TileAttribution:    builtinBasemapAttribution,
		TileAttributionURL: builtinBasemapAttributionURL,
		TileMaxZoom:        tileset.BasemapMaxZoom,
		Modules:            web.Modules(),
	}
	if st := s.opts.Static; st != nil {
		p.Root, p.Assets, p.Static, p.ServerURL = ".", StaticAssetDir, true, st.ServerURL
		p.TileURL, p.TileMaxZoom = st.TileURL, st.TileMaxZoom
		days := make([]string, len(st.SnapshotDays))
		for i, d := range st.SnapshotDays {
			days[i] = d.String()
		}
		p.Snapshots, p.SnapshotDays = st.Snapshots, strings.Join(days, " ")
		return p
	}
	if s.opts.BasemapURL != "" {
		p.TileURL = s.opts.BasemapURL
		p.TileAttribution = s.opts.BasemapAttribution
		if p.TileAttribution == "" {
			src, _ := basemapSource(s.opts.BasemapURL)
			p.TileAttribution = strings.TrimPrefix(strings.TrimPrefix(src, "https://"), "http://")
		}
		p.TileAttributionURL = ""
		p.TileMaxZoom = externalBasemapMaxZoom
	}
	return p
}

// contentSecurityPolicy is the policy of the viewer's pages: everything from this server, images
// also from the external base map when one is configured, and framing only for the embed page.
func (s *Server) contentSecurityPolicy(embed bool) string {
	img := "'self' data:"
	if s.opts.BasemapURL != "" {
		if src, err := basemapSource(s.opts.BasemapURL); err == nil {
			img += " " + src
		}
	}
	ancestors := "'none'"
	if embed {
		ancestors = "*"
	}
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors " + ancestors
}

// ErrBasemapURL means an external base-map URL template cannot be used.
var ErrBasemapURL = errors.New("api: invalid base-map URL")

var basemapHost = regexp.MustCompile(`^(\{s\}\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)

// ValidateBasemapURL checks an external base map's URL template, e.g.
// https://{s}.tile.example.org/{z}/{x}/{y}{r}.png: http or https, a host name (whose first label may
// be {s}), and the {z}, {x} and {y} placeholders.
func ValidateBasemapURL(tmpl string) error {
	_, err := basemapSource(tmpl)
	return err
}

// basemapSource returns the CSP source of a base-map URL template: its scheme and host, with a
// {s} subdomain as a wildcard.
func basemapSource(tmpl string) (string, error) {
	scheme, rest, ok := strings.Cut(tmpl, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return "", fmt.Errorf("%w: %q: want an http or https URL template such as https://tile.example.org/{z}/{x}/{y}.png", ErrBasemapURL, tmpl)
	}
	host, _, _ := strings.Cut(rest, "/")
	if !basemapHost.MatchString(host) {
		return "", fmt.Errorf("%w: %q: the host %q is not a host name (only its first label may be {s})", ErrBasemapURL, tmpl, host)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(rest, p) {
			return "", fmt.Errorf("%w: %q: the template lacks %s", ErrBasemapURL, tmpl, p)
		}
	}
	if strings.ContainsAny(tmpl, " \t\r\n;,'\"<>\\") {
		return "", fmt.Errorf("%w: %q: the template holds spaces, quotes or separators", ErrBasemapURL, tmpl)
	}
	if after, ok := strings.CutPrefix(host, "{s}."); ok {
		host = "*." + after
	}
	return scheme + "://" + host, nil
}

// assetTypes are the media types of the viewer's files; others get mime's guess.
var assetTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
	"":      "text/plain; charset=utf-8", // LICENSE
}

// handleAsset serves GET /web/{path}: the viewer's static files, with /web/@<version>/{path} as the
// long-cached form. Paths that are not clean (.., empty or dot segments, encoded slashes) are a 400;
// anything not built in is a 404.
func (s *Server) handleAsset(c echo.Context) error {
	raw := c.Param("*")
	p, err := url.PathUnescape(raw)
	if err != nil {
		return problemf(http.StatusBadRequest, "the asset path %q is not valid", raw)
	}
	cacheControl := assetCacheControl
	if rest, ok := strings.CutPrefix(p, "@"); ok {
		version, file, _ := strings.Cut(rest, "/")
		p = file
		if version == assetVersion() {
			cacheControl = versionedCacheControl
		} else {
			// A page from another build: serve what there is now, but do not keep it.
			cacheControl = pageCacheControl
		}
	}
	if !fs.ValidPath(p) || p == "." || strings.Contains(p, "\\") {
		return problemf(http.StatusBadRequest, "the asset path %q is not a clean relative path", raw)
	}
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return problemf(http.StatusBadRequest, "the asset path %q is not a clean relative path", raw)
		}
	}
	key := keyOf("web:asset:"+p).with("assets", assetVersion()).with("cc", cacheControl)
	return s.send(c, key, func() (*response, error) {
		body, err := fs.ReadFile(web.Assets(), p)
		if err != nil {
			return nil, problemf(http.StatusNotFound, "no asset %q", p)
		}
		r := newResponse(assetType(p), body)
		r.cacheControl = cacheControl
		return r, nil
	})
}

func assetType(p string) string {
	ext := path.Ext(p)
	if t, ok := assetTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
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
