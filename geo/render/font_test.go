package render

import (
	"strings"
	"testing"
)

func TestTypesetter(t *testing.T) {
	ts, err := newTypesetter()
	if err != nil {
		t.Fatal(err)
	}
	w := ts.width("China (Hangzhou)", 12, false)
	if w < 80 || w > 110 {
		t.Errorf("width of a label at 12 px: %v", w)
	}
	if b := ts.width("China (Hangzhou)", 12, true); b <= w {
		t.Errorf("bold %v is not wider than regular %v", b, w)
	}
	if w2 := ts.width("China (Hangzhou)", 24, false); w2 < 1.99*w || w2 > 2.01*w {
		t.Errorf("width at 24 px %v, want twice %v", w2, w)
	}
	asc, desc, capH := ts.metrics(20, false)
	if !(asc > capH && capH > 10 && desc > 2) {
		t.Errorf("metrics at 20 px: ascent %v, descent %v, cap height %v", asc, desc, capH)
	}
	if polys := ts.outline("São Paulo", 0, 20, 16, false); len(polys) < 9 {
		t.Errorf("outline of São Paulo: %d contours", len(polys))
	}
	if got := fitText(ts, "A very long title that cannot fit", 20, true, 120); !strings.HasSuffix(got, "…") || ts.width(got, 20, true) > 120 {
		t.Errorf("fitText = %q", got)
	}
	if got := fitText(ts, "Short", 20, true, 120); got != "Short" {
		t.Errorf("fitText shortened %q", got)
	}
}
