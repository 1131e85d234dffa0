//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// TestBridgeVLANOptions: bridges with VLAN filtering, a VLAN protocol, a
// default PVID (0, none, among them) and multicast snooping off, made through
// the package and through ip, read as ip -j -d link show shows them, both
// ways; and each, listed, deleted and created again from its listing, is
// the bridge it was. It needs VLAN filtering in the kernel
// (CONFIG_BRIDGE_VLAN_FILTERING), which this machine's lacks: it skips
// there, saying so, and runs in the VM (TestModulesVM).
func TestBridgeVLANOptions(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	ours := []rtnetlink.Link{
		{Name: "br0", Data: &rtnetlink.Bridge{VLANFiltering: true, VLANProtocol: unix.ETH_P_8021AD, DefaultPVID: 3}},
		{Name: "br1", Data: &rtnetlink.Bridge{VLANFiltering: true, NoMulticastSnooping: true}},
	}
	for _, l := range ours {
		if _, err := rt.CreateLink(ctx, l); errors.Is(err, unix.EOPNOTSUPP) {
			t.Skipf("no bridge VLAN filtering in this kernel (CONFIG_BRIDGE_VLAN_FILTERING): %v", err)
		} else if err != nil {
			t.Fatalf("CreateLink %s: %v", l.Name, err)
		}
	}
	ns.Batch(t, []string{
		"link add br2 type bridge vlan_filtering 1 vlan_protocol 802.1ad vlan_default_pvid 7",
		"link add br3 type bridge vlan_filtering 1 vlan_default_pvid 0 mcast_snooping 0",
	})
	want := map[string]rtnetlink.Bridge{
		"br0": {VLANFiltering: true, VLANProtocol: unix.ETH_P_8021AD, DefaultPVID: 3},
		"br1": {VLANFiltering: true, VLANProtocol: unix.ETH_P_8021Q, DefaultPVID: 1, NoMulticastSnooping: true},
		"br2": {VLANFiltering: true, VLANProtocol: unix.ETH_P_8021AD, DefaultPVID: 7},
		"br3": {VLANFiltering: true, VLANProtocol: unix.ETH_P_8021Q, NoMulticastSnooping: true},
	}
	for _, l := range compareWithIP(t, ns, rt) {
		w, ok := want[l.Name]
		if !ok {
			continue
		}
		b, _ := l.Data.(*rtnetlink.Bridge)
		if b == nil || b.VLANFiltering != w.VLANFiltering || b.VLANProtocol != w.VLANProtocol || b.DefaultPVID != w.DefaultPVID ||
			b.NoMulticastSnooping != w.NoMulticastSnooping {
			t.Errorf("%s: read %+v, want %+v", l.Name, l.Data, w)
		}
	}
	// ip's view of a bridge's options, but for what the kernel alone
	// sets (its STP identifiers and timers).
	info := func(name string) string {
		li, _ := ipJSON(t, ns, name)["linkinfo"].(map[string]any)
		data, _ := li["info_data"].(map[string]any)
		for _, k := range []string{"bridge_id", "root_id", "root_port", "root_path_cost", "topology_change",
			"topology_change_detected", "hello_timer", "tcn_timer", "topology_change_timer", "gc_timer"} {
			delete(data, k)
		}
		return fmt.Sprint(data)
	}
	for _, name := range []string{"br0", "br1", "br2", "br3"} {
		listed, err := rt.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		before := info(name)
		if err := rt.DeleteLink(ctx, listed.Index); err != nil {
			t.Fatal(err)
		}
		if _, err := rt.CreateLink(ctx, listed); err != nil {
			t.Fatalf("CreateLink(%+v) as listed: %v", listed, err)
		}
		if after := info(name); after != before {
			t.Errorf("%s: after re-creating as listed, ip says\n%s\nbefore:\n%s", name, after, before)
		}
	}
}
