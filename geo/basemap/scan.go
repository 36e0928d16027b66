package basemap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// scanner is a small JSON reader for the bulk of a TopoJSON file: it walks
// object members, skips values it does not need without decoding them, and
// parses the arcs straight into points. That is several times faster than
// encoding/json for the megabytes of arcs in a 1:10m topology; the small
// parts (transform, the wanted object) go through encoding/json.
type scanner struct {
	data []byte
	pos  int
}

var (
	errSyntax    = errors.New("JSON syntax error")
	errArcShape  = errors.New("want an array of arrays of positions")
	errMaxDepth  = errors.New("JSON nested too deeply")
	errEmptyArc  = errors.New("empty arc")
	errShortArc  = errors.New("position needs two numbers")
	errNotNumber = errors.New("want a number")
)

// maxDepth bounds the nesting skipValue accepts.
const maxDepth = 10000

// members reads a JSON object, calling fn with the scanner just past each
// key's colon; fn must consume the member's value.
func (s *scanner) members(fn func(key string) error) error {
	if !s.consume('{') {
		return errSyntax
	}
	if s.consume('}') {
		return nil
	}
	for {
		s.skipSpace()
		raw, err := s.skipString()
		if err != nil {
			return err
		}
		var key string
		if err := json.Unmarshal(raw, &key); err != nil {
			return err
		}
		if !s.consume(':') {
			return errSyntax
		}
		if err := fn(key); err != nil {
			return err
		}
		if s.consume('}') {
			return nil
		}
		if !s.consume(',') {
			return errSyntax
		}
	}
}

// skipValue skips one JSON value and returns its bytes. Strings and
// nesting are followed; literals and numbers are only delimited, not checked.
func (s *scanner) skipValue() ([]byte, error) {
	s.skipSpace()
	start := s.pos
	var stack []byte // the closing brackets expected, innermost last
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch c {
		case '"':
			if _, err := s.skipString(); err != nil {
				return nil, err
			}
		case '[', '{':
			if len(stack) == maxDepth {
				return nil, errMaxDepth
			}
			stack = append(stack, c+2) // ']' is '['+2 and '}' is '{'+2
			s.pos++
		case ']', '}':
			if len(stack) == 0 {
				return s.value(start) // the end of the enclosing container
			}
			if stack[len(stack)-1] != c {
				return nil, errSyntax
			}
			stack = stack[:len(stack)-1]
			s.pos++
		case ',', ':', ' ', '\t', '\n', '\r':
			if len(stack) == 0 {
				return s.value(start) // the end of a literal or number
			}
			s.pos++
		default:
			s.pos++
		}
		if len(stack) == 0 && (c == '"' || c == ']' || c == '}') {
			return s.value(start) // a whole string or container
		}
	}
	if len(stack) != 0 {
		return nil, errSyntax
	}
	return s.value(start)
}

// value returns the bytes from start to the current position, which must
// not be empty.
func (s *scanner) value(start int) ([]byte, error) {
	if s.pos == start {
		return nil, errSyntax
	}
	return s.data[start:s.pos], nil
}

// skipString skips a JSON string starting at the current position and
// returns it, quotes included.
func (s *scanner) skipString() ([]byte, error) {
	start := s.pos
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, errSyntax
	}
	for s.pos++; s.pos < len(s.data); s.pos++ {
		switch s.data[s.pos] {
		case '\\':
			s.pos++
		case '"':
			s.pos++
			return s.data[start:s.pos], nil
		}
	}
	return nil, errSyntax
}

// arcs parses an array of arcs into lon/lat line strings, all sharing one
// backing array.
func (s *scanner) arcs(q quantizer) ([]orb.LineString, error) {
	if !s.consume('[') {
		return nil, errArcShape
	}
	var (
		arcs   []orb.LineString
		starts []int
		pts    = make([]orb.Point, 0, bytes.Count(s.data, []byte{'['})) // an upper bound
	)
	if !s.consume(']') {
		for {
			starts = append(starts, len(pts))
			var err error
			if pts, err = s.arc(q, pts); err != nil {
				return nil, fmt.Errorf("arc %d: %w", len(starts)-1, err)
			}
			if s.consume(']') {
				break
			}
			if !s.consume(',') {
				return nil, errArcShape
			}
		}
	}
	arcs = make([]orb.LineString, len(starts))
	for i, start := range starts {
		end := len(pts)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		arcs[i] = orb.LineString(pts[start:end:end])
	}
	return arcs, nil
}

// arc parses one arc, appending its positions to pts.
func (s *scanner) arc(q quantizer, pts []orb.Point) ([]orb.Point, error) {
	if !s.consume('[') {
		return nil, errArcShape
	}
	if s.consume(']') {
		return nil, errEmptyArc
	}
	var x, y float64
	for n := 0; ; n++ {
		if !s.consume('[') {
			return nil, errArcShape
		}
		a, err := s.number()
		if err != nil {
			return nil, err
		}
		if !s.consume(',') {
			return nil, errShortArc
		}
		b, err := s.number()
		if err != nil {
			return nil, err
		}
		for s.consume(',') { // extra dimensions are ignored
			if _, err := s.number(); err != nil {
				return nil, err
			}
		}
		if !s.consume(']') {
			return nil, errArcShape
		}
		if q.delta {
			x, y = x+a, y+b
		} else {
			x, y = a, b
		}
		lon, lat := x*q.sx+q.tx, y*q.sy+q.ty
		if !(math.Abs(lon) <= 180+coordSlack && math.Abs(lat) <= 90+coordSlack) {
			return nil, fmt.Errorf("position %d: lon/lat %g, %g out of range", n, lon, lat)
		}
		pts = append(pts, orb.Point{max(-180, min(180, lon)), max(-90, min(90, lat))})
		if s.consume(']') {
			return pts, nil
		}
		if !s.consume(',') {
			return nil, errArcShape
		}
	}
}

// number parses a JSON number; small integers, the common case in quantized
// topologies, take a fast path.
func (s *scanner) number() (float64, error) {
	s.skipSpace()
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' && (c < '0' || c > '9') {
			break
		}
		s.pos++
	}
	tok := s.data[start:s.pos]
	if len(tok) == 0 {
		return 0, errNotNumber
	}
	if digits, neg := tok, false; len(tok) < 16 {
		if digits[0] == '-' {
			digits, neg = digits[1:], true
		}
		n, ok := 0, len(digits) > 0
		for _, c := range digits {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int(c-'0')
		}
		if ok {
			if neg {
				n = -n
			}
			return float64(n), nil
		}
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return 0, errNotNumber
	}
	return f, nil
}

// consume skips white space and then c, reporting whether c was there.
func (s *scanner) consume(c byte) bool {
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// atEnd skips white space and reports whether the input is exhausted.
func (s *scanner) atEnd() bool {
	s.skipSpace()
	return s.pos == len(s.data)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}
