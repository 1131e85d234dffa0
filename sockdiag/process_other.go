//go:build !linux

package sockdiag

import (
	"errors"
	"fmt"
)

// Processes returns, on Linux, the processes that hold sockets open by
// the sockets' inode numbers, as ss -p finds them. Here it fails with an
// error wrapping errors.ErrUnsupported: /proc/PID/fd is Linux's.
func Processes() (map[uint32][]Process, error) {
	return nil, fmt.Errorf("sockdiag: processes: %w", errors.ErrUnsupported)
}
