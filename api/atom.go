package api

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/labstack/echo/v4"

	"dcatlas/geo"
)

// maxFeedEntries bounds a feed; a window with more events lists the newest.
const maxFeedEntries = maxLimit

// tagYear is the date in every tag: URI the service mints (RFC 4151): the year dcatlas began
// minting entry ids. It never changes, or every id would.
const tagYear = "2026"

// handleChangesAtom serves GET /changes.atom: the events of /changes as an Atom 1.0 feed (RFC 4287).
func (s *Server) handleChangesAtom(c echo.Context) error {
	cq, err := s.parseChangesQuery(c.QueryParams(), changeFilterParams()...)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	key := cq.key(c.Path(), base, c.QueryParams())
	m := meta{contentType: mediaAtom + "; charset=utf-8", cacheControl: cq.cacheControl()}
	if done, err := s.headMeta(c, key, m); done {
		return err
	}
	return s.sendWork(c, key, documentWork, func(context.Context) (*response, error) {
		chs := s.ds.Changes(cq.from, cq.to, cq.filter)
		chs = chs[:min(len(chs), maxFeedEntries)]
		self := base + "/changes.atom"
		if enc := c.QueryParams().Encode(); enc != "" {
			self += "?" + enc
		}
		b, err := s.changesFeed(base, self, cq, chs)
		if err != nil {
			return nil, err
		}
		return m.newResponse(b), nil
	})
}

// changesFeed writes the feed. Its updated date, and every entry's, is the dataset's date
// (geo.Dataset.Updated): entries change only when the data does.
func (s *Server) changesFeed(base, self string, cq changesQuery, chs []geo.Change) ([]byte, error) {
	updated := s.ds.Updated().Time().Format(time.RFC3339)
	authority := tagAuthority(base)
	feed := &feeds.AtomFeed{
		Xmlns:    "http://www.w3.org/2005/Atom",
		Title:    fmt.Sprintf("dcatlas: data-center changes %s to %s", cq.from, cq.to),
		Subtitle: "Cloud regions announced, opened, closing and closed, with their sources. An event is listed once it is certain: on the latest day of its date.",
		Id:       self,
		Updated:  updated,
		Link:     &feeds.AtomLink{Href: self, Rel: "self", Type: mediaAtom},
		Author:   &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: "dcatlas", Uri: base + "/"}},
	}
	scheme := kindScheme(base)
	entries := make([]atomEntry, len(chs))
	for i, ch := range chs {
		latest := ch.Event.Date.Latest().String()
		entries[i] = atomEntry{AtomEntry: feeds.AtomEntry{
			Title:   changeTitle(ch),
			Id:      "tag:" + authority + "," + tagYear + ":" + ch.ID(),
			Updated: updated,
			Links: []feeds.AtomLink{
				{Href: base + "/map?" + url.Values{"at": {latest}, "site": {ch.Site.ID}}.Encode(), Rel: "alternate", Type: "text/html"},
				{Href: base + "/collections/" + collectionID + "/items/" + ch.Site.ID + "?at=" + latest, Rel: "related", Type: mediaGeoJSON},
			},
			Content: &feeds.AtomContent{Type: "html", Content: changeHTML(ch)},
		}, Kind: atomCategory{Term: string(ch.Site.Kind), Scheme: scheme, Label: kindLabel(ch.Site.Kind)}}
	}
	var buf bytes.Buffer
	if err := feeds.WriteXML(atomFeed{AtomFeed: feed, Entries: entries}, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// atomFeed is gorilla/feeds' Atom feed with entries that carry a category element as RFC 4287
// §4.2.2 has it (term, scheme and label attributes), which feeds.AtomEntry lacks: its Category is
// element text, which Atom readers ignore.
type atomFeed struct {
	*feeds.AtomFeed
	Entries []atomEntry `xml:"entry"`
}

// FeedXml is what feeds.WriteXML encodes.
func (f atomFeed) FeedXml() any { return f }

// atomEntry is a feed entry with the site's kind as its category.
type atomEntry struct {
	XMLName xml.Name `xml:"entry"`
	feeds.AtomEntry
	Kind atomCategory `xml:"category"`
}

// atomCategory is an Atom category: a term of a scheme (an IRI naming the vocabulary).
type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

// kindScheme is the scheme of the kinds in the feed: the kind property of the sites' queryables,
// a JSON Schema whose enum lists them.
func kindScheme(base string) string {
	return base + "/collections/" + collectionID + "/queryables#/properties/kind"
}

// kindLabel is a kind as a reader shows it, such as "Government region".
func kindLabel(k geo.Kind) string {
	if k == "" {
		return ""
	}
	return strings.ToUpper(string(k[:1])) + string(k[1:]) + " region"
}

// tagAuthority is the host name of the service's base URL, the authority of its tag: URIs. Set
// the base URL so that entry ids do not depend on the name a client used.
func tagAuthority(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// changeTitle is an entry title such as "China (Nanjing): active → closing, 2022-06-02/2026".
func changeTitle(ch geo.Change) string {
	move := string(ch.Event.Status)
	switch ch.Before {
	case "":
	case ch.Event.Status:
		move = "still " + move
	default:
		move = string(ch.Before) + " → " + move
	}
	return fmt.Sprintf("%s: %s, %s", ch.Site.Name, move, ch.Event.Date)
}

// changeHTML is an entry's content: the date window, the note and the sources as links.
func changeHTML(ch geo.Change) string {
	e := ch.Event
	var b strings.Builder
	fmt.Fprintf(&b, "<p>%s (%s): %s on %s", html.EscapeString(ch.Site.Name), html.EscapeString(ch.Site.ID), html.EscapeString(string(e.Status)), html.EscapeString(e.Date.String()))
	if e.Date.Earliest() != e.Date.Latest() {
		fmt.Fprintf(&b, ", between %s and %s", e.Date.Earliest(), e.Date.Latest())
	}
	b.WriteString(".</p>")
	if ch.Site.Kind != "" {
		fmt.Fprintf(&b, "<p>Kind: %s (%s).</p>", html.EscapeString(string(ch.Site.Kind)), html.EscapeString(ch.Site.Kind.Meaning()))
	}
	if e.Note != "" {
		b.WriteString("<p>" + html.EscapeString(e.Note) + "</p>")
	}
	b.WriteString("<p>Sources:</p><ul>")
	for _, src := range e.Sources {
		title := html.EscapeString(src.Title)
		if src.URL != "" {
			title = `<a href="` + html.EscapeString(src.URL) + `">` + title + "</a>"
		}
		fmt.Fprintf(&b, "<li>%s, %s, %s</li>", title, html.EscapeString(src.Publisher), html.EscapeString(src.Date.String()))
	}
	b.WriteString("</ul>")
	return b.String()
}
