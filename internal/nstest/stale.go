package nstest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// prefix starts the name of every namespace New creates.
const prefix = "nlkit-test-"

// netnsDir is where iproute2 keeps named network namespaces.
const netnsDir = "/run/netns"

// cleanOnce makes New look for stale namespaces once per process.
var cleanOnce sync.Once

// removeStale deletes the namespaces in netnsDir that New created in a
// process that has since died: a test run killed before its cleanups ran
// leaves them behind, each holding a network namespace for ever.
func removeStale() error {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !stale(e.Name()) {
			continue
		}
		// Another test process may be deleting the same one: only a
		// namespace that is still there after a failure is an error.
		out, err := exec.Command("ip", "netns", "del", e.Name()).CombinedOutput()
		if _, statErr := os.Lstat(netnsDir + "/" + e.Name()); err != nil && statErr == nil {
			errs = append(errs, fmt.Errorf("ip netns del %s: %v: %s", e.Name(), err, out))
		}
	}
	return errors.Join(errs...)
}

// stale reports whether name is the name of a namespace that New created in
// a process that no longer runs. New names namespaces
// nlkit-test-PID-START-N; START, the process's start time, tells a
// process that reused the PID from the one that made the namespace. Names
// without it (nlkit-test-PID-N, from older versions of this package) are
// stale only when no process has that PID.
func stale(name string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	f := strings.Split(rest, "-")
	nums := make([]uint64, len(f))
	for i, s := range f {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return false // not a name New made
		}
		nums[i] = n
	}
	if len(nums) != 2 && len(nums) != 3 || nums[0] == 0 || nums[0] > 1<<22 {
		return false // PID_MAX_LIMIT is 1<<22
	}
	start, err := startTime(int(nums[0]))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return true // no such process
	case err != nil:
		return false // cannot tell: keep it
	case len(nums) == 3:
		return start != nums[1] // the PID now belongs to another process
	default:
		return false
	}
}

// startTime returns the start time of process pid, in clock ticks after
// boot (field 22 of /proc/PID/stat). The error wraps os.ErrNotExist when no
// such process exists.
func startTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The second field, the command name in parentheses, may itself hold
	// spaces and parentheses: count fields from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:])) // fields 3 and on
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	return strconv.ParseUint(f[19], 10, 64)
}
