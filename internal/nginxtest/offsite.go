package nginxtest

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Offsite keeps what Chromium asks of hosts other than one origin's (the test's nginx, or its
// server), heard from Chromium's own events: each request of a tab it watches (the network
// domain), and each page or frame such a tab opens on another host (the target domain), whose own
// requests it does not hear. Browser lets no such request through, so without Offsite it would
// fail unseen. data:, blob: and about: URLs name no host and are not kept. It does not hear
// workers, whose sessions chromedp keeps apart: Browser's proxy does. It is safe for concurrent
// use.
type Offsite struct {
	origin, host string
	mu           sync.Mutex
	reqs         []*OffsiteRequest
	byID         map[network.RequestID]*OffsiteRequest
	tabs         map[target.ID]bool // the tabs watched, whose popups and frames count
}

// OffsiteRequest is one request to another host.
type OffsiteRequest struct {
	URL     string
	From    string // the document that made it, or what the browser opened ("a new page")
	Failure string // Chromium's error when it failed, such as net::ERR_NAME_NOT_RESOLVED
}

// String names the request, where it came from and how it failed.
func (r OffsiteRequest) String() string {
	s := r.URL + " (from " + r.From
	if r.Failure != "" {
		s += ": " + r.Failure
	}
	return s + ")"
}

// NewOffsite returns an Offsite for the origin, such as http://127.0.0.1:8080, that keeps nothing
// yet: see Watch, or pass Listen to chromedp.WithListener.
func NewOffsite(origin string) *Offsite {
	host := origin
	if u, err := url.Parse(origin); err == nil && u.Host != "" {
		host = u.Host
	}
	return &Offsite{origin: origin, host: host, byID: map[network.RequestID]*OffsiteRequest{}, tabs: map[target.ID]bool{}}
}

// WatchTab watches the tab of ctx (see Watch) and, when the test ends, fails it naming each
// request to a host other than origin's.
func WatchTab(t testing.TB, ctx context.Context, origin string) *Offsite {
	t.Helper()
	o := NewOffsite(origin)
	if err := o.Watch(ctx); err != nil {
		t.Fatalf("watching the tab's requests: %v", err)
	}
	t.Cleanup(func() { o.Check(t) })
	return o
}

// Watch makes o hear, until ctx ends, the network events of the tab of ctx (a chromedp context,
// whose tab opens if it is not open yet) with its network domain enabled, and the browser's
// target events: a page the tab opens (window.open, a link to a new window) or a frame of it
// that runs apart, on another host, is kept too. Watch before the tab navigates to hear all of
// its requests.
func (o *Offsite) Watch(ctx context.Context) error {
	if err := chromedp.Listen(ctx, o.Listen); err != nil {
		return err
	}
	c := chromedp.FromContext(ctx)
	if c == nil || c.Target == nil {
		return chromedp.ErrInvalidContext
	}
	o.mu.Lock()
	o.tabs[c.Target.TargetID] = true
	o.mu.Unlock()
	if err := chromedp.ListenBrowser(ctx, o.Listen); err != nil {
		return err
	}
	// chromedp enables the domain on every tab it attaches; this makes sure of it.
	return chromedp.Do(ctx, func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(c, tg, network.Enable, network.EnableParams{})
		return chromedp.Void{}, err
	})
}

// Listen keeps ev when it is a request to another host, or the failure of one, or a target
// opened on another host. It is a chromedp listener (chromedp.WithListener, chromedp.Listen,
// chromedp.ListenBrowser) and returns at once.
func (o *Offsite) Listen(ev any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if o.elsewhere(e.Request.URL) {
			r := &OffsiteRequest{URL: e.Request.URL, From: e.DocumentURL}
			o.reqs = append(o.reqs, r)
			o.byID[e.RequestID] = r
		}
	case *network.EventWebSocketCreated:
		if o.elsewhere(e.URL) {
			o.reqs = append(o.reqs, &OffsiteRequest{URL: e.URL, From: "a WebSocket"})
		}
	case *network.EventLoadingFailed:
		if r := o.byID[e.RequestID]; r != nil {
			r.Failure = e.ErrorText
			if e.BlockedReason != "" {
				r.Failure += ", blocked: " + string(e.BlockedReason)
			}
		}
	case *target.EventTargetCreated:
		o.target(e.TargetInfo)
	case *target.EventTargetInfoChanged:
		o.target(e.TargetInfo)
	}
}

// target keeps a target that a watched tab opened on another host, once.
func (o *Offsite) target(info *target.Info) {
	if info == nil || !o.tabs[info.OpenerID] && !o.tabs[info.ParentID] || !o.elsewhere(info.URL) {
		return
	}
	// An error page (chrome-error://) stands for a failed request, kept when it was made.
	if u, err := url.Parse(info.URL); err == nil && u.Scheme != "http" && u.Scheme != "https" {
		return
	}
	r := &OffsiteRequest{URL: info.URL, From: "a new " + info.Type}
	if !slices.ContainsFunc(o.reqs, func(k *OffsiteRequest) bool { return *k == *r }) {
		o.reqs = append(o.reqs, r)
	}
}

// elsewhere reports whether raw names a host other than the origin's. A URL that does not parse
// counts: it is not the origin's.
func (o *Offsite) elsewhere(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return false
	}
	return u.Host != o.host
}

// Requests returns the requests to other hosts kept so far, in the order they were made.
func (o *Offsite) Requests() []OffsiteRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	rs := make([]OffsiteRequest, len(o.reqs))
	for i, r := range o.reqs {
		rs[i] = *r
	}
	return rs
}

// Check fails t naming each request to another host kept so far.
func (o *Offsite) Check(t testing.TB) {
	t.Helper()
	for _, r := range o.Requests() {
		t.Errorf("Chromium asked a host other than %s for %s", o.origin, r)
	}
}
