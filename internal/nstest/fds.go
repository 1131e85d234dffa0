package nstest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pollerOnce makes FDs start the runtime's poller once.
var pollerOnce sync.Once

// FDs returns the process's open file descriptors, each with what it refers
// to (its link in /proc/self/fd, such as "socket:[1234]"), or nil where
// there is no /proc/self/fd.
//
// The first call opens and closes a pipe, so that the runtime's poller has
// opened the descriptors it keeps for the life of the process (its epoll
// and its eventfd) before they are counted.
func FDs() map[int]string {
	pollerOnce.Do(func() {
		if r, w, err := os.Pipe(); err == nil {
			r.Close()
			w.Close()
		}
	})
	names, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	fds := make(map[int]string, len(names))
	for _, e := range names {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// The directory's own descriptor is closed by now: no link.
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			fds[fd] = target
		}
	}
	return fds
}

// LeakedFDs returns an error naming each descriptor open now that was not
// open in before (a result of FDs), or nil when there is none. It gives
// descriptors that goroutines still hold a second to be closed.
func LeakedFDs(before map[int]string) error {
	var leaked []string
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		leaked = leaked[:0]
		for fd, target := range FDs() {
			if before[fd] != target {
				leaked = append(leaked, fmt.Sprintf("%d -> %s", fd, target))
			}
		}
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			break
		}
	}
	slices.Sort(leaked)
	return fmt.Errorf("%d file descriptors left open: %s", len(leaked), strings.Join(leaked, ", "))
}

// Finish ends the TestMain of a package with kernel tests, given the exit
// code of its tests and the descriptors (FDs) open before them: it prints
// SkipSummary, and when the tests passed it checks that they left no
// descriptor open (LeakedFDs). It returns the code to exit with.
func Finish(code int, before map[int]string) int {
	if s := SkipSummary(); s != "" {
		fmt.Println(s)
	}
	if code != 0 || before == nil {
		return code
	}
	if err := LeakedFDs(before); err != nil {
		fmt.Fprintln(os.Stderr, "nstest:", err)
		return 1
	}
	return code
}
