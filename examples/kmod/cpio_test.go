package kmod_test

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"testing"
)

// cpioEntry is one file, directory or device node of a newc cpio archive.
type cpioEntry struct {
	name  string // path inside the archive, without a leading slash
	mode  uint32 // file type and permission bits, as in st_mode
	data  []byte // contents of a regular file
	major uint32 // device numbers of a device node
	minor uint32
}

// Mode bits for cpioEntry.mode.
const (
	cpioDir  = 0o040000
	cpioFile = 0o100000
	cpioChar = 0o020000
)

// cpioHeaderLen is the size of a newc header: the magic and 13 hex fields.
const cpioHeaderLen = 6 + 13*8

// writeCPIO writes entries as a newc ("070701") cpio archive, the format the
// kernel unpacks as an initramfs, followed by the trailer entry. Parents must
// come before their children.
func writeCPIO(w io.Writer, entries []cpioEntry) error {
	var buf bytes.Buffer
	for i, e := range append(entries, cpioEntry{name: "TRAILER!!!"}) {
		ino, nlink := uint32(i+1), uint32(1)
		if e.mode&cpioDir != 0 {
			nlink = 2
		}
		if e.name == "TRAILER!!!" {
			ino, nlink = 0, 1
		}
		fmt.Fprintf(&buf, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, e.mode, 0, 0, nlink, 0, len(e.data), 0, 0,
			e.major, e.minor, len(e.name)+1, 0)
		buf.WriteString(e.name)
		buf.WriteByte(0)
		cpioPad(&buf)
		buf.Write(e.data)
		cpioPad(&buf)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// cpioPad pads buf with NUL bytes to a multiple of four, as newc requires
// after every name and every file's data.
func cpioPad(buf *bytes.Buffer) {
	for buf.Len()%4 != 0 {
		buf.WriteByte(0)
	}
}

// TestWriteCPIO checks the archive layout: 4-byte alignment of every header,
// the field values, the file data and the trailer.
func TestWriteCPIO(t *testing.T) {
	var buf bytes.Buffer
	err := writeCPIO(&buf, []cpioEntry{
		{name: "dev", mode: cpioDir | 0o755},
		{name: "dev/console", mode: cpioChar | 0o600, major: 5, minor: 1},
		{name: "init", mode: cpioFile | 0o755, data: []byte("#!x\n!")},
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
