//go:build linux

package xfrm_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestStatesVM runs the state tests, which this machine's kernel (no ESP,
// AH or IPcomp) skips, in a VM of Linux 6.12 (with NLKIT_VM=1; see
// internal/vmtest). The VM loads the protocols' modules (esp4, ah6,
// xfrm_ipcomp, ...) and the crypto templates of the algorithms (authenc,
// gcm, deflate, ...) on demand. The whole package runs on every kernel of
// the matrix with go run ./internal/cmd/vmtest -kernel 6.1,6.12 ./xfrm.
func TestStatesVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12"}, func(t *testing.T) {
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
