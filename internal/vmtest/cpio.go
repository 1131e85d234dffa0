package vmtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// cpioEntry is one file, directory, symlink or device node of a newc cpio
// archive.
type cpioEntry struct {
	name  string // path inside the archive, without a leading slash
	mode  uint32 // file type and permission bits, as in st_mode
	data  []byte // contents of a regular file, or a symlink's target
	src   string // a host file to copy the contents from, when data is nil
	size  int64  // the size of src
	major uint32 // device numbers of a device node
	minor uint32
}

// Mode bits for cpioEntry.mode.
const (
	cpioDir     = 0o040000
	cpioFile    = 0o100000
	cpioChar    = 0o020000
	cpioSymlink = 0o120000
)

// cpioHeaderLen is the size of a newc header: the magic and 13 hex fields.
const cpioHeaderLen = 6 + 13*8

// writeCPIO writes entries as a newc ("070701") cpio archive, the format the
// kernel unpacks as an initramfs, followed by the trailer entry. Parents must
// come before their children.
func writeCPIO(w io.Writer, entries []cpioEntry) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	n := 0 // bytes written, for padding
	pad := func() {
		for ; n%4 != 0; n++ {
			bw.WriteByte(0)
		}
	}
	for i, e := range append(entries, cpioEntry{name: "TRAILER!!!"}) {
		ino, nlink := uint32(i+1), uint32(1)
		if e.mode&0o170000 == cpioDir {
			nlink = 2
		}
		if e.name == "TRAILER!!!" {
			ino, nlink = 0, 1
		}
		size := int64(len(e.data))
		if e.src != "" {
			size = e.size
		}
		if size > 0xffffffff {
			return fmt.Errorf("cpio: %s is too large (%d bytes)", e.name, size)
		}
		k, _ := fmt.Fprintf(bw, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, e.mode, 0, 0, nlink, 0, size, 0, 0,
			e.major, e.minor, len(e.name)+1, 0)
		n += k
		k, _ = bw.WriteString(e.name)
		n += k + 1
		bw.WriteByte(0)
		pad()
		if e.src != "" {
			if err := copyFile(bw, e.src, size); err != nil {
				return err
			}
		} else {
			bw.Write(e.data)
		}
		n += int(size)
		pad()
	}
	return bw.Flush()
}

// copyFile copies exactly size bytes of the file src to w.
func copyFile(w io.Writer, src string, size int64) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(w, f, size); err != nil {
		return fmt.Errorf("cpio: copying %s: %w", src, err)
	}
	return nil
}
