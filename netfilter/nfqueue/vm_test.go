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
// (TestPhysDev/bridge). In the VM a test that skips fails (and lacks
// fails a subtest there): what it skips for is what the VM is for. The whole package runs on
// every kernel of the matrix with go run ./internal/cmd/vmtest -kernel
// 6.1,6.12 ./netfilter/nfqueue.
func TestNftablesVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12"}, func(t *testing.T) {
		if _, err := exec.LookPath("iptables-legacy"); err == nil {
			t.Fatal("iptables-legacy is installed in the VM: the tests would queue with it, not with an nftables rule")
		}
		t.Run("Verdicts", mustRun(TestVerdicts))
		t.Run("BatchVerdict", mustRun(TestBatchVerdict))
		t.Run("QueueWithoutReader", mustRun(TestQueueWithoutReader))
		t.Run("OverrunReported", mustRun(TestOverrunReported))
		t.Run("PacketConntrack", mustRun(TestPacketConntrack))
		t.Run("PacketOwner", mustRun(TestPacketOwner))
		t.Run("GSO", mustRun(TestGSO))
		t.Run("PhysDev", mustRun(TestPhysDev))
		t.Run("Repeat", mustRun(TestRepeat))
		t.Run("MangleResize", mustRun(TestMangleResize))
		t.Run("QueueConfigure", mustRun(TestQueueConfigure))
	})
}

// mustRun is test, failed if it skips.
func mustRun(test func(*testing.T)) func(*testing.T) {
	return func(t *testing.T) {
		t.Cleanup(func() {
			if t.Skipped() {
				t.Error("skipped in the VM, which has what it needs")
			}
		})
		test(t)
	}
}
