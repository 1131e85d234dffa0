package vmtest

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
)

// compressors are the formats a bzImage's payload may be in: magic and
// the command that decompresses one stream of it, ignoring what follows.
var compressors = []struct {
	magic []byte
	cmd   []string
}{
	{[]byte("\xfd7zXZ\x00"), []string{"xz", "-dc", "--single-stream"}},
	{[]byte("\x28\xb5\x2f\xfd"), []string{"zstd", "-dcq"}},
	{[]byte("\x1f\x8b\x08"), []string{"gzip", "-dcq"}},
}

// extractVmlinux writes the ELF kernel inside the bzImage vmlinuz to dst,
// if it has a PVH entry point (a Xen ELF note of type
// XEN_ELFNOTE_PHYS32_ENTRY), which QEMU's -kernel boots directly.
func extractVmlinux(vmlinuz, dst string) error {
	img, err := os.ReadFile(vmlinuz)
	if err != nil {
		return err
	}
	for _, c := range compressors {
		i := bytes.Index(img, c.magic)
		if i < 0 {
			continue
		}
		cmd := exec.Command(c.cmd[0], c.cmd[1:]...)
		cmd.Stdin = bytes.NewReader(img[i:])
		out, _ := cmd.Output() // trailing data makes some fail after a whole stream
		if !hasPVH(out) {
			continue
		}
		tmp := dst + ".tmp"
		if err := os.WriteFile(tmp, out, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, dst)
	}
	return errors.New("no ELF kernel with a PVH entry point in " + vmlinuz)
}

// hasPVH reports whether b is an ELF file with a PVH entry note.
func hasPVH(b []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return false
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		notes := make([]byte, p.Filesz)
		if _, err := p.ReadAt(notes, 0); err != nil {
			continue
		}
		for len(notes) >= 12 {
			namesz := binary.LittleEndian.Uint32(notes)
			descsz := binary.LittleEndian.Uint32(notes[4:])
			typ := binary.LittleEndian.Uint32(notes[8:])
			name := notes[12:min(len(notes), 12+int(namesz))]
			if typ == 18 && bytes.HasPrefix(name, []byte("Xen")) {
				return true
			}
			n := 12 + int((namesz+3)&^3) + int((descsz+3)&^3)
			if n > len(notes) {
				break
			}
			notes = notes[n:]
		}
	}
	return false
}
