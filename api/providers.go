package api

import (
	"context"

	"github.com/labstack/echo/v4"

	"dcatlas/geo"
)

func (s *Server) registerProviderRoutes() {
	s.get("/providers", s.handleProviders)
}

// providersParams are the parameters /providers accepts: the site filters, which the counts obey.
func providersParams() []string { return append(filterParams(), paramF) }

// handleProviders serves GET /providers: every provider of the dataset with its metadata (name,
// short name, colour, home page, notes) and the counts of its sites at a date, per status and per
// kind, for legends and the race.
func (s *Server) handleProviders(c echo.Context) error {
	sq, err := s.parseJSONSiteQuery(c.QueryParams(), providersParams()...)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	key := keyOf(c.Path()).with("base", base).withQuery(sq)
	m := meta{contentType: mediaJSON, cacheControl: sq.cacheControl()}
	if done, err := s.headMeta(c, key, m); done {
		return err
	}
	return s.sendWork(c, key, documentWork, func(context.Context) (*response, error) {
		counts := make(map[string]*geo.Counts, len(s.ds.Providers))
		kinds := make(map[string]map[geo.Kind]int, len(s.ds.Providers))
		for _, p := range s.ds.Providers {
			counts[p.ID] = &geo.Counts{}
			kinds[p.ID] = map[geo.Kind]int{}
		}
		var all geo.Counts
		for _, m := range s.ds.Select(sq.at, sq.filter) {
			counts[m.Site.Provider].Add(m.State)
			kinds[m.Site.Provider][m.Site.Kind]++
			all.Add(m.State)
		}
		list := make([]object, 0, len(s.ds.Providers))
		for _, p := range s.ds.Providers {
			byKind := object{}
			for _, k := range geo.Kinds() {
				byKind = append(byKind, member{string(k), kinds[p.ID][k]})
			}
			list = append(list, object{
				{"id", p.ID},
				{"name", p.Name},
				{"short_name", p.ShortName},
				{"colour", p.Colour},
				{"url", p.URL},
				{"counts", *counts[p.ID]},
				{"in_service", counts[p.ID].InService()},
				{"kinds", byKind},
				{"notes", orNil(p.Notes)},
				{"links", []link{
					{Href: base + "/collections/" + collectionID + "/items?" + paramProvider + "=" + p.ID, Rel: relItems, Type: mediaGeoJSON, Title: "Sites of " + p.Name},
					{Href: p.URL, Rel: "related", Type: "text/html", Title: p.Name + " home page"},
				}},
			})
		}
		doc := object{
			{"at", sq.at.String()},
			{"counts", all},
			{"providers", list},
			{"links", []link{{Href: base + "/providers", Rel: relSelf, Type: mediaJSON, Title: "This document"}}},
		}
		b, err := encodeJSON(doc)
		if err != nil {
			return nil, err
		}
		return m.newResponse(b), nil
	})
}
