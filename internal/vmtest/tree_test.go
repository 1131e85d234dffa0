package vmtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyHost checks that a host path reached through symlinks (as
// /lib/x86_64-linux-gnu/libc.so.6 through /lib → usr/lib) resolves in the
// initramfs as on the host: the symlinks copied as symlinks, the file at
// its real path, every directory before what it holds.
func TestCopyHost(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "usr", "lib")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "libx.so.1.2"), []byte("ELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("libx.so.1.2", filepath.Join(real, "libx.so.1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("usr/lib", filepath.Join(root, "lib")); err != nil {
		t.Fatal(err)
	}
	tr := newTree()
	if err := tr.copyHost(filepath.Join(root, "lib", "libx.so.1")); err != nil {
		t.Fatal(err)
	}
	rel := strings.TrimPrefix(root, "/")
	got := map[string]cpioEntry{}
	seen := map[string]bool{}
	for _, e := range tr.entries {
		if dir := filepath.Dir(e.name); dir != "." && !seen[dir] {
			t.Errorf("%s comes before its directory", e.name)
		}
		seen[e.name] = true
		got[strings.TrimPrefix(e.name, rel+"/")] = e
	}
	for name, want := range map[string]struct {
		mode uint32
		data string
	}{
		"lib":                 {cpioSymlink | 0o777, "usr/lib"},
		"usr/lib":             {cpioDir | 0o755, ""},
		"usr/lib/libx.so.1":   {cpioSymlink | 0o777, "libx.so.1.2"},
		"usr/lib/libx.so.1.2": {cpioFile | 0o644, ""},
	} {
		e, ok := got[name]
		if !ok {
			t.Errorf("no entry %s in %v", name, tr.entries)
			continue
		}
		if e.mode != want.mode || string(e.data) != want.data {
			t.Errorf("%s: mode %o data %q, want %o %q", name, e.mode, e.data, want.mode, want.data)
		}
	}
	if e := got["usr/lib/libx.so.1.2"]; e.src != filepath.Join(real, "libx.so.1.2") || e.size != 3 {
		t.Errorf("libx.so.1.2 copies %s (%d bytes)", e.src, e.size)
	}
}
