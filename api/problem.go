package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem detail: what went wrong with a request, for the client to read.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Accepted  string `json:"accepted,omitempty"`
	Instance  string `json:"instance,omitempty"`
	// retryAfter, when above zero, is sent as Retry-After, in seconds.
	retryAfter int
}

// Error describes the problem for logs.
func (p *Problem) Error() string {
	if p.Parameter != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Parameter, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Detail)
}

// badParam is a 400 problem naming the parameter, what is wrong with it and the accepted form.
func badParam(param, accepted, format string, args ...any) *Problem {
	return &Problem{
		Type:      "about:blank",
		Title:     "Invalid parameter",
		Status:    http.StatusBadRequest,
		Detail:    fmt.Sprintf(format, args...),
		Parameter: param,
		Accepted:  accepted,
	}
}

// problemf is a problem with a status and a detail.
func problemf(status int, format string, args ...any) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: fmt.Sprintf(format, args...)}
}

// handleError writes every error a handler returns as problem+json. Errors that are not a Problem or
// an Echo HTTP error are internal: logged, and shown to the client only as a 500.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	s.writeProblem(c.Response(), c.Request(), err)
}

// writeProblem answers req with err as problem+json (see handleError), returning the status and
// the bytes of body sent.
func (s *Server) writeProblem(w http.ResponseWriter, req *http.Request, err error) (status int, size int64) {
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
	case isGone(err):
		p = problemf(http.StatusServiceUnavailable, "the request ended before its answer was built")
	case errors.As(err, &he):
		p = problemf(he.Code, "%s", http.StatusText(he.Code))
		switch he.Code {
		case http.StatusNotFound:
			p.Detail = "no such resource; the landing page at / links every endpoint"
		case http.StatusMethodNotAllowed:
			p.Detail = "method not allowed; the service answers GET, HEAD and OPTIONS"
		default:
			if msg, ok := he.Message.(string); ok {
				p.Detail = msg
			}
		}
	default:
		s.log.Error("internal error", "method", req.Method, "path", req.URL.Path, "err", err)
		p = problemf(http.StatusInternalServerError, "internal error; it has been logged")
	}
	q := *p
	q.Instance = req.URL.Path
	body, mErr := json.Marshal(q)
	if mErr != nil {
		s.log.Error("encoding a problem", slog.Any("err", mErr))
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		q.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set(echo.HeaderContentType, mediaProblem)
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Del(echo.HeaderContentEncoding)
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	w.WriteHeader(q.Status)
	if req.Method == http.MethodHead {
		return q.Status, 0
	}
	n, wErr := w.Write(append(body, '\n'))
	if wErr != nil {
		s.log.Debug("writing a problem", "err", wErr)
	}
	return q.Status, int64(n)
}
