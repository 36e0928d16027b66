package nginxtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// errorsOf is a testing.TB that keeps what Errorf says instead of failing.
type errorsOf struct {
	testing.TB
	said []string
}

func (e *errorsOf) Errorf(format string, args ...any) {
	e.said = append(e.said, fmt.Sprintf(format, args...))
}

// TestOffsiteNamesOtherHosts loads, under nginx, a page that asks four other hosts for an image,
// a fetch, a popup and a WebSocket, besides its own file, a data: image and a blob:, and checks
// that Offsite names each of the four, and only them; and that the browser's proxy hears those
// and what Offsite cannot: a worker's fetch. It needs Chromium and nginx.
func TestOffsiteNamesOtherHosts(t *testing.T) {
	chromium, nginx := Tools(t)
	root, err := os.MkdirTemp("", "dcatlas-offsite-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	www := filepath.Join(root, "www")
	page := `<!doctype html><title>elsewhere</title>
<img src="http://example.org/x.png" alt="">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<img src="own.svg" alt="">
<script>
fetch(URL.createObjectURL(new Blob(['local']))).catch(() => {});
fetch('https://cdn.example.net/lib.js').catch(() => {});
window.open('http://popup.example.com/page', '_blank');
new Worker('w.js');
try { new WebSocket('ws://socket.example.org/s'); } catch (e) {}
</script>`
	worker := `fetch('http://worker.example.org/w').catch(() => {});`
	for name, body := range map[string]string{"index.html": page, "own.svg": `<svg xmlns="http://www.w3.org/2000/svg"/>`, "w.js": worker} {
		if err := os.MkdirAll(www, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(www, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := Serve(t, nginx, root, www)
	proxy := startRefusingProxy(t)
	tab, cancel := chromedp.NewContext(launch(t, chromium, proxy, 800, 600, time.Minute))
	defer cancel()
	off := NewOffsite(base)
	if err := off.Watch(tab); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/index.html")); err != nil {
		t.Fatal(err)
	}
	want := []string{"http://example.org/x.png", "https://cdn.example.net/lib.js", "http://popup.example.com/page", "ws://socket.example.org/s"}
	// Wait (at most 30 s, on a busy machine) until each is heard and the requests have failed.
	heard := func() []string {
		var urls []string
		for _, r := range off.Requests() {
			if r.Failure != "" || strings.HasPrefix(r.From, "a ") {
				urls = append(urls, r.URL)
			}
		}
		return urls
	}
	for i := 0; i < 600 && !containsAll(heard(), want); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	for _, r := range off.Requests() {
		if !slices.Contains(want, r.URL) {
			t.Errorf("Offsite kept %s, which is not another host's", r)
		}
		if strings.HasPrefix(r.URL, "http://example.org/") && (r.From != base+"/index.html" || !strings.HasPrefix(r.Failure, "net::ERR_")) {
			t.Errorf("the image's request: %s; want it from the page, failed", r)
		}
	}
	rec := &errorsOf{TB: t}
	off.Check(rec)
	for _, u := range want {
		if !slices.ContainsFunc(rec.said, func(s string) bool { return strings.Contains(s, " for "+u+" (from ") }) {
			t.Errorf("Check does not name %s; it says %q", u, rec.said)
		}
	}
	t.Logf("Check says:\n%s", strings.Join(rec.said, "\n"))

	// The proxy hears them too, and the worker's fetch and the socket, which Offsite does not.
	wantAsked := []string{"http://example.org/x.png", "CONNECT cdn.example.net:443", "http://popup.example.com/page",
		"http://worker.example.org/w", "CONNECT socket.example.org:80"}
	for i := 0; i < 600 && !containsAll(proxy.Asked(), wantAsked); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if asked := proxy.Asked(); !containsAll(asked, wantAsked) {
		t.Errorf("the proxy was asked for %q; want all of %q", asked, wantAsked)
	}
	rec = &errorsOf{TB: t}
	proxy.check(rec)
	if len(rec.said) < len(wantAsked) || !strings.Contains(strings.Join(rec.said, "\n"), "worker.example.org") {
		t.Errorf("the proxy's check says %q", rec.said)
	}
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
