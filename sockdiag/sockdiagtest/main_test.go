package sockdiagtest_test

import (
	"os"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"go.uber.org/goleak"
)

// TestMain checks that the tests left no goroutine and no descriptor
// behind, and says how many kernel tests were skipped.
func TestMain(m *testing.M) {
	fds := nstest.FDs()
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.Exit(nstest.Finish(code, fds))
	}))
}
