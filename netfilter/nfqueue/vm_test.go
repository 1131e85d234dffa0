//go:build linux

package nfqueue_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestConntrackVM runs the test of queued packets' conntrack entries,
// which needs CONFIG_NETFILTER_NETLINK_GLUE_CT, which this machine's
// kernel lacks, in a VM of Debian's 6.12 (with NLKIT_VM=1; see
// internal/vmtest). The whole package runs on every kernel of the matrix
// with go run ./internal/cmd/vmtest -kernel 6.1,6.12 ./netfilter/nfqueue.
func TestConntrackVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12"}, func(t *testing.T) {
		t.Run("PacketConntrack", TestPacketConntrack)
	})
}
