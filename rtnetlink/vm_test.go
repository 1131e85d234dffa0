//go:build linux

package rtnetlink_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// vmModules are the modules TestModulesVM loads: MPLS routing and its
// encapsulation (net.mpls's sysctls, which TestMPLSRoutesOracle sets, come
// with mpls_router alone), netdevsim (which the harness builds), and the
// link kinds of TestKindsMatchIP and the tests after it, loaded before
// them rather than on demand so that a kind the kernel lacks fails at
// boot, by name (netkit is built in from 6.7 on); and fou and fou6, which
// the kernel does not load on demand, for the tunnels' UDP encapsulation
// (TestTunnelEncapMatchIP).
var vmModules = []string{
	"mpls_router", "mpls_iptunnel", "netdevsim",
	"8021q", "bonding", "dummy", "vrf", "ipvlan", "ipvtap", "macvlan", "macvtap", "vxlan", "geneve", "wireguard",
	"ip_gre", "ip6_gre", "ipip", "sit", "ip6_tunnel", "ip_vti", "ip6_vti", "xfrm_interface", "fou", "fou6",
	"team", "team_mode_roundrobin", "team_mode_activebackup", "team_mode_loadbalance", "team_mode_broadcast", "team_mode_random",
	"macsec", "nlmon",
}

// TestModulesVM runs the oracle tests of what this machine's kernel lacks
// (MPLS routing and the MPLS and seg6 encapsulations, VRF, bridge VLAN
// filtering and VLAN tunnels, dummy links, bonds and their ports, VLANs,
// every link kind of TestKindsMatchIP, made and changed, the tunnels' UDP
// encapsulation, kinds the package does not decode, a network card's
// permanent address, SR-IOV virtual functions of a netdevsim port) in a VM of
// Debian's 6.12 (with NLKIT_VM=1; see internal/vmtest), with a virtio-net
// card and vmModules loaded. There a test that skips fails, at any depth
// (vmtest.Run), but for those AllowSkip names with the reason: that kernel
// has what they need. The whole package runs on every kernel of the
// matrix, where these tests skip what a kernel lacks (netkit on 6.1), with
// go run ./internal/cmd/vmtest -kernel 6.1,6.12 -nics virtio-net-pci
// -modules netdevsim ./rtnetlink.
func TestModulesVM(t *testing.T) {
	cfg := vmtest.Config{Kernel: "6.12", Modules: vmModules, NICs: []string{"virtio-net-pci"}, AllowSkip: map[string]string{
		"KindsMatchIP/bareudp": "Debian's kernels are built without CONFIG_BAREUDP (6.1 and 6.12 alike)",
	}}
	vmtest.Run(t, cfg, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			test func(*testing.T)
		}{
			{"MPLSRoutesOracle", TestMPLSRoutesOracle},
			{"RouteEncapOracle", TestRouteEncapOracle},
			{"VRFPorts", TestVRFPorts},
			{"VRFMatchesIP", TestVRFMatchesIP},
			{"BridgeVLANOptions", TestBridgeVLANOptions},
			{"BridgeVLANsMatchBridge", TestBridgeVLANsMatchBridge},
			{"BridgeVLANTunnelsMatchBridge", TestBridgeVLANTunnelsMatchBridge},
			{"PermanentAddress", TestPermanentAddress},
			{"CreateListedLinkKinds", TestCreateListedLinkKinds},
			{"NextHopEncapOracle", TestNextHopEncapOracle},
			{"VFsMatchIP", TestVFsMatchIP},
			{"SetLinkVF", TestSetLinkVF},
			{"CreateListedBonds", TestCreateListedBonds},
			{"KindsMatchIP", TestKindsMatchIP},
			{"KindsChangeMatchIP", TestKindsChangeMatchIP},
			{"TunnelEncapMatchIP", TestTunnelEncapMatchIP},
			{"IPTunnelProtoZero", TestIPTunnelProtoZero},
			{"UnknownKindsListed", TestUnknownKindsListed},
			{"VlanMatchesIP", TestVlanMatchesIP},
			{"BondPorts", TestBondPorts},
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
