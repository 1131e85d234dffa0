package vmtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestWriteCPIO checks the archive layout: 4-byte alignment of every header,
// the field values, the file data (in memory or copied from a host file),
// a symlink's target and the trailer.
func TestWriteCPIO(t *testing.T) {
	src := filepath.Join(t.TempDir(), "host")
	if err := os.WriteFile(src, []byte("from the host"), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err := writeCPIO(&buf, []cpioEntry{
		{name: "dev", mode: cpioDir | 0o755},
		{name: "dev/console", mode: cpioChar | 0o600, major: 5, minor: 1},
		{name: "init", mode: cpioFile | 0o755, data: []byte("#!x\n!")},
		{name: "lib", mode: cpioSymlink | 0o777, data: []byte("usr/lib")},
		{name: "host", mode: cpioFile | 0o644, src: src, size: 13},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if len(b)%4 != 0 {
		t.Fatalf("archive length %d is not a multiple of 4", len(b))
	}

	type hdr struct {
		name         string
		mode, size   uint64
		major, minor uint64
		data         []byte
	}
	var got []hdr
	for off := 0; off < len(b); {
		if off%4 != 0 {
			t.Fatalf("header at unaligned offset %d", off)
		}
		if off+cpioHeaderLen > len(b) || string(b[off:off+6]) != "070701" {
			t.Fatalf("no newc header at offset %d", off)
		}
		field := func(i int) uint64 {
			s := string(b[off+6+8*i : off+6+8*i+8])
			v, err := strconv.ParseUint(s, 16, 32)
			if err != nil {
				t.Fatalf("field %d at offset %d: %v", i, off, err)
			}
			return v
		}
		h := hdr{mode: field(1), size: field(6), major: field(9), minor: field(10)}
		nameLen := int(field(11))
		nameStart := off + cpioHeaderLen
		h.name = string(b[nameStart : nameStart+nameLen-1])
		if b[nameStart+nameLen-1] != 0 {
			t.Fatalf("name %q is not NUL-terminated", h.name)
		}
		dataStart := (nameStart + nameLen + 3) &^ 3
		h.data = b[dataStart : dataStart+int(h.size)]
		off = (dataStart + int(h.size) + 3) &^ 3
		got = append(got, h)
		if h.name == "TRAILER!!!" {
			if off != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-off)
			}
			break
		}
	}

	want := []hdr{
		{name: "dev", mode: cpioDir | 0o755},
		{name: "dev/console", mode: cpioChar | 0o600, major: 5, minor: 1},
		{name: "init", mode: cpioFile | 0o755, size: 5, data: []byte("#!x\n!")},
		{name: "lib", mode: cpioSymlink | 0o777, size: 7, data: []byte("usr/lib")},
		{name: "host", mode: cpioFile | 0o644, size: 13, data: []byte("from the host")},
		{name: "TRAILER!!!"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.name != w.name || g.mode != w.mode || g.size != w.size ||
			g.major != w.major || g.minor != w.minor || !bytes.Equal(g.data, w.data) {
			t.Errorf("entry %d: got %+v, want %+v", i, g, w)
		}
	}
}
