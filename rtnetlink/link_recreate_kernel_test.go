//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// ipJSON returns what `ip -j -d link show dev NAME` prints of one link.
func ipJSON(t *testing.T, ns *nstest.NS, name string) map[string]any {
	t.Helper()
	var links []map[string]any
	out := ns.Run(t, "-j", "-d", "link", "show", "dev", name)
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j -d link show dev %s: %v: %s", name, err, out)
	}
	return links[0]
}

// recreatedKeys are the keys of ip's JSON that a link created from its
// listing must have as before: what Link models, and what CreateLink
// sends back from Link.Other.
var recreatedKeys = []string{
	"ifindex", "ifname", "mtu", "txqlen", "address", "broadcast", "link", "master",
	"num_tx_queues", "num_rx_queues", "linkmode", "gso_max_size", "gso_max_segs", "gro_max_size",
	"inet6_addr_gen_mode",
}

// TestCreateListedLink: a link created by ip, listed, deleted and created
// again from its listing is the link it was, as ip sees it, including what
// Link does not model but keeps in Other (the numbers of queues), and the
// zeros of fields that mean the kernel's default on creation: a bridge's
// forward delay, ageing time and priority, a link's MTU, transmit queue
// length, GSO segments and GRO sizes (qz0, an ifb, whose MTU may be 0).
func TestCreateListedLink(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	ns.Batch(t, []string{
		"link add qv0 type veth peer name qv1",
		"link add q0 numtxqueues 4 numrxqueues 3 txqueuelen 77 mtu 1400 address 02:00:00:00:22:01 type ifb",
		"link add qb0 numtxqueues 2 type bridge mcast_hash_max 1024 group_fwd_mask 0x8 mcast_query_interval 3000 mcast_stats_enabled 1",
		"link add qb1 type bridge forward_delay 0 ageing_time 0 priority 0",
		"link add qm0 link qv0 numtxqueues 3 numrxqueues 5 type macvlan mode bridge bcqueuelen 500",
		"link add qx0 numrxqueues 2 type vxlan id 22 dstport 4789 local 198.18.0.1 ageing 600 df set noudpcsum l2miss",
		"link set qv1 master qb0",
		"link add qz0 mtu 0 txqueuelen 0 gso_max_segs 0 gro_max_size 0 type ifb",
	})
	// ip has no gro_ipv4_max_size before 6.3; the package sets it.
	if z, err := rt.LinkByName(ctx, "qz0"); err != nil {
		t.Fatal(err)
	} else if err := rt.SetLinkGROIPv4MaxSize(ctx, z.Index, 0); err != nil {
		t.Fatal(err)
	}
	recreateListed(t, ns, rt, "q0", "qb0", "qb1", "qm0", "qx0", "qz0")
}

// TestCreateListedLinkAddrGenMode: a link's IPv6 address generation
// mode is created again as it was listed where the namespace's default
// (net.ipv6.conf.default.addr_gen_mode) is another: eui64, whose 0 the
// field alone cannot tell from "not set", none, and random, the default
// itself; a link without IPv6 (an MTU below 1280) has none to set.
func TestCreateListedLinkAddrGenMode(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-qw", "net.ipv6.conf.default.addr_gen_mode=3").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v: %s", err, out)
	}
	ns.Batch(t, []string{
		"link add ga0 type ifb", "link set ga0 addrgenmode eui64",
		"link add gb0 type ifb", "link set gb0 addrgenmode none",
		"link add gc0 type ifb",
		"link add gd0 mtu 1000 type ifb",
	})
	for name, want := range map[string]rtnetlink.AddrGenMode{"ga0": rtnetlink.AddrGenEUI64, "gb0": rtnetlink.AddrGenNone, "gc0": rtnetlink.AddrGenRandom, "gd0": 0} {
		l, err := rt.LinkByName(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if l.AddrGenMode != want || l.HasAddrGenMode != (name != "gd0") {
			t.Errorf("%s: AddrGenMode %v, HasAddrGenMode %v; want %v, %v", name, l.AddrGenMode, l.HasAddrGenMode, want, name != "gd0")
		}
	}
	recreateListed(t, ns, rt, "ga0", "gb0", "gc0", "gd0")
}

// TestCreateListedLinkKinds is TestCreateListedLink for kinds this
// machine's kernel lacks (it runs in TestModulesVM): a dummy of MTU 0.
func TestCreateListedLinkKinds(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	for _, cmd := range []string{
		"link add qd0 mtu 0 type dummy",
	} {
		if out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "ip"}, strings.Fields(cmd)...)...).CombinedOutput(); err != nil {
			t.Skipf("ip %s: %v: %s (the kernel lacks the kind?)", cmd, err, out)
		}
	}
	recreateListed(t, ns, rt, "qd0")
}

