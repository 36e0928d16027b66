package render

import "math"

// boxGrid holds boxes in a grid of square cells over a frame, so that asking whether a box
// overlaps any of them looks only at the boxes in the cells it covers: placing labels among
// thousands of markers then costs little per label.
type boxGrid struct {
	frame      box
	cell       float64
	cols, rows int
	cells      [][]int32 // per cell, indexes into boxes
	boxes      []box
}

func newBoxGrid(frame box, cell float64) *boxGrid {
	cols := max(1, int(math.Ceil((frame.x1-frame.x0)/cell)))
	rows := max(1, int(math.Ceil((frame.y1-frame.y0)/cell)))
	return &boxGrid{frame: frame, cell: cell, cols: cols, rows: rows, cells: make([][]int32, cols*rows)}
}

// span is the range of cells b covers, clamped to the grid; ok is false when b misses the frame.
func (g *boxGrid) span(b box) (c0, r0, c1, r1 int, ok bool) {
	if !b.overlaps(g.frame) {
		return 0, 0, 0, 0, false
	}
	clamp := func(v float64, n int) int { return min(n-1, max(0, int(v/g.cell))) }
	return clamp(b.x0-g.frame.x0, g.cols), clamp(b.y0-g.frame.y0, g.rows), clamp(b.x1-g.frame.x0, g.cols), clamp(b.y1-g.frame.y0, g.rows), true
}

// add puts b in the grid; a box outside the frame is left out, as nothing inside can overlap it.
func (g *boxGrid) add(b box) {
	c0, r0, c1, r1, ok := g.span(b)
	if !ok {
		return
	}
	i := int32(len(g.boxes))
	g.boxes = append(g.boxes, b)
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			g.cells[r*g.cols+c] = append(g.cells[r*g.cols+c], i)
		}
	}
}

// overlaps reports whether b, which must lie inside the frame, overlaps a box of the grid.
func (g *boxGrid) overlaps(b box) bool {
	c0, r0, c1, r1, ok := g.span(b)
	if !ok {
		return false
	}
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			for _, i := range g.cells[r*g.cols+c] {
				if g.boxes[i].overlaps(b) {
					return true
				}
			}
		}
	}
	return false
}
