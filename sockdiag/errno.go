package sockdiag

import (
	"errors"
	"syscall"
)

// isENOENT reports whether err is the kernel's ENOENT.
func isENOENT(err error) bool { return errors.Is(err, syscall.ENOENT) }
