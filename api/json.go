package api

import (
	"bytes"
	"encoding/json"
)

// member is one name and value of a JSON object whose member order matters.
type member struct {
	name  string
	value any
}

// object is a JSON object that keeps its members in order.
type object []member

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := encodeJSON(m.name)
		if err != nil {
			return nil, err
		}
		v, err := encodeJSON(m.value)
		if err != nil {
			return nil, err
		}
		buf.Write(bytes.TrimSuffix(k, []byte("\n")))
		buf.WriteByte(':')
		buf.Write(bytes.TrimSuffix(v, []byte("\n")))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// get returns the value of the named member, or nil.
func (o object) get(name string) any {
	for _, m := range o {
		if m.name == name {
			return m.value
		}
	}
	return nil
}

// link is a web link in an OGC API document.
type link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// encodeJSON encodes v for a response: compact, with a trailing newline and no HTML escaping.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
