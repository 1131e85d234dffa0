//go:build linux

package nfqueue_test

import (
	"os/exec"
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestNftablesVM runs, in a VM of Debian's 6.12 (with NLKIT_VM=1; see
// internal/vmtest), what this machine's kernel cannot: the tests of real
// traffic queued by an nftables queue rule (nft_queue, which this kernel
// lacks: here the same tests queue with iptables' NFQUEUE target; the VM
// has no iptables, so newWorld writes an nft ruleset there), and the test
// of queued packets' conntrack entries, which needs
// CONFIG_NETFILTER_NETLINK_GLUE_CT, and the bridge family's queue
// (TestPhysDev/bridge). In the VM a test that skips fails (vmtest.Run's
// rule; lacks fails a subtest there too): what it skips for is what the
// VM is for. The whole package runs on every kernel of the matrix with go
// run ./internal/cmd/vmtest -kernel 6.1,6.12 ./netfilter/nfqueue.
func TestNftablesVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12"}, func(t *testing.T) {
		if _, err := exec.LookPath("iptables-legacy"); err == nil {
			t.Fatal("iptables-legacy is installed in the VM: the tests would queue with it, not with an nftables rule")
		}
		t.Run("Verdicts", TestVerdicts)
		t.Run("BatchVerdict", TestBatchVerdict)
		t.Run("QueueWithoutReader", TestQueueWithoutReader)
		t.Run("OverrunReported", TestOverrunReported)
		t.Run("PacketConntrack", TestPacketConntrack)
		t.Run("PacketOwner", TestPacketOwner)
		t.Run("GSO", TestGSO)
		t.Run("PhysDev", TestPhysDev)
		t.Run("Repeat", TestRepeat)
		t.Run("MangleResize", TestMangleResize)
		t.Run("QueueConfigure", TestQueueConfigure)
	})
}
