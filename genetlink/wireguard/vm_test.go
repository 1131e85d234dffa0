//go:build linux

package wireguard_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestDeviceVM runs the package's kernel tests, which this machine's
// kernel (no wireguard module) skips, in a VM of Debian's 6.12 with the
// wireguard module loaded and wg copied in (with NLKIT_VM=1; see
// internal/vmtest): a test that skips there fails, and so does a missing
// wg (Config.Tools makes it required on the host, and haveWG in the VM).
// Without -short, TestDevice20000Peers sets and reads back all 20,000
// peers. The whole package runs on every kernel of the matrix with go run
// ./internal/cmd/vmtest -kernel 6.1,6.12 -modules wireguard
// ./genetlink/wireguard.
func TestDeviceVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12", Modules: []string{"wireguard"}, Tools: []string{"wg"}}, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			test func(*testing.T)
		}{
			{"DeviceChanges", TestDeviceChanges},
			{"Handshake", TestHandshake},
			{"Device20000Peers", TestDevice20000Peers},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Cleanup(func() {
					if t.Skipped() {
						t.Errorf("%s skipped in the VM, whose kernel has WireGuard", tc.name)
					}
				})
				tc.test(t)
			})
		}
	})
}
