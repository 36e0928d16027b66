package api

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/country"
)

// checkParams rejects parameters not in allowed, repeated parameters, and values that are too long
// or not UTF-8: OGC API – Features asks for a 400 on unknown parameters, and nothing is ignored.
func checkParams(q url.Values, allowed ...string) error {
	for name, vals := range q {
		if !slices.Contains(allowed, name) {
			return badParam(name, "one of: "+strings.Join(allowed, ", "), "unknown query parameter %q", name)
		}
		if len(vals) > 1 {
			return badParam(name, "the parameter once", "parameter %q is given %d times", name, len(vals))
		}
		if !utf8.ValidString(vals[0]) {
			return badParam(name, "UTF-8 text", "parameter %q is not valid UTF-8", name)
		}
		if len(vals[0]) > 1000 {
			return badParam(name, "at most 1000 bytes", "parameter %q is %d bytes long", name, len(vals[0]))
		}
	}
	return nil
}

const acceptedDay = "a date YYYY-MM-DD (e.g. 2018-09-01)"

// parseDayParam parses a calendar day given as YYYY-MM-DD.
func parseDayParam(name, v string) (geo.Day, error) {
	d, err := geo.ParseDay(v)
	if err != nil {
		return 0, badParam(name, acceptedDay, "%q is not a date", v)
	}
	return d, nil
}

const acceptedBbox = "four comma-separated numbers minLon,minLat,maxLon,maxLat in WGS 84, with min ≤ max, longitudes in -180..180 and latitudes in -90..90"

// parseBbox parses minLon,minLat,maxLon,maxLat.
func parseBbox(v string) (orb.Bound, error) {
	if c := strings.Count(v, ",") + 1; c != 4 {
		return orb.Bound{}, badParam(paramBbox, acceptedBbox, "bbox has %d values, want 4", c)
	}
	n, bad, ok := parseNumbers(v)
	if !ok {
		return orb.Bound{}, badParam(paramBbox, acceptedBbox, "bbox value %q is not a number", bad)
	}
	switch {
	case n[0] < -180 || n[2] > 180 || n[0] > 180 || n[2] < -180:
		return orb.Bound{}, badParam(paramBbox, acceptedBbox, "bbox longitude out of range")
	case n[1] < -90 || n[3] > 90 || n[1] > 90 || n[3] < -90:
		return orb.Bound{}, badParam(paramBbox, acceptedBbox, "bbox latitude out of range")
	case n[0] > n[2] || n[1] > n[3]:
		return orb.Bound{}, badParam(paramBbox, acceptedBbox, "bbox is reversed: its minimum is greater than its maximum")
	}
	return orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}, nil
}

// parseNumbers parses comma-separated finite numbers; when one is not, it returns it as bad.
func parseNumbers(v string) (n []float64, bad string, ok bool) {
	for _, p := range strings.Split(v, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, p, false
		}
		n = append(n, x)
	}
	return n, "", true
}

const acceptedDatetime = "an RFC 3339 date or date-time (2018-09-01 or 2018-09-01T00:00:00Z), or an interval A/B where either end may be .. or empty for open"

// parseDatetime parses the OGC datetime parameter: an instant or an interval with open ends.
func parseDatetime(v string) (geo.Interval, error) {
	a, b, isInterval := strings.Cut(v, "/")
	if !isInterval {
		d, err := parseInstant(a)
		if err != nil {
			return geo.Interval{}, err
		}
		return geo.Interval{From: d, To: d}, nil
	}
	var iv geo.Interval
	var err error
	if a == ".." || a == "" {
		iv.OpenFrom = true
	} else if iv.From, err = parseInstant(a); err != nil {
		return geo.Interval{}, err
	}
	if b == ".." || b == "" {
		iv.OpenTo = true
	} else if iv.To, err = parseInstant(b); err != nil {
		return geo.Interval{}, err
	}
	switch {
	case iv.OpenFrom && iv.OpenTo:
		return geo.Interval{}, badParam(paramDatetime, acceptedDatetime, "an interval needs at least one end")
	case !iv.OpenFrom && !iv.OpenTo && iv.To < iv.From:
		return geo.Interval{}, badParam(paramDatetime, acceptedDatetime, "the interval ends before it starts")
	}
	return iv, nil
}

