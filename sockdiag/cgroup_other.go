//go:build !linux

package sockdiag

import (
	"errors"
	"fmt"
)

// cgroupID fails: cgroups are Linux's. CompileOptions.CgroupID can
// resolve paths instead.
func cgroupID(path string) (uint64, error) {
	return 0, fmt.Errorf("resolving cgroup %s: %w", path, errors.ErrUnsupported)
}
