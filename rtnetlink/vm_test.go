//go:build linux

package rtnetlink_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestModulesVM runs the oracle tests of what this machine's kernel lacks
// (MPLS routing and the MPLS and seg6 encapsulations, VRF, bridge VLAN
// filtering, dummy links, bonds, a network card's permanent address,
// SR-IOV virtual functions of a netdevsim port) in a VM of Debian's 6.12
// (with NLKIT_VM=1; see internal/vmtest), with a virtio-net card,
// netdevsim (which the harness builds) and MPLS routing's modules loaded:
// net.mpls's sysctls, which TestMPLSRoutesOracle sets, come with
// mpls_router alone. There a test that skips fails: that kernel has what
// they need. The whole package runs on every kernel of the matrix with go
// run ./internal/cmd/vmtest -kernel 6.1,6.12 -nics virtio-net-pci
// -modules netdevsim ./rtnetlink.
func TestModulesVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12", Modules: []string{"mpls_router", "mpls_iptunnel", "dummy", "bonding", "netdevsim"}, NICs: []string{"virtio-net-pci"}}, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			test func(*testing.T)
		}{
			{"MPLSRoutesOracle", TestMPLSRoutesOracle},
			{"RouteEncapOracle", TestRouteEncapOracle},
			{"VRFPorts", TestVRFPorts},
			{"BridgeVLANOptions", TestBridgeVLANOptions},
			{"BridgeVLANsMatchBridge", TestBridgeVLANsMatchBridge},
			{"PermanentAddress", TestPermanentAddress},
			{"CreateListedLinkKinds", TestCreateListedLinkKinds},
			{"VFsMatchIP", TestVFsMatchIP},
			{"SetLinkVF", TestSetLinkVF},
			{"CreateListedBonds", TestCreateListedBonds},
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
}
