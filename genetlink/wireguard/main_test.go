package wireguard_test

import (
	"os"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"go.uber.org/goleak"
)

// TestMain checks, after a passing run, that the tests left no goroutine
// (goleak) and no file descriptor (/proc/self/fd) behind, and says in one
// line how many kernel tests were skipped and why (usually: not root), so
// that a passing run shows what it did not test. go test ./... prints that
// line with -v or when the package fails.
func TestMain(m *testing.M) {
	fds := nstest.FDs()
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.Exit(nstest.Finish(code, fds))
	}))
}
