// Command bare is the reference server of bench/run.sh's per-core mode: plain net/http, no router,
// no middleware, answering each captured request with the response dcatlas gave it (the same
// headers and body), from memory. It shows the ceiling of net/http for those answers on one core.
// Its http.Server has dcatlas's timeouts and header limit (serve.go): they are the protections any
// public net/http server needs (issue 13), so the ceiling is that of net/http configured for it.
//
//	bare -addr 127.0.0.1:8081 -dir DIR
//
// DIR holds "paths" (one request URI a line; line i names response i) and, for each i, e<i> (the
// body) and e<i>.h (the status line and headers as curl -D wrote them).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// answer is one captured response, ready to write.
type answer struct {
	header http.Header
	body   []byte
}

// answers serves captured responses by request URI.
type answers map[string]*answer

func (a answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ans, ok := a[r.RequestURI]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	for k, v := range ans.header {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	w.Write(ans.body)
}

// load reads the captured responses in dir.
func load(dir string) (answers, error) {
	list, err := os.ReadFile(filepath.Join(dir, "paths"))
	if err != nil {
		return nil, err
	}
	a := answers{}
	for i, uri := range strings.Split(strings.TrimRight(string(list), "\n"), "\n") {
		body, err := os.ReadFile(filepath.Join(dir, "e"+strconv.Itoa(i)))
		if err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(filepath.Join(dir, "e"+strconv.Itoa(i)+".h"))
		if err != nil {
			return nil, err
		}
		tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
		if _, err := tp.ReadLine(); err != nil { // the status line
			return nil, fmt.Errorf("e%d.h: %w", i, err)
		}
		mh, err := tp.ReadMIMEHeader()
		if err != nil {
			return nil, fmt.Errorf("e%d.h: %w", i, err)
		}
		h := http.Header(mh)
		h.Del("Date") // net/http writes its own, as for dcatlas
		if got := h.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			return nil, fmt.Errorf("e%d: Content-Length %s but the body has %d bytes", i, got, len(body))
		}
		a[uri] = &answer{header: h, body: body}
	}
	return a, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	dir := flag.String("dir", ".", "directory of captured responses")
	flag.Parse()
	a, err := load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("bare serving %d answers on http://%s\n", len(a), ln.Addr())
	hs := &http.Server{
		Handler:           a,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Fatal(hs.Serve(ln))
}