// TestCreateListedBonds is TestCreateListedLink for bonds of every mode
// (it runs in TestModulesVM: this machine's kernel has no bonding), each
// with options of its mode that ip set. The kernel lists every option of
// every mode, and refuses those a mode has no use for (EACCES, "option
// not supported in mode"): CreateLink sends each mode's own. A bond with
// a port is created again without it (the port left when the bond was
// deleted), and has it back as its active port once it is its port
// again. A bond whose mode ip changed keeps an option of its first mode
// that the kernel still reports (ad_lacp_rate) but takes in that mode
// alone: created again, it has the default.
func TestCreateListedBonds(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	for _, cmd := range []string{
		"link add qbr0 type bond mode balance-rr packets_per_slave 5 miimon 50 updelay 100 arp_missed_max 4 resend_igmp 3",
		"link add qbr1 type bond",
		"link add qab0 type bond mode active-backup arp_interval 200 arp_ip_target 198.18.0.1,198.18.0.2 arp_validate active arp_all_targets all primary_reselect better fail_over_mac active num_grat_arp 3",
		"link add qxo0 type bond mode balance-xor xmit_hash_policy layer3+4 miimon 100 downdelay 300 all_slaves_active 1",
		"link add qbc0 type bond mode broadcast min_links 2 miimon 100 peer_notify_delay 200",
		"link add qad0 type bond mode 802.3ad lacp_rate fast lacp_active off ad_select bandwidth ad_actor_sys_prio 100 ad_user_port_key 5 ad_actor_system 02:00:00:00:00:01",
		"link add qad1 type bond mode 802.3ad",
		"link add qtl0 type bond mode balance-tlb tlb_dynamic_lb 0 lp_interval 5 xmit_hash_policy layer2+3",
		"link add qal0 type bond mode balance-alb lp_interval 3",
		"link add qmc0 type bond mode 802.3ad lacp_rate fast", "link set qmc0 type bond mode active-backup",
		"link add qap0 type bond mode active-backup miimon 100", "link add qp0 type dummy",
		"link set qp0 master qap0", "link set qp0 up", "link set qap0 up",
	} {
		if out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "ip"}, strings.Fields(cmd)...)...).CombinedOutput(); err != nil {
			t.Skipf("ip %s: %v: %s (the kernel lacks bonding?)", cmd, err, out)
		}
	}
	recreateListed(t, ns, rt, "qbr0", "qbr1", "qab0", "qxo0", "qbc0", "qad0", "qad1", "qtl0", "qal0")
	li, _ := ipJSON(t, ns, "qap0")["linkinfo"].(map[string]any)
	if data, _ := li["info_data"].(map[string]any); data["active_slave"] != "qp0" {
		t.Fatalf("qap0's active port is not qp0: %v", li)
	}
	recreateListedThen(t, ns, rt, "qap0", nil, func(t *testing.T, again rtnetlink.Link) {
		p, err := rt.LinkByName(ctx, "qp0")
		if err != nil {
			t.Fatal(err)
		}
		if p.MasterIndex != 0 {
			t.Errorf("qp0 is still a port of %d", p.MasterIndex)
		}
		if err := rt.SetLinkMaster(ctx, p.Index, again.Index); err != nil {
			t.Fatal(err)
		}
	})
	recreateListedThen(t, ns, rt, "qmc0", []string{"ad_lacp_rate"}, nil)
}

// recreateListed lists each link named, deletes it and creates it again
// from its listing, and checks that ip -j -d lists it as before.
func recreateListed(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, names ...string) {
	for _, name := range names {
		recreateListedThen(t, ns, rt, name, nil, nil)
	}
}

// recreateListedThen is recreateListed for one link, which then, when not
// nil, runs on the link created before ip's listings are compared, and
// which leaves the keys of the kind's data in unlisted out of the
// comparison.
func recreateListedThen(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, name string, unlisted []string, then func(*testing.T, rtnetlink.Link)) {
	ctx := context.Background()
	t.Run(name, func(t *testing.T) {
		listed, err := rt.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if listed.Other == "" {
			t.Fatalf("%s: nothing kept in Other", name)
		}
		before := ipJSON(t, ns, name)
		if err := rt.DeleteLink(ctx, listed.Index); err != nil {
			t.Fatal(err)
		}
		made, err := rt.CreateLink(ctx, listed)
		if err != nil {
			t.Fatalf("CreateLink of %s as listed (%+v): %v", name, listed.Data, err)
		}
		if then != nil {
			then(t, made)
		}
		again, err := rt.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		type limits struct{ MTU, TxQueueLen, GSOMaxSegs, GROMaxSize, GROIPv4MaxSize uint32 }
		of := func(l rtnetlink.Link) limits {
			return limits{l.MTU, l.TxQueueLen, l.GSOMaxSegs, l.GROMaxSize, l.GROIPv4MaxSize}
		}
		if b, a := of(listed), of(again); a != b {
			t.Errorf("%s: listed again with %+v, before %+v", name, a, b)
		}
		after := ipJSON(t, ns, name)
		for _, k := range recreatedKeys {
			if b, a := fmt.Sprint(before[k]), fmt.Sprint(after[k]); a != b {
				t.Errorf("%s: ip says %s %s after re-creating, %s before", name, k, a, b)
			}
		}
		// The kind and every option it had (kept in the kind's
		// Other when the type has no field for it), but for what
		// only the kernel sets: the bridge's STP identifiers and
		// timers.
		info := func(m map[string]any) string {
			li, _ := m["linkinfo"].(map[string]any)
			data, _ := li["info_data"].(map[string]any)
			for _, k := range []string{"bridge_id", "root_id", "root_port", "root_path_cost", "topology_change",
				"topology_change_detected", "hello_timer", "tcn_timer", "topology_change_timer", "gc_timer"} {
				delete(data, k)
			}
			for _, k := range unlisted {
				delete(data, k)
			}
			return fmt.Sprint(li["info_kind"], data)
		}
		if info(before) != info(after) {
			t.Errorf("%s: after re-creating, ip says\n%s\nbefore:\n%s", name, info(after), info(before))
		}
	})
}
