//go:build !linux

package tc

import (
	"errors"
	"fmt"
)

// ProgramFD opens the loaded BPF program with the given ID; BPF programs
// exist on Linux only, so here it returns an error wrapping
// errors.ErrUnsupported.
func ProgramFD(id uint32) (int, error) {
	return -1, fmt.Errorf("tc: open bpf program %d: %w", id, errors.ErrUnsupported)
}
