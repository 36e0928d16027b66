package api

import (
	"github.com/labstack/echo/v4"

	"dcatlas/geo"
	"dcatlas/geo/render"
)

// historyPath is the whole history in one document, for the web viewer: every site with its dated
// events, so the browser computes the status at any day with the rule of geo (web/status.js), and
// the display vocabulary (status order, labels and colours) from geo/render, its one home.
const historyPath = "/history.json"

func (s *Server) registerHistoryRoutes() {
	s.get(historyPath, s.handleHistory)
}

// historyDoc is the document of /history.json.
type historyDoc struct {
	Version   string            `json:"version"` // the dataset's version
	Today     string            `json:"today"`   // the server's today, the default date
	Statuses  []historyStatus   `json:"statuses"`
	Stack     []geo.Status      `json:"stack"` // the order charts stack statuses, bottom up
	Providers []historyProvider `json:"providers"`
	Sites     []historySite     `json:"sites"`
}

// historyStatus is a status as the viewer shows it, in legend order.
type historyStatus struct {
	Status geo.Status `json:"status"`
	Label  string     `json:"label"`
	Colour string     `json:"colour"`
}

type historyProvider struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"shortName,omitempty"`
	Colour    string `json:"colour,omitempty"`
}

// historySite is a site without its sources and notes, which the viewer fetches when a site is opened.
type historySite struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Provider string      `json:"provider"`
	Region   string      `json:"region,omitempty"`
	City     string      `json:"city"`
	Country  string      `json:"country"`
	Kind     geo.Kind    `json:"kind,omitempty"`
	Partner  string      `json:"partner,omitempty"`
	Zones    int         `json:"zones,omitempty"`
	Lon      float64     `json:"lon"`
	Lat      float64     `json:"lat"`
	Events   [][2]string `json:"events"` // [EDTF date, status], in order
}

// handleHistory serves GET /history.json. It changes with the dataset and the day, and carries an
// ETag, so a browser revalidates it cheaply.
func (s *Server) handleHistory(c echo.Context) error {
	if err := checkParams(c.QueryParams()); err != nil {
		return err
	}
	today := s.today()
	return s.sendJSON(c, keyOf(historyPath).with("today", today), mediaJSON, func() (any, error) {
		doc := historyDoc{Version: s.ds.Version, Today: today.String(), Sites: make([]historySite, 0, len(s.ds.Sites))}
		for _, st := range render.LegendOrder() {
			doc.Statuses = append(doc.Statuses, historyStatus{st, render.StatusLabel(st), render.StatusColor(st).String()})
		}
		stack := render.StackOrder()
		doc.Stack = stack[:]
		for _, p := range s.ds.Providers {
			doc.Providers = append(doc.Providers, historyProvider{p.ID, p.Name, p.ShortName, p.Colour})
		}
		for i := range s.ds.Sites {
			site := &s.ds.Sites[i]
			hs := historySite{ID: site.ID, Name: site.Name, Provider: site.Provider, Region: site.Region, City: site.City,
				Country: site.Country, Kind: site.Kind, Partner: site.Partner, Zones: site.Zones, Lon: site.Point[0], Lat: site.Point[1],
				Events: make([][2]string, len(site.Events))}
			for j, e := range site.Events {
				hs.Events[j] = [2]string{e.Date.String(), string(e.Status)}
			}
			doc.Sites = append(doc.Sites, hs)
		}
		return doc, nil
	})
}
