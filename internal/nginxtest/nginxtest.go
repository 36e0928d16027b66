// Package nginxtest serves a directory of static files with nginx to a headless Chromium that
// reaches no other host, and names what Chromium asks of one anyway (Offsite): how the browser
// tests check the atlas exported as files (dcatlas export site, PMTiles archives). It is for
// tests only.
package nginxtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Tools returns the paths of Chromium (or DCATLAS_CHROMIUM) and nginx, skipping the test
// without them.
func Tools(t *testing.T) (chromium, nginx string) {
	t.Helper()
	chromium = os.Getenv("DCATLAS_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("skipping: no Chromium at %s (install chromium, or set DCATLAS_CHROMIUM)", chromium)
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if nginx, err = exec.LookPath("/usr/sbin/nginx"); err != nil {
			t.Skip("skipping: no nginx (install nginx-light)")
		}
	}
	return chromium, nginx
}

// Browser starts headless Chromium at the given window size for at most timeout, with the
// project's flags and every host but loopback unreachable; it ends with the test, failing it if
// Chromium asked another host for anything (see refusingProxy). Tabs opened from the context it
// returns (chromedp.NewContext) share the browser.
func Browser(t *testing.T, chromium string, width, height int, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	proxy := startRefusingProxy(t)
	t.Cleanup(func() { proxy.check(t) }) // registered before the browser's: runs once it has closed
	return launch(t, chromium, proxy, width, height, timeout, extra...)
}

// launch starts Chromium as Browser does, with proxy for every host but loopback.
func launch(t testing.TB, chromium string, proxy *refusingProxy, width, height int, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// Nothing but the test's nginx can be reached: no name resolves, and every request but to
		// loopback (which Chromium never sends through a proxy) goes to a proxy that refuses it.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer(proxy.URL()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return ctx
}

// Serve serves www with nginx on a free loopback port until the test ends, logging each request's
// path, status and Range header (one request a line: "/path 200 -"); it returns the base URL and
// the log's path. root is a directory for nginx's own files, which nginx's workers (perhaps
// another user) must be able to enter: not a t.TempDir.
//
// Each proxy passes the requests under its path to a server, as a CDN may put a live server
// beside the files on one host.
func Serve(t *testing.T, nginx, root, www string, proxies ...Proxy) (base, accessLog string) {
	t.Helper()
	var locations strings.Builder
	for _, p := range proxies {
		fmt.Fprintf(&locations, "        location ^~ %s/ { proxy_pass %s/; }\n", strings.TrimRight(p.Path, "/"), strings.TrimRight(p.URL, "/"))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	accessLog = filepath.Join(root, "access.log")
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    log_format ranges '$uri $status $http_range';
    access_log %[2]s ranges;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen %[3]s;
        root %[4]s;
        location ~ \.mjs$ { types { } default_type text/javascript; }
%[5]s    }
}
`, root, accessLog, addr, www, locations.String())
	confPath := filepath.Join(root, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-e", filepath.Join(root, "error.log"), "-p", root, "-c", confPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	base = "http://" + addr
	for i := 0; ; i++ {
		res, err := http.Get(base + "/index.html")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 500 {
			t.Fatalf("nginx not answering with 200: %v\n%s", err, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return base, accessLog
}

// Proxy is a path of the nginx host, such as /api, whose requests nginx passes to the server at
// URL, such as http://127.0.0.1:8080, without the path.
type Proxy struct{ Path, URL string }