func parseInstant(v string) (geo.Day, error) {
	if d, err := geo.ParseDay(v); err == nil {
		return d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return 0, badParam(paramDatetime, acceptedDatetime, "%q is not an RFC 3339 date or date-time", v)
	}
	return geo.DayFromTime(t), nil
}

const acceptedLimit = "a whole number from 1; values above 1000 are served as 1000"

// parseLimit parses limit, clamping large values to maxLimit.
func parseLimit(v string) (int, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && !strings.HasPrefix(v, "-") {
			return maxLimit, nil
		}
		return 0, badParam(paramLimit, acceptedLimit, "%q is not a whole number", v)
	}
	if n < 1 {
		return 0, badParam(paramLimit, acceptedLimit, "limit must be at least 1, got %d", n)
	}
	return int(min(n, maxLimit)), nil
}

// maxOffset bounds offset, so that offset+limit cannot overflow.
const maxOffset = 1_000_000_000

const acceptedOffset = "a whole number from 0 to 1000000000"

func parseOffset(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxOffset {
		return 0, badParam(paramOffset, acceptedOffset, "%q is not a whole number from 0 to %d", v, maxOffset)
	}
	return n, nil
}

// parseList splits a comma-separated parameter, rejecting empty items.
func parseList(name, v, accepted string) ([]string, error) {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, badParam(name, accepted, "empty item in the list %q", v)
		}
	}
	slices.Sort(parts)
	return slices.Compact(parts), nil
}

const acceptedStatus = "a comma-separated list of announced, active, closing, closed"

func parseStatuses(v string) ([]geo.Status, error) {
	names, err := parseList(paramStatus, v, acceptedStatus)
	if err != nil {
		return nil, err
	}
	out := make([]geo.Status, 0, len(names))
	for _, n := range names {
		st, err := geo.ParseStatus(n)
		if err != nil {
			return nil, badParam(paramStatus, acceptedStatus, "unknown status %q", n)
		}
		out = append(out, st)
	}
	return out, nil
}

// parseBy parses the breakdown of a timeline: only by=provider, the race.
func parseBy(v string) (bool, error) {
	if v != "provider" {
		return false, badParam(paramBy, "provider", "cannot break the timeline down by %q", v)
	}
	return true, nil
}

const acceptedKind = "a comma-separated list of public, government, sovereign, partner"

func parseKinds(v string) ([]geo.Kind, error) {
	names, err := parseList(paramKind, v, acceptedKind)
	if err != nil {
		return nil, err
	}
	out := make([]geo.Kind, 0, len(names))
	for _, n := range names {
		k, err := geo.ParseKind(n)
		if err != nil {
			return nil, badParam(paramKind, acceptedKind, "unknown kind %q", n)
		}
		out = append(out, k)
	}
	return out, nil
}

const acceptedCountry = "a comma-separated list of ISO 3166-1 alpha-2 codes, e.g. CN,HK,SG"

func parseCountries(v string) ([]string, error) {
	codes, err := parseList(paramCountry, strings.ToUpper(v), acceptedCountry)
	if err != nil {
		return nil, err
	}
	for _, c := range codes {
		if _, ok := country.Lookup(c); !ok {
			return nil, badParam(paramCountry, acceptedCountry, "unknown country code %q", c)
		}
	}
	return codes, nil
}

// parseProviders parses a list of the ids of providers.
func parseProviders(v string, providers []geo.Provider) ([]string, error) {
	ids := make([]string, len(providers))
	for i, p := range providers {
		ids[i] = p.ID
	}
	accepted := "a comma-separated list of provider ids: " + strings.Join(ids, ", ")
	names, err := parseList(paramProvider, v, accepted)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !slices.Contains(ids, n) {
			return nil, badParam(paramProvider, accepted, "unknown provider %q", n)
		}
	}
	return names, nil
}

const acceptedBool = "true, false, 1 or 0"

func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, badParam(name, acceptedBool, "%q is not a boolean", v)
}

func parseQuery(v string) (string, error) {
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > maxQueryLen {
		return "", badParam(paramQ, "text of at most 200 characters", "q is too long")
	}
	return v, nil
}
