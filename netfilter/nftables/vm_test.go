//go:build linux

package nftables_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestModulesVM runs the flowtable, queue and notrack round trips, which
// need modules this machine's kernel lacks, and a large transaction, in
// VMs of Debian's 6.1 and 6.12 (with NLKIT_VM=1; see internal/vmtest):
// kernels before 6.10 acknowledge no batch begin or end message, which a
// transaction must not wait for. There a test that skips fails. The
// whole package runs on every kernel of the matrix with go run
// ./internal/cmd/vmtest -kernel 6.1,6.12 ./netfilter/nftables.
func TestModulesVM(t *testing.T) {
	for _, k := range []string{"6.1", "6.12"} {
		t.Run(k, func(t *testing.T) {
			vmtest.Run(t, vmtest.Config{Kernel: k}, func(t *testing.T) {
				for _, tc := range []struct {
					name string
					test func(*testing.T)
				}{
					{"FlowtableRoundTrip", TestFlowtableRoundTrip},
					{"QueueNotrackRoundTrip", TestQueueNotrackRoundTrip},
					{"LargeTransaction", TestLargeTransaction},
					{"CommitCanceled", TestCommitCanceled},
				} {
					t.Run(tc.name, func(t *testing.T) {
						t.Cleanup(func() {
							if t.Skipped() {
								t.Errorf("%s skipped in the VM, whose kernel has what it needs", tc.name)
							}
						})
						tc.test(t)
					})
				}
			})
		})
	}
}
