package sockdiag

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// cgroupID returns the id of the cgroup v2 at path under /sys/fs/cgroup:
// its directory's inode number.
func cgroupID(path string) (uint64, error) {
	fi, err := os.Stat(filepath.Join("/sys/fs/cgroup", path))
	if err != nil {
		return 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.IsDir() {
		return 0, fmt.Errorf("%s is not a cgroup directory", path)
	}
	return st.Ino, nil
}
