package api

import (
	"context"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"dcatlas/geo"
)

func (s *Server) registerTimelineRoutes() {
	s.get("/timeline", s.handleTimeline)
}

// timelineParams are the parameters /timeline accepts.
func timelineParams() []string {
	return []string{paramUntil, paramStatus, paramProvider, paramKind, paramCountry, paramQ, paramBbox, paramDatetime, paramBy, paramF}
}

// handleTimeline serves GET /timeline: counts per status at every change and per year, for charts.
func (s *Server) handleTimeline(c echo.Context) error {
	q := c.QueryParams()
	if q.Has(paramAt) {
		return badParam(paramAt, "until=YYYY-MM-DD", "the timeline takes until, not at")
	}
	sq, err := s.parseJSONSiteQuery(q, timelineParams()...)
	if err != nil {
		return err
	}
	until := sq.at // today
	if q.Has(paramUntil) {
		if until, err = parseUntil(q.Get(paramUntil)); err != nil {
			return err
		}
	}
	byProvider := false
	if q.Has(paramBy) {
		if byProvider, err = parseBy(q.Get(paramBy)); err != nil {
			return err
		}
	}
	key := keyOf(c.Path()).withQuery(sq).with("until", until).with("by", q.Get(paramBy))
	m := meta{contentType: mediaJSON}
	if done, err := s.headMeta(c, key, m); done {
		return err
	}
	return s.sendWork(c, key, documentWork, func(ctx context.Context) (*response, error) {
		tl := s.ds.Timeline(sq.filter, until)
		doc := object{{"until", until.String()}, {"changes", tl.Changes}, {"years", tl.Years}}
		if byProvider {
			var per []object
			for i, ptl := range s.ds.ProviderTimelines(sq.filter, until) {
				p := s.ds.Providers[i]
				if len(sq.filter.Providers) > 0 && !slices.Contains(sq.filter.Providers, p.ID) {
					continue
				}
				per = append(per, object{{"provider", p.ID}, {"name", p.Name}, {"short_name", p.ShortName}, {"colour", p.Colour},
					{"changes", ptl.Changes}, {"years", ptl.Years}})
			}
			doc = append(doc, member{"providers", per})
		}
		b, err := encodeJSON(doc)
		if err != nil {
			return nil, err
		}
		return m.newResponse(b), nil
	})
}

// parseJSONSiteQuery checks that q holds only the allowed parameters, and f=json if any format,
// and parses its site filters: the query of an answer that is JSON only.
func (s *Server) parseJSONSiteQuery(q url.Values, allowed ...string) (siteQuery, error) {
	if err := checkParams(q, allowed...); err != nil {
		return siteQuery{}, err
	}
	if q.Has(paramF) && q.Get(paramF) != "json" {
		return siteQuery{}, badParam(paramF, "json", "unknown format %q", q.Get(paramF))
	}
	return s.parseSiteQuery(pick(q, filterParams()...), filterParams()...)
}

// lastUntil is the latest day a timeline may run to: the yearly counts grow with it.
const lastUntil = "2100-12-31"

// parseUntil parses the last day of a timeline, at most lastUntil.
func parseUntil(v string) (geo.Day, error) {
	d, err := parseDayParam(paramUntil, v)
	if err != nil {
		return 0, err
	}
	if d.String() > lastUntil {
		return 0, badParam(paramUntil, "a date YYYY-MM-DD up to "+lastUntil, "until %s is too far ahead", v)
	}
	return d, nil
}
