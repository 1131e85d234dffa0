package vmtest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tree is the file tree of an initramfs being assembled, in an order where
// every directory comes before what it holds.
type tree struct {
	entries []cpioEntry
	index   map[string]int // absolute path → position in entries
	host    map[string]bool
}

func newTree() *tree {
	return &tree{index: map[string]int{"/": -1}, host: map[string]bool{}}
}

// add records e at the absolute path p, after making its parent
// directories. A second entry for p replaces the first.
func (t *tree) add(p string, e cpioEntry) {
	p = filepath.Clean(p)
	t.mkdirAll(filepath.Dir(p))
	e.name = strings.TrimPrefix(p, "/")
	if i, ok := t.index[p]; ok && i >= 0 {
		t.entries[i] = e
		return
	}
	t.index[p] = len(t.entries)
	t.entries = append(t.entries, e)
}

// mkdirAll makes directory p and its parents.
func (t *tree) mkdirAll(p string) {
	p = filepath.Clean(p)
	if _, ok := t.index[p]; ok {
		return
	}
	t.add(p, cpioEntry{mode: cpioDir | 0o755})
}

// file adds a regular file holding data.
func (t *tree) file(p string, mode uint32, data []byte) {
	t.add(p, cpioEntry{mode: cpioFile | mode, data: data})
}

// hostFile adds the host's regular file src at p.
func (t *tree) hostFile(p, src string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	t.add(p, cpioEntry{mode: cpioFile | uint32(fi.Mode().Perm()), src: src, size: fi.Size()})
	return nil
}

// symlink adds a symbolic link at p pointing at target.
func (t *tree) symlink(p, target string) {
	t.add(p, cpioEntry{mode: cpioSymlink | 0o777, data: []byte(target)})
}

// copyHost makes the host path p resolve in the tree as it does on the
// host: the symlinks on the way (/lib → usr/lib on a merged-/usr system)
// become symlinks, directories directories, and the file at the end is
// copied. A directory at the end is made, not filled.
func (t *tree) copyHost(p string) error {
	p = filepath.Clean(p)
	if p == "/" || t.host[p] {
		return nil
	}
	dir := filepath.Dir(p)
	if err := t.copyHost(dir); err != nil {
		return err
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	q := filepath.Join(realDir, filepath.Base(p))
	fi, err := os.Lstat(q)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(q)
		if err != nil {
			return err
		}
		t.symlink(q, target)
		if !filepath.IsAbs(target) {
			target = filepath.Join(realDir, target)
		}
		if err := t.copyHost(target); err != nil {
			return err
		}
	case fi.IsDir():
		t.mkdirAll(q)
	case fi.Mode().IsRegular():
		if err := t.hostFile(q, q); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: cannot copy a %v into the initramfs", q, fi.Mode().Type())
	}
	t.host[p], t.host[q] = true, true
	return nil
}

// copyHostTree copies the host directory root and everything under it,
// except what skip says to leave out.
func (t *tree) copyHostTree(root string, skip func(path string, d fs.DirEntry) bool) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skip != nil && skip(p, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		return t.copyHost(p)
	})
}
