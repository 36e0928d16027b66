package tileset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/paulmach/orb/maptile"
)

// Writer receives the tiles of an export. WriteTile may be called from several goroutines at
// once; Close is called once, after the last tile, when every tile was written.
type Writer interface {
	WriteTile(t maptile.Tile, data []byte) error
	Close() error
}

// Export draws the set's tiles from zoom minZoom to maxZoom with that many workers and hands each
// to w, calling done after each tile written. It stops at the first error or when ctx ends.
func Export(ctx context.Context, s *Set, w Writer, minZoom, maxZoom, workers int, done func()) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan maptile.Tile)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for t := range jobs {
				if err := exportTile(ctx, s, w, t); err != nil {
					cancel(err)
					return
				}
				done()
			}
		})
	}
feed:
	for t := range s.Tiles(minZoom, maxZoom) {
		select {
		case jobs <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	err := context.Cause(ctx) // a tile's error, or why the caller stopped us
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("interrupted: %w", err)
	}
	if err != nil {
		return err
	}
	return w.Close()
}

func exportTile(ctx context.Context, s *Set, w Writer, t maptile.Tile) error {
	b, err := s.Render(ctx, t)
	if err == nil {
		err = w.WriteTile(t, b)
	}
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
	}
	return err
}

// Dir writes tiles as files {z}/{x}/{y}{ext} under a directory, for static hosting, with the
// set's metadata.json beside them when it has one.
type Dir struct {
	root string
	set  *Set
}

// NewDir makes the directory root, writes the metadata of zooms minZoom to maxZoom into it, and
// returns the writer of the set's tiles.
func NewDir(root string, s *Set, minZoom, maxZoom int) (*Dir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	if meta := s.Metadata(minZoom, maxZoom); meta != nil {
		b, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(root, "metadata.json"), append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
	}
	return &Dir{root: root, set: s}, nil
}

// WriteTile writes one tile file.
func (d *Dir) WriteTile(t maptile.Tile, data []byte) error {
	path := filepath.Join(d.root, filepath.FromSlash(d.set.TilePath(t)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Close does nothing: every file is complete when written.
func (d *Dir) Close() error { return nil }
