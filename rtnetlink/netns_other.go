//go:build !linux

package rtnetlink

import (
	"errors"
	"fmt"
	"os"
)

// openNetNS fails: network namespaces are Linux's alone, so NetNSPath
// names none elsewhere, even for a fake kernel.
func openNetNS(path string) (*os.File, error) {
	return nil, fmt.Errorf("open network namespace %s: %w", path, errors.ErrUnsupported)
}
