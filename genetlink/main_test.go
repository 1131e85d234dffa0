package genetlink_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
)

// TestMain says, in one line after the results, how many kernel tests were
// skipped and why (usually: not root).
func TestMain(m *testing.M) {
	code := m.Run()
	if s := nstest.SkipSummary(); s != "" {
		fmt.Println(s)
	}
	os.Exit(code)
}
