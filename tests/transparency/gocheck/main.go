// Command gocheck verifies the Tractatus site's transparency log with clients nobody here
// wrote: Go's golang.org/x/mod/sumdb/note (signed notes) and sumdb/tlog (tiles and proofs).
//
//	gocheck [-old CHECKPOINT_FILE] [-entries=false] BASE_URL VERIFIER_KEY
//
// It opens BASE_URL/log/checkpoint with note.Open, reads the tree's hashes through
// tlog.TileHashReader (which checks every tile it reads against the signed root), recomputes
// the root with tlog.TreeHash, and proves every entry of every entry bundle in the tree with
// tlog.ProveRecord and tlog.CheckRecord. With -old it also proves, with tlog.ProveTree and
// tlog.CheckTree, that the current tree extends the one in an earlier checkpoint.
//
// Exit status: 0 when everything verifies, 1 when something does not, 2 when it could not
// run (usage, network).
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8 // c2sp.org/tlog-tiles: 256-hash tiles

var client = &http.Client{Timeout: 30 * time.Second}

// errFetch marks failures to reach the site, as opposed to failures to verify.
var errFetch = errors.New("fetch")

func fetch(url string) ([]byte, error) {
	response, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errFetch, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errFetch, url, err)
	}
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %s", errFetch, url, response.Status)
	}
	return body, nil
}

// tilePath is a Go tlog tile's path as c2sp.org/tlog-tiles writes it: without the height.
func tilePath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
}

// tileReader serves tlog.TileHashReader the log's tiles, fetched over HTTP.
type tileReader struct{ base string }

func (r tileReader) Height() int { return height }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		body, err := fetch(r.base + tilePath(t))
		if err != nil {
			return nil, err
		}
		data[i] = body
	}
	return data, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// openCheckpoint verifies a checkpoint's signature with note.Open and parses its tree head.
func openCheckpoint(msg []byte, verifier note.Verifier) (tlog.Tree, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		return tlog.Tree{}, fmt.Errorf("not a checkpoint of %s: %q", verifier.Name(), n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return tlog.Tree{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	hash, err := tlog.ParseHash(lines[2])
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("bad root hash %q", lines[2])
	}
	return tlog.Tree{N: size, Hash: hash}, nil
}

// bundle parses an entry bundle: entries each prefixed by their big-endian uint16 length.
func bundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("truncated length")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("truncated entry")
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	return entries, nil
}

func checkEntries(base string, tree tlog.Tree, hashes tlog.HashReader) error {
	for start := int64(0); start < tree.N; start += 1 << height {
		width := tree.N - start
		if width > 1<<height {
			width = 1 << height
		}
		t := tlog.Tile{H: height, L: 0, N: start >> height, W: int(width)}
		path := "tile/entries/" + strings.TrimPrefix(tilePath(t), "tile/0/")
		data, err := fetch(base + path)
		if err != nil {
			return err
		}
		entries, err := bundle(data)
		if err != nil || int64(len(entries)) != width {
			return fmt.Errorf("%s: %d entries (%v), want %d", path, len(entries), err, width)
		}
		for i, entry := range entries {
			index := start + int64(i)
			proof, err := tlog.ProveRecord(tree.N, index, hashes)
			if err != nil {
				return fmt.Errorf("tlog.ProveRecord(%d, %d): %w", tree.N, index, err)
			}
			if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, tlog.RecordHash(entry)); err != nil {
				return fmt.Errorf("entry %d (%s): tlog.CheckRecord: %v", index, path, err)
			}
		}
	}
	return nil
}

func run(base, vkey, oldFile string, entries bool) error {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("%w: note.NewVerifier: %v", errFetch, err)
	}
	msg, err := fetch(base + "checkpoint")
	if err != nil {
		return err
	}
	tree, err := openCheckpoint(msg, verifier)
	if err != nil {
		return err
	}
	hashes := tlog.TileHashReader(tree, tileReader{base})
	root, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		return fmt.Errorf("tlog.TreeHash: %w", err)
	}
	if root != tree.Hash {
		return fmt.Errorf("the tiles hash to %v, the checkpoint says %v", root, tree.Hash)
	}
	fmt.Printf("ok  checkpoint %s: %d entries, root %v; tiles verified\n", verifier.Name(), tree.N, root)
	if entries {
		if err := checkEntries(base, tree, hashes); err != nil {
			return err
		}
		fmt.Printf("ok  every entry proven by tlog.ProveRecord and tlog.CheckRecord\n")
	}
	if oldFile != "" {
		msg, err := os.ReadFile(oldFile)
		if err != nil {
			return fmt.Errorf("%w: %v", errFetch, err)
		}
		old, err := openCheckpoint(msg, verifier)
		if err != nil {
			return fmt.Errorf("%s: %w", oldFile, err)
		}
		if old.N > tree.N {
			return fmt.Errorf("the log shrank from %d to %d entries", old.N, tree.N)
		}
		proof, err := tlog.ProveTree(tree.N, old.N, hashes)
		if err != nil {
			return fmt.Errorf("tlog.ProveTree(%d, %d): %w", tree.N, old.N, err)
		}
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, old.N, old.Hash); err != nil {
			return fmt.Errorf("the checkpoint is not consistent with %s: tlog.CheckTree: %v", oldFile, err)
		}
		fmt.Printf("ok  consistent with the checkpoint of %d entries in %s\n", old.N, oldFile)
	}
	return nil
}

func main() {
	oldFile := flag.String("old", "", "an earlier checkpoint the current one must extend")
	entries := flag.Bool("entries", true, "prove every entry of the log")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: gocheck [-old FILE] [-entries=false] BASE_URL VERIFIER_KEY")
		os.Exit(2)
	}
	base := strings.TrimSuffix(flag.Arg(0), "/") + "/log/"
	if err := run(base, flag.Arg(1), *oldFile, *entries); err != nil {
		fmt.Fprintf(os.Stderr, "FAILED: %v\n", err)
		if errors.Is(err, errFetch) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
