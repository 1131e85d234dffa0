//go:build linux

package sockdiag_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestRawVM runs the raw socket tests, which need the raw_diag module
// this machine's kernel lacks, in a VM of Debian's 6.12 (with NLKIT_VM=1;
// see internal/vmtest). The whole package runs on every kernel of the
// matrix with go run ./internal/cmd/vmtest -kernel 6.1,6.12 ./sockdiag.
func TestRawVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12"}, func(t *testing.T) {
		t.Run("RawFieldsMatchSS", TestRawFieldsMatchSS)
		t.Run("DestroyRaw", TestDestroyRaw)
	})
}
