package tc

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ProgramFD opens the loaded BPF program with the given ID, the ID a
// listed bpf filter or action reports (BPF.ID, ActBPF.ID), and returns a
// new file descriptor of it (close-on-exec), to attach it again (BPF.FD,
// ActBPF.FD). The caller closes it. It makes the bpf(2) call
// BPF_PROG_GET_FD_BY_ID, which needs CAP_SYS_ADMIN.
func ProgramFD(id uint32) (int, error) {
	attr := [3]uint32{id} // prog_id, next_id, open_flags
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_GET_FD_BY_ID, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return -1, fmt.Errorf("tc: open bpf program %d: %w", id, errno)
	}
	return int(fd), nil
}
