package tileset

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

// PMTiles writes a set's tiles into one PMTiles v3 archive (https://github.com/protomaps/PMTiles),
// for static hosting behind HTTP range requests: clients such as MapLibre with the pmtiles
// package read the directory, then each tile, from the one file. The archive holds the set's
// TileJSON as its metadata. Vector tiles are stored gzipped, as readers expect; identical tiles
// (the open ocean) are stored once. Tiles are kept in a temporary file beside the archive until
// Close writes it, so memory holds only the index.
type PMTiles struct {
	path             string
	set              *Set
	minZoom, maxZoom int
	meta             map[string]any

	mu       sync.Mutex
	tmp      *os.File
	size     int64                // bytes written to tmp
	contents map[[32]byte]content // by hash of the stored bytes
	tiles    []pmTile
}

// content is one distinct tile body in the temporary file.
type content struct {
	offset, length int64
}

// pmTile is a written tile: its PMTiles id and the hash of its content.
type pmTile struct {
	id   uint64
	hash [32]byte
}

// NewPMTiles starts an archive at path of the set's zooms minZoom to maxZoom; base is the URL the
// metadata's attribution links to (the server's public URL, or empty for none).
func NewPMTiles(path string, s *Set, minZoom, maxZoom int, base string) (*PMTiles, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &PMTiles{path: path, set: s, minZoom: minZoom, maxZoom: maxZoom, meta: s.pmtilesMetadata(minZoom, maxZoom, base),
		tmp: tmp, contents: map[[32]byte]content{}}, nil
}

// pmtilesMetadata is the set's TileJSON for an archive of zooms minZoom to maxZoom, without tile
// URLs (the archive holds the tiles).
func (s *Set) pmtilesMetadata(minZoom, maxZoom int, base string) map[string]any {
	doc := s.TileJSON(base, "")
	doc.MinZoom, doc.MaxZoom = minZoom, maxZoom
	for i := range doc.VectorLayers {
		doc.VectorLayers[i].MinZoom, doc.VectorLayers[i].MaxZoom = minZoom, maxZoom
	}
	b, _ := json.Marshal(doc) // plain fields: cannot fail
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	delete(m, "tiles")
	return m
}

// tileCompression is how the set's tiles are stored in an archive.
func (s *Set) tileCompression() pmtiles.Compression {
	if s.Format == MVT {
		return pmtiles.Gzip
	}
	return pmtiles.NoCompression
}

// WriteTile adds one tile; it may be called from several goroutines.
func (p *PMTiles) WriteTile(t maptile.Tile, data []byte) error {
	if p.set.tileCompression() == pmtiles.Gzip {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		data = buf.Bytes()
	}
	h := sha256.Sum256(data)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.contents[h]; !ok {
		if _, err := p.tmp.Write(data); err != nil {
			return err
		}
		p.contents[h] = content{p.size, int64(len(data))}
		p.size += int64(len(data))
	}
	p.tiles = append(p.tiles, pmTile{pmtiles.ZxyToID(uint8(t.Z), t.X, t.Y), h})
	return nil
}

// Abort removes the temporary file of an archive that will not be closed; after Close it does
// nothing.
func (p *PMTiles) Abort() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tmp != nil {
		p.tmp.Close()
		os.Remove(p.tmp.Name())
		p.tmp = nil
	}
}

// Close writes the archive: header, root directory, metadata, leaf directories, then the tile
// data in tile-id order (a clustered archive), and removes the temporary file.
func (p *PMTiles) Close() (err error) {
	defer p.Abort()
	slices.SortFunc(p.tiles, func(a, b pmTile) int { return cmp.Compare(a.id, b.id) })
	// Lay the contents out in the order of their first tile, and run-length encode the entries.
	layout := map[[32]byte]int64{}
	var order []content
	var entries []pmtiles.EntryV3
	var dataLen int64
	for _, t := range p.tiles {
		c := p.contents[t.hash]
		off, ok := layout[t.hash]
		if !ok {
			off = dataLen
			layout[t.hash] = off
			order = append(order, c)
			dataLen += c.length
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == uint64(off) && last.TileID+uint64(last.RunLength) == t.id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, pmtiles.EntryV3{TileID: t.id, Offset: uint64(off), Length: uint32(c.length), RunLength: 1})
	}
	root, leaves, _ := pmtiles.BuildDirectories(entries, 16384-pmtiles.HeaderV3LenBytes, pmtiles.Gzip)
	meta, err := pmtiles.SerializeMetadata(p.meta, pmtiles.Gzip)
	if err != nil {
		return err
	}
	b := Bounds()
	e7 := func(v float64) int32 { return int32(math.Round(v * 1e7)) }
	h := pmtiles.HeaderV3{
		SpecVersion:         3,
		RootOffset:          pmtiles.HeaderV3LenBytes,
		RootLength:          uint64(len(root)),
		AddressedTilesCount: uint64(len(p.tiles)),
		TileEntriesCount:    uint64(len(entries)),
		TileContentsCount:   uint64(len(order)),
		Clustered:           true,
		InternalCompression: pmtiles.Gzip,
		TileCompression:     p.set.tileCompression(),
		TileType:            pmtiles.Png,
		MinZoom:             uint8(p.minZoom),
		MaxZoom:             uint8(p.maxZoom),
		MinLonE7:            e7(b[0]), MinLatE7: e7(b[1]), MaxLonE7: e7(b[2]), MaxLatE7: e7(b[3]),
		CenterZoom: uint8(p.minZoom),
	}
	if p.set.Format == MVT {
		h.TileType = pmtiles.Mvt
	}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.LeafDirectoryLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafDirectoryOffset + h.LeafDirectoryLength
	h.TileDataLength = uint64(dataLen)

	out, err := os.CreateTemp(filepath.Dir(p.path), "."+filepath.Base(p.path)+".*.part")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	bw := bufio.NewWriterSize(out, 1<<20)
	for _, part := range [][]byte{pmtiles.SerializeHeader(h), root, meta, leaves} {
		if _, err = bw.Write(part); err != nil {
			return err
		}
	}
	for _, c := range order {
		if _, err = io.Copy(bw, io.NewSectionReader(p.tmp, c.offset, c.length)); err != nil {
			return err
		}
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = out.Chmod(0o644); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	return os.Rename(out.Name(), p.path)
}
