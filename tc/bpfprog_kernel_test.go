//go:build linux

package tc_test

import (
	"errors"
	"strings"
	"testing"
	"unsafe"

	"github.com/nlkit/netlink/tc"
	"golang.org/x/sys/unix"
)

// retZero is "r0 = 0; exit" as struct bpf_insn (the code byte first, the
// rest zero, in either byte order), and gpl its license; package
// variables, so that the addresses given to bpf(2) stay put.
var (
	retZero = []byte{0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	gpl     = []byte("GPL\x00")
)

// loadProgram loads retZero as a BPF_PROG_TYPE_SCHED_CLS program and
// returns its file descriptor, closed when the test ends.
func loadProgram(t *testing.T) int {
	t.Helper()
	attr := struct { // the first fields of union bpf_attr for BPF_PROG_LOAD
		progType, insnCnt uint32
		insns, license    uint64
		logLevel, logSize uint32
		logBuf            uint64
		kernVersion       uint32
		progFlags         uint32
	}{
		progType: unix.BPF_PROG_TYPE_SCHED_CLS, insnCnt: uint32(len(retZero) / 8),
		insns: uint64(uintptr(unsafe.Pointer(&retZero[0]))), license: uint64(uintptr(unsafe.Pointer(&gpl[0]))),
	}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		t.Skipf("cannot load a BPF program: %v", errno)
	}
	t.Cleanup(func() { unix.Close(int(fd)) })
	return int(fd)
}

// TestProgramFD: an eBPF filter listed has the program's ID, not an FD;
// re-adding it as listed is refused naming ProgramFD, and with the FD
// ProgramFD opens it attaches the same program again.
func TestProgramFD(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	if err := w.c.AddQdisc(ctx, &tc.Qdisc{Ifindex: w.v0, Handle: tc.HandleIngressQdisc, Parent: tc.HandleIngress, Options: &tc.Clsact{}}); err != nil {
		t.Fatal(err)
	}
	prog := loadProgram(t)
	f := tc.Filter{Ifindex: w.v0, Parent: tc.HandleClsactIngress, Priority: 1, Protocol: tc.ProtoAll,
		Options: &tc.BPF{FD: prog, Name: "ret0", DirectAction: true}}
	if err := w.c.AddFilter(ctx, &f); err != nil {
		t.Fatal(err)
	}
	listed := func() tc.Filter {
		for f, err := range w.c.Filters(ctx, w.v0, tc.HandleClsactIngress) {
			if err != nil {
				t.Fatal(err)
			}
			if f.Options != nil {
				return f
			}
		}
		t.Fatal("no filter listed")
		return tc.Filter{}
	}
	l := listed()
	b, ok := l.Options.(*tc.BPF)
	if !ok || b.ID == 0 || b.FD != 0 || !b.DirectAction {
		t.Fatalf("listed %#v", l.Options)
	}
	if err := w.c.DeleteFilter(ctx, &l); err != nil {
		t.Fatal(err)
	}
	err := w.c.AddFilter(ctx, &l)
	if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "ProgramFD") {
		t.Fatalf("re-adding the listed filter without an FD: %v", err)
	}
	fd, err := tc.ProgramFD(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	b.FD = fd
	if err := w.c.AddFilter(ctx, &l); err != nil {
		t.Fatal(err)
	}
	if again := listed().Options.(*tc.BPF); again.ID != b.ID || string(again.Tag) != string(b.Tag) || again.Name != b.Name {
		t.Errorf("re-attached program %d %x %q, want %d %x %q", again.ID, again.Tag, again.Name, b.ID, b.Tag, b.Name)
	}
	if _, err := tc.ProgramFD(0xfffffff0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ProgramFD of a missing ID: %v", err)
	}
}
