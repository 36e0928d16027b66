package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// slogLine is what slog's JSON handler writes for the line.
func slogLine(t testing.TB, l requestLine) string {
	var buf bytes.Buffer
	if err := slog.NewJSONHandler(&buf, nil).Handle(context.Background(), l.record()); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestRequestLineIsSlogJSON(t *testing.T) {
	end := time.Date(2026, 12, 5, 0, 19, 7, 123456789, time.UTC)
	for _, l := range []requestLine{
		{end: end, method: "GET", path: "/timeline", status: 200, size: 21224, elapsed: 41},
		{end: end.Truncate(time.Second), method: "HEAD", path: "/", query: "a=1&b=%22", status: 304},
		{end: end.In(time.FixedZone("x", 5*3600+1800)), method: "GET", path: "/collections/sites/items", query: "q=\"<script>&amp;\"", status: 400, size: 312, elapsed: 1 << 40},
		{end: end, method: "G\x00T", path: "/a\\b\n\r\t\x1f\x7f", query: "é\u2028\u2029\xff\xfe€😀", status: 999, size: -1, elapsed: -5},
		{end: end, path: strings.Repeat("ü", 3000)},
	} {
		want := slogLine(t, l)
		got := string(l.appendJSON(nil))
		if got != want {
			t.Errorf("line\n got %q\nwant %q", got, want)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(got), &v); err != nil {
			t.Errorf("%q: not JSON: %v", got, err)
		}
	}
}

func FuzzRequestLine(f *testing.F) {
	f.Add("GET", "/timeline", "until=2020-01-01", 200, int64(21224), int64(41), int64(1764893947123456789))
	f.Add("HEAD", "/a\u2028\xff\"\\", "<&>", 404, int64(0), int64(-1), int64(0))
	f.Fuzz(func(t *testing.T, method, path, query string, status int, size, elapsed, unixNano int64) {
		// Nanoseconds since 1970 in an int64 span 1677–2262: never slog's zero time nor a year past 9999.
		l := requestLine{end: time.Unix(0, unixNano).UTC(), method: method, path: path, query: query, status: status, size: size, elapsed: elapsed}
		if got, want := string(l.appendJSON(nil)), slogLine(t, l); got != want {
			t.Errorf("line\n got %q\nwant %q", got, want)
		}
	})
}

// TestRequestLogWriter checks that a server given a request log writes its lines there, one per
// request, and nothing through its logger.
func TestRequestLogWriter(t *testing.T) {
	var lines, other bytes.Buffer
	s := newTestServer(t, Options{RequestLog: &lines, Logger: slog.New(slog.NewJSONHandler(&other, nil))})
	for _, target := range []string{"/timeline", "/timeline", "/collections/sites/items?bbox=x"} {
		get(t, s, target)
	}
	got := strings.Split(strings.TrimSuffix(lines.String(), "\n"), "\n")
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(got), lines.String())
	}
	var last struct {
		Msg, Path, Query string
		Status           int
	}
	if err := json.Unmarshal([]byte(got[2]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Msg != "request" || last.Path != "/collections/sites/items" || last.Query != "bbox=x" || last.Status != http.StatusBadRequest {
		t.Errorf("last line %s", got[2])
	}
	if strings.Contains(other.String(), `"msg":"request"`) {
		t.Errorf("request lines also went to the logger:\n%s", other.String())
	}
}
