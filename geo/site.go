// Package geo holds dcatlas's domain: data-center sites, their dated events, the status of a site
// at a date, filters, timelines and extents. It does no I/O.
package geo

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Status is what an event moves a site to.
type Status string

// The statuses of a site, in their usual order of life.
const (
	StatusAnnounced Status = "announced"
	StatusActive    Status = "active"
	StatusClosing   Status = "closing"
	StatusClosed    Status = "closed"
)

// Statuses returns every status in their usual order of life.
func Statuses() [4]Status {
	return [4]Status{StatusAnnounced, StatusActive, StatusClosing, StatusClosed}
}

// ErrInvalidStatus means a status is not one of Statuses.
var ErrInvalidStatus = errors.New("geo: invalid status")

// ParseStatus returns the status named s.
func ParseStatus(s string) (Status, error) {
	all := Statuses()
	return parseName(s, all[:], ErrInvalidStatus)
}

// parseName returns the member of all named s, or err naming what is accepted.
func parseName[T ~string](s string, all []T, err error) (T, error) {
	names := make([]string, len(all))
	for i, v := range all {
		if string(v) == s {
			return v, nil
		}
		names[i] = string(v)
	}
	return "", fmt.Errorf("%w: %q (accepted: %s)", err, s, strings.Join(names, ", "))
}

// InService reports whether a site in this status serves customers: active or closing.
func (s Status) InService() bool { return s == StatusActive || s == StatusClosing }

// CanFollow reports whether a site may move from status prev to s without a note saying it reopened.
// An empty prev means s is the site's first event.
func (s Status) CanFollow(prev Status) bool {
	switch prev {
	case "":
		return s == StatusAnnounced || s == StatusActive
	case StatusAnnounced:
		return s == StatusAnnounced || s == StatusActive || s == StatusClosed
	case StatusActive:
		return s == StatusActive || s == StatusClosing || s == StatusClosed
	case StatusClosing:
		return s == StatusClosing || s == StatusClosed
	}
	return false
}

// Source is a publication that supports an event: a news article, a document, a code history.
type Source struct {
	Key       string `json:"-"`
	Title     string `json:"title"`
	Publisher string `json:"publisher"`
	Date      Date   `json:"date"`
	URL       string `json:"url,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Event is a dated change in a site's life, as a source reports it.
type Event struct {
	Date    Date      `json:"date"`
	Status  Status    `json:"status"`
	Note    string    `json:"note"`
	Sources []*Source `json:"sources"`
}

// Site is one data-center location, usually a cloud region, with its events in order.
type Site struct {
	ID          string
	Provider    string
	Region      string // the provider's region code; empty when none is known yet
	Name        string
	City        string
	Country     string // ISO 3166-1 alpha-2
	Point       orb.Point
	Kind        Kind
	Partner     string
	Zones       int // availability zones, 0 when unknown
	ZonesSource *Source
	Notes       string
	Events      []Event
	// FormerIDs are ids the site was published under before: links to them still lead here.
	FormerIDs []string
}

// First returns the site's first event with the given status, or nil.
func (s *Site) First(st Status) *Event {
	for i := range s.Events {
		if s.Events[i].Status == st {
			return &s.Events[i]
		}
	}
	return nil
}

// Matches reports whether the text query q occurs, ignoring case, in the site's name, city, region
// code or id. An empty query matches every site.
func (s *Site) Matches(q string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, f := range [...]string{s.Name, s.City, s.Region, s.ID} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// MaxIDLength is the longest site id.
const MaxIDLength = 64

// ValidID reports whether id is a well-formed site id: lowercase letters and digits in groups
// joined by single hyphens, at most MaxIDLength long, e.g. alibaba-cn-hangzhou.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && id[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// Kind says who a site serves and who runs it.
type Kind string

// The kinds of site.
const (
	// KindPublic is a region open to any customer and run by the provider: the default.
	KindPublic Kind = "public"
	// KindGovernment is a region only for government customers, such as AWS GovCloud.
	KindGovernment Kind = "government"
	// KindSovereign is a region run under a local trustee or for a sovereignty promise, such as
	// Microsoft Cloud Deutschland.
	KindSovereign Kind = "sovereign"
	// KindPartner is a region operated by a local partner company, such as AWS China or Azure
	// operated by 21Vianet.
	KindPartner Kind = "partner"
)

// Meaning says what the kind means, for readers: "for government customers only".
func (k Kind) Meaning() string {
	switch k {
	case KindPublic:
		return "open to any customer, run by the provider"
	case KindGovernment:
		return "for government customers only"
	case KindSovereign:
		return "run under a local trustee or a sovereignty promise"
	case KindPartner:
		return "operated by a local partner company"
	}
	return ""
}

// Kinds returns every kind of site, the default first.
func Kinds() [4]Kind { return [4]Kind{KindPublic, KindGovernment, KindSovereign, KindPartner} }

// ErrInvalidKind means a kind is not one of Kinds.
var ErrInvalidKind = errors.New("geo: invalid kind")

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	all := Kinds()
	return parseName(s, all[:], ErrInvalidKind)
}

// Provider is a cloud provider whose sites a dataset holds.
type Provider struct {
	ID        string
	Name      string
	ShortName string // for legends and labels, e.g. "AWS"
	URL       string // the provider's home page
	Colour    string // "#rrggbb", the provider's colour on maps and charts
	Notes     string
}

// Dataset is every site the service knows, with its providers. It is immutable once built.
type Dataset struct {
	Version   string // changes whenever any data file changes
	Providers []Provider
	Sites     []Site
}

// Site returns the site with the given id.
func (d *Dataset) Site(id string) (*Site, bool) {
	for i := range d.Sites {
		if d.Sites[i].ID == id {
			return &d.Sites[i], true
		}
	}
	return nil, false
}

// Renamed returns the site that once had the given id, for a site whose id changed.
func (d *Dataset) Renamed(id string) (*Site, bool) {
	for i := range d.Sites {
		if slices.Contains(d.Sites[i].FormerIDs, id) {
			return &d.Sites[i], true
		}
	}
	return nil, false
}

// Provider returns the provider with the given id.
func (d *Dataset) Provider(id string) (*Provider, bool) {
	for i := range d.Providers {
		if d.Providers[i].ID == id {
			return &d.Providers[i], true
		}
	}
	return nil, false
}
