//go:build linux

package conntrack_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestModulesVM runs, in a VM of Debian's 6.1, the tests this machine's
// kernel skips or cannot show: DCCP entries (DCCP left Linux in 6.16),
// security contexts, and the kernel-side filters and deletes of a kernel
// older than 6.8 (zone) and 6.12 (tuple filters in a delete), which
// Flows and DeleteMatching make up for (with NLKIT_VM=1; see
// internal/vmtest). The whole package runs on every kernel of the matrix
// with go run ./internal/cmd/vmtest -kernel 6.1,6.12 ./netfilter/conntrack.
func TestModulesVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.1"}, func(t *testing.T) {
		t.Run("DCCPEntry", TestDCCPEntry)
		t.Run("SecCtx", TestSecCtx)
		t.Run("FlowsFilteredAsConntrackFilters", TestFlowsFilteredAsConntrackFilters)
		t.Run("DeleteMatching", TestDeleteMatching)
		t.Run("CreateGetUpdateDelete", TestCreateGetUpdateDelete)
	})
}
