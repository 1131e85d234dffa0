//go:build linux

package tc_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestKindsVM runs the tests of the kinds this machine's kernel lacks
// (TestMakeVM, TestRecreateVM, TestRecreateZerosVM) in a VM of Debian's 6.12 (with NLKIT_VM=1;
// see internal/vmtest). The whole package runs on every kernel of the
// matrix with go run ./internal/cmd/vmtest -kernel 6.1,6.12 ./tc.
func TestKindsVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12"}, func(t *testing.T) {
		t.Run("Make", TestMakeVM)
		t.Run("Recreate", TestRecreateVM)
		t.Run("RecreateZeros", TestRecreateZerosVM)
	})
}
