//go:build linux

package xfrm_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// ipsecModules are what the state tests need of a distribution kernel:
// the protocols and the crypto templates their algorithms use, which the
// VM's initramfs holds only when named (it carries the networking
// modules alone by default).
var ipsecModules = []string{"esp4", "esp6", "ah4", "ah6", "xfrm_ipcomp", "ipcomp", "ipcomp6",
	"authenc", "authencesn", "echainiv", "seqiv", "gcm", "ghash_generic", "deflate"}

// TestStatesVM runs the state tests, which this machine's kernel (no ESP,
// AH or IPcomp) skips, in a VM of Linux 6.12 with ipsecModules (with
// NLKIT_VM=1; see internal/vmtest).
func TestStatesVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12", Modules: ipsecModules}, func(t *testing.T) {
		t.Run("FromIP", TestStateFromIP)
		t.Run("ToIP", TestStateToIP)
		t.Run("Errors", TestStateErrors)
		t.Run("AE", TestAE)
		t.Run("AllocSPIComplete", TestAllocSPIComplete)
		t.Run("WatchState", TestWatchState)
		t.Run("WatchStateExpire", TestWatchStateExpire)
		t.Run("WatchStateExpireSeconds", TestWatchStateExpireSeconds)
		t.Run("WatchMapping", TestWatchMapping)
		t.Run("SmallBuffer", TestStatesSmallBuffer)
		t.Run("KeyBits", TestStateKeyBits)
	})
}
