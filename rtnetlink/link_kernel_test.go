//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// Kernel tests: each runs in throwaway network namespaces, with iproute2's
// `ip -j -d link show` as the oracle.

func dial(t *testing.T, ns *nstest.NS, cfg netlink.Config) *rtnetlink.Conn {
	t.Helper()
	cfg.NetNS = ns.Path
	rt, err := rtnetlink.Dial(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}

func listLinks(t *testing.T, rt *rtnetlink.Conn, f rtnetlink.LinkFilter) []rtnetlink.Link {
	t.Helper()
	var links []rtnetlink.Link
	for l, err := range rt.Links(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	return links
}

// ipLink is what `ip -j -s -d link show` prints of a link.
type ipLink struct {
	Index       int      `json:"ifindex"`
	Name        string   `json:"ifname"`
	Flags       []string `json:"flags"`
	MTU         uint32   `json:"mtu"`
	MinMTU      *uint32  `json:"min_mtu"`
	MaxMTU      *uint32  `json:"max_mtu"`
	OperState   string   `json:"operstate"`
	TxQueueLen  uint32   `json:"txqlen"`
	LinkType    string   `json:"link_type"`
	Address     string   `json:"address"`
	Broadcast   string   `json:"broadcast"`
	Master      string   `json:"master"`
	Link        *string  `json:"link"`       // the parent's name, in this namespace
	LinkIndex   int      `json:"link_index"` // the parent's index, in another
	LinkNetNSID *int32   `json:"link_netnsid"`
	Alias       string   `json:"ifalias"`
	LinkInfo    struct {
		Kind      string                     `json:"info_kind"`
		Data      map[string]json.RawMessage `json:"info_data"`
		SlaveKind string                     `json:"info_slave_kind"`
		SlaveData map[string]json.RawMessage `json:"info_slave_data"`
	} `json:"linkinfo"`
	Promiscuity     *uint32           `json:"promiscuity"`
	Group           string            `json:"group"`
	GSOMaxSize      *uint32           `json:"gso_max_size"`
	GSOMaxSegs      *uint32           `json:"gso_max_segs"`
	GROMaxSize      *uint32           `json:"gro_max_size"`
	GSOIPv4MaxSize  *uint32           `json:"gso_ipv4_max_size"` // iproute2 6.3 and later
	GROIPv4MaxSize  *uint32           `json:"gro_ipv4_max_size"`
	AddrGenMode     string            `json:"inet6_addr_gen_mode"`
	ProtoDown       bool              `json:"proto_down"`
	ProtoDownReason []string          `json:"proto_down_reason"`
	AltNames        []string          `json:"altnames"`
	PermAddr        string            `json:"permaddr"`
	NumVF           int               `json:"num_vf"`
	VFs             []json.RawMessage `json:"vfinfo_list"`
	XDP             *struct {
		Mode int `json:"mode"`
		Prog *struct {
			ID uint32 `json:"id"`
		} `json:"prog"`
	} `json:"xdp"`
	Stats struct {
		RX ipStats `json:"rx"`
		TX ipStats `json:"tx"`
	} `json:"stats64"`
}

type ipStats struct {
	Bytes, Packets, Errors, Dropped, Multicast, Collisions uint64
}

func ipLinks(t *testing.T, ns *nstest.NS, args ...string) []ipLink {
	t.Helper()
	var links []ipLink
	out := ns.Run(t, append([]string{"-j", "-s", "-d", "link", "show"}, args...)...)
	if err := json.Unmarshal([]byte(out), &links); err != nil {
		t.Fatalf("ip -j link show: %v: %s", err, out)
	}
	return links
}

// compareWithIP lists the links of ns through rt and compares them, field
// by field, with what ip says of them. Counters only grow, so each must lie
// between ip's reading before the dump and ip's reading after it.
func compareWithIP(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn) []rtnetlink.Link {
	t.Helper()
	before := ipLinks(t, ns)
	ours := listLinks(t, rt, rtnetlink.LinkFilter{})
	after := ipLinks(t, ns)
	if len(ours) != len(after) || len(before) != len(after) {
		t.Fatalf("%s: listed %d links, ip lists %d then %d", ns.Name, len(ours), len(before), len(after))
	}
	index := map[string]int{}
	for _, ip := range after {
		index[ip.Name] = ip.Index
	}
	for i, ip := range after {
		// The state may change between the readings: ours must match
		// one of ip's.
		if diffs := compareLink(ip, ours[i], index); len(diffs) > 0 && len(compareLink(before[i], ours[i], index)) > 0 {
			t.Error(strings.Join(diffs, "\n"))
		}
		compareStats(t, before[i], ip, ours[i])
	}
	return ours
}

// ipFlags returns the flags as ip prints them: without RUNNING, with
// NO-CARRIER for a link up and not running.
func ipFlags(f rtnetlink.LinkFlags) string {
	var s []string
	if f&rtnetlink.LinkUp != 0 && f&rtnetlink.LinkRunning == 0 {
		s = append(s, "NO-CARRIER")
	}
	if f &^= rtnetlink.LinkRunning; f != 0 {
		s = append(s, f.String())
	}
	return strings.Join(s, ",")
}

// ipLinkTypes are ip's names of the hardware types (iproute2's ll_types):
// the tunnels' are there in the VM, where the kernels' modules put fallback
// devices (gre0, tunl0, sit0, ip6tnl0, ...) in every new namespace.
var ipLinkTypes = map[string]uint16{"ether": unix.ARPHRD_ETHER, "loopback": unix.ARPHRD_LOOPBACK, "none": unix.ARPHRD_NONE,
	"ipip": unix.ARPHRD_TUNNEL, "tunnel6": unix.ARPHRD_TUNNEL6, "sit": unix.ARPHRD_SIT, "gre": unix.ARPHRD_IPGRE,
	"gre6": unix.ARPHRD_IP6GRE}

// ipHardwareAddr returns a as ip prints the address of a link of type typ:
// an IP tunnel's as an IPv4 or IPv6 address (ll_addr_n2a), others as MAC
// addresses.
func ipHardwareAddr(a net.HardwareAddr, typ uint16) string {
	switch typ {
	case unix.ARPHRD_TUNNEL, unix.ARPHRD_SIT, unix.ARPHRD_IPGRE:
		if len(a) == 4 {
			return netip.AddrFrom4([4]byte(a)).String()
		}
	case unix.ARPHRD_TUNNEL6, unix.ARPHRD_IP6GRE:
		if len(a) == 16 {
			return netip.AddrFrom16([16]byte(a)).String()
		}
	}
	return a.String()
}

// compareLink returns how l differs from ip's view of it; index maps ip's
// names to indexes.
func compareLink(ip ipLink, l rtnetlink.Link, index map[string]int) []string {
	var diffs []string
	errorf := func(field string, got, want any) {
		diffs = append(diffs, fmt.Sprintf("link %d %s: %s = %v, ip says %v", ip.Index, ip.Name, field, got, want))
	}
	if l.Index != ip.Index {
		errorf("Index", l.Index, ip.Index)
	}
	if l.Name != ip.Name {
		errorf("Name", l.Name, ip.Name)
	}
	var flags []string
	for _, f := range ip.Flags {
		if f != "M-DOWN" { // ip's word for a parent that is down
			flags = append(flags, f)
		}
	}
	if got, want := ipFlags(l.Flags), strings.Join(flags, ","); got != want {
		errorf("Flags", got, want)
	}
	if l.OperState.String() != ip.OperState {
		errorf("OperState", l.OperState, ip.OperState)
	}
	if l.MTU != ip.MTU {
		errorf("MTU", l.MTU, ip.MTU)
	}
	if ip.MinMTU != nil && l.MinMTU != *ip.MinMTU {
		errorf("MinMTU", l.MinMTU, *ip.MinMTU)
	}
	if ip.MaxMTU != nil && l.MaxMTU != *ip.MaxMTU {
		errorf("MaxMTU", l.MaxMTU, *ip.MaxMTU)
	}
	if l.TxQueueLen != ip.TxQueueLen {
		errorf("TxQueueLen", l.TxQueueLen, ip.TxQueueLen)
	}
	if typ, ok := ipLinkTypes[ip.LinkType]; !ok || l.HardwareType != typ {
		errorf("HardwareType", l.HardwareType, ip.LinkType)
	}
	if got := ipHardwareAddr(l.HardwareAddr, l.HardwareType); got != ip.Address {
		errorf("HardwareAddr", got, ip.Address)
	}
	if got := ipHardwareAddr(l.Broadcast, l.HardwareType); got != ip.Broadcast {
		errorf("Broadcast", got, ip.Broadcast)
	}
	if want := index[ip.Master]; l.MasterIndex != want {
		errorf("MasterIndex", l.MasterIndex, ip.Master)
	}
	parent := ip.LinkIndex
	if ip.Link != nil {
		parent = index[*ip.Link]
		if n, ok := strings.CutPrefix(*ip.Link, "if"); ok && parent == 0 {
			parent, _ = strconv.Atoi(n)
		}
	}
	if l.ParentIndex != parent {
		errorf("ParentIndex", l.ParentIndex, parent)
	}
	nsid := int32(-1)
	if ip.LinkNetNSID != nil {
		nsid = *ip.LinkNetNSID
	}
	if l.LinkNetNSID != nsid {
		errorf("LinkNetNSID", l.LinkNetNSID, nsid)
	}
	if l.Alias != ip.Alias {
		errorf("Alias", l.Alias, ip.Alias)
	}
	if l.Kind != ip.LinkInfo.Kind {
		errorf("Kind", l.Kind, ip.LinkInfo.Kind)
	}
	if ip.Promiscuity != nil && l.Promiscuity != *ip.Promiscuity {
		errorf("Promiscuity", l.Promiscuity, *ip.Promiscuity)
	}
	if group := strconv.FormatUint(uint64(l.Group), 10); l.Group == 0 && ip.Group != "default" || l.Group != 0 && ip.Group != group {
		errorf("Group", l.Group, ip.Group)
	}
	for _, c := range []struct {
		name string
		got  uint32
		ip   *uint32
	}{
		{"GSOMaxSize", l.GSOMaxSize, ip.GSOMaxSize},
		{"GSOMaxSegs", l.GSOMaxSegs, ip.GSOMaxSegs},
		{"GROMaxSize", l.GROMaxSize, ip.GROMaxSize},
		{"GSOIPv4MaxSize", l.GSOIPv4MaxSize, ip.GSOIPv4MaxSize},
		{"GROIPv4MaxSize", l.GROIPv4MaxSize, ip.GROIPv4MaxSize},
	} {
		if c.ip != nil && c.got != *c.ip {
			errorf(c.name, c.got, *c.ip)
		}
	}
	if ip.AddrGenMode != "" && l.AddrGenMode.String() != ip.AddrGenMode {
		errorf("AddrGenMode", l.AddrGenMode, ip.AddrGenMode)
	}
	if l.ProtoDown != ip.ProtoDown {
		errorf("ProtoDown", l.ProtoDown, ip.ProtoDown)
	}
	var reasons []string // ip prints the bits set
	for bit := range 32 {
		if l.ProtoDownReason&(1<<bit) != 0 {
			reasons = append(reasons, strconv.Itoa(bit))
		}
	}
	if strings.Join(reasons, ",") != strings.Join(ip.ProtoDownReason, ",") {
		errorf("ProtoDownReason", reasons, ip.ProtoDownReason)
	}
	if strings.Join(l.AltNames, ",") != strings.Join(ip.AltNames, ",") {
		errorf("AltNames", l.AltNames, ip.AltNames)
	}
	// ip prints the permanent address when it differs from the current one.
	if perm := ipHardwareAddr(l.PermHardwareAddr, l.HardwareType); ip.PermAddr != "" && perm != ip.PermAddr || ip.PermAddr == "" && perm != "" && perm != ip.Address {
		errorf("PermHardwareAddr", perm, ip.PermAddr)
	}
	// ip lists the virtual functions (vfinfo_list); bookworm's does not
	// print IFLA_NUM_VF (num_vf), which the list's length then stands for.
	if ip.NumVF != 0 && l.NumVF != ip.NumVF || len(ip.VFs) > 0 && l.NumVF != len(ip.VFs) {
		errorf("NumVF", l.NumVF, ip.NumVF)
	}
	diffs = append(diffs, compareVFs(fmt.Sprintf("link %d %s", ip.Index, ip.Name), ip.VFs, l.VFs)...)
	switch {
	case ip.XDP == nil:
		if l.XDP.Attached != rtnetlink.XDPAttachedNone {
			errorf("XDP", l.XDP, "none")
		}
	case int(l.XDP.Attached) != ip.XDP.Mode:
		errorf("XDP.Attached", l.XDP.Attached, ip.XDP.Mode)
	case ip.XDP.Prog != nil && l.XDP.ProgID != ip.XDP.Prog.ID:
		errorf("XDP.ProgID", l.XDP.ProgID, ip.XDP.Prog.ID)
	}
	diffs = append(diffs, comparePort(ip, l)...)
	return append(diffs, compareData(ip, l, index)...)
}

// comparePort compares the port settings with ip's info_slave_data.
func comparePort(ip ipLink, l rtnetlink.Link) []string {
	var diffs []string
	errorf := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	data := ip.LinkInfo.SlaveData
	field := func(name string, got any) {
		raw, ok := data[name]
		want := "<absent>"
		if ok {
			want = string(raw)
		}
		if g := fmt.Sprint(got); g != want {
			errorf("link %d %s: port %s = %s, ip says %s", ip.Index, ip.Name, name, g, want)
		}
	}
	switch p := l.Port.(type) {
	case nil:
		if ip.LinkInfo.SlaveKind != "" {
			errorf("link %d %s: no port data for a %s port", ip.Index, ip.Name, ip.LinkInfo.SlaveKind)
		}
	case *rtnetlink.BridgePort:
		if ip.LinkInfo.SlaveKind != "bridge" {
			errorf("link %d %s: bridge port data, ip says a %q port", ip.Index, ip.Name, ip.LinkInfo.SlaveKind)
		}
		field("state", strconv.Quote(p.State.String()))
		field("priority", p.Priority)
		field("cost", p.Cost)
		field("hairpin", p.Hairpin)
		field("guard", p.Guard)
		field("root_block", p.RootBlock)
		field("fastleave", p.FastLeave)
		field("learning", p.Learning)
		field("flood", p.Flood)
		field("mcast_flood", p.MulticastFlood)
		field("bcast_flood", p.BroadcastFlood)
		field("proxy_arp", p.ProxyARP)
		field("neigh_suppress", p.NeighSuppress)
		field("isolated", p.Isolated)
		field("id", strconv.Quote(fmt.Sprintf("%#x", p.ID)))
		field("no", strconv.Quote(fmt.Sprintf("%#x", p.Number)))
	case *rtnetlink.BondPort:
		if ip.LinkInfo.SlaveKind != "bond" {
			errorf("link %d %s: bond port data, ip says a %q port", ip.Index, ip.Name, ip.LinkInfo.SlaveKind)
		}
		for k, v := range bondPortView(p) {
			raw, ok := data[k]
			if !ok {
				if !reflect.ValueOf(v).IsZero() {
					errorf("link %d %s: port %s = %v, ip prints none", ip.Index, ip.Name, k, v)
				}
				continue
			}
			if !sameJSON(raw, v) {
				want, _ := json.Marshal(v)
				errorf("link %d %s: port %s = %s, ip says %s", ip.Index, ip.Name, k, want, raw)
			}
		}
		for k := range data {
			if _, ok := bondPortView(p)[k]; !ok {
				errorf("link %d %s: ip prints port %s = %s, which BondPort lacks", ip.Index, ip.Name, k, data[k])
			}
		}
	case *rtnetlink.VRFPort:
		if ip.LinkInfo.SlaveKind != "vrf" {
			errorf("link %d %s: vrf port data, ip says a %q port", ip.Index, ip.Name, ip.LinkInfo.SlaveKind)
		}
		field("table", p.Table)
		if len(data) != 1 || len(p.Other) != 0 {
			errorf("link %d %s: vrf port data %+v, ip says %v", ip.Index, ip.Name, p, data)
		}
	default:
		errorf("link %d %s: unexpected port data %T", ip.Index, ip.Name, p)
	}
	return diffs
}

// lacpStateNames name the bits of an LACP port state as ip does
// (ad_actor_oper_port_state_str), lowest first.
var lacpStateNames = []string{"active", "short_timeout", "aggregating", "in_sync", "collecting", "distributing", "defaulted", "expired"}

// lacpState lists the names of the bits set in an LACP port state.
func lacpState(s uint16) []string {
	names := []string{}
	for i, n := range lacpStateNames {
		if s&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

// bondPortView is a bond's port as ip -j -d prints its info_slave_data:
// each key and its value, as JSON marshals it. The 802.3ad keys are there
// for a port with an aggregator (whose IDs start at 1), the only ports
// the kernel sends them for.
func bondPortView(p *rtnetlink.BondPort) map[string]any {
	s := p.Status
	v := map[string]any{
		"state":              map[bool]string{false: "ACTIVE", true: "BACKUP"}[s.Backup],
		"mii_status":         s.MIIStatus.String(),
		"link_failure_count": s.LinkFailureCount,
		"perm_hwaddr":        s.PermHardwareAddr.String(),
		"queue_id":           p.QueueID,
		"prio":               p.Prio,
	}
	if s.AggregatorID != 0 {
		v["ad_aggregator_id"] = s.AggregatorID
		v["ad_actor_oper_port_state"] = s.ActorOperState
		v["ad_actor_oper_port_state_str"] = lacpState(uint16(s.ActorOperState))
		v["ad_partner_oper_port_state"] = s.PartnerOperState
		v["ad_partner_oper_port_state_str"] = lacpState(s.PartnerOperState)
	}
	return v
}

// sameJSON says whether raw, as ip printed it, is v as JSON marshals it.
func sameJSON(raw json.RawMessage, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	var got, want any
	if json.Unmarshal(raw, &got) != nil || json.Unmarshal(b, &want) != nil {
		return false
	}
	return reflect.DeepEqual(got, want)
}

// compareData compares the kind-specific data with ip's info_data.
func compareData(ip ipLink, l rtnetlink.Link, index map[string]int) []string {
	var diffs []string
	errorf := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	data := ip.LinkInfo.Data
	field := func(name string, got any) {
		raw, ok := data[name]
		want := "<absent>"
		if ok {
			want = string(raw)
		}
		if g := fmt.Sprint(got); g != want {
			errorf("link %d %s: %s data %s = %s, ip says %s", ip.Index, ip.Name, l.Kind, name, g, want)
		}
	}
	quoted := func(s string) string { return strconv.Quote(s) }
	switch d := l.Data.(type) {
	case nil:
		if ip.LinkInfo.Kind == "bridge" || ip.LinkInfo.Kind == "macvlan" || ip.LinkInfo.Kind == "macvtap" || ip.LinkInfo.Kind == "vxlan" || ip.LinkInfo.Kind == "tun" {
			errorf("link %d %s: no data for a %s", ip.Index, ip.Name, ip.LinkInfo.Kind)
		}
	case *rtnetlink.Bridge:
		cs := func(d time.Duration) int64 { return int64(d / (10 * time.Millisecond)) }
		field("forward_delay", cs(d.ForwardDelay))
		field("hello_time", cs(d.HelloTime))
		field("max_age", cs(d.MaxAge))
		field("ageing_time", cs(d.AgeingTime))
		field("stp_state", map[bool]int{false: 0, true: 1}[d.STP])
		field("vlan_filtering", map[bool]int{false: 0, true: 1}[d.VLANFiltering])
		field("priority", d.Priority)
		field("mcast_snooping", map[bool]int{false: 1, true: 0}[d.NoMulticastSnooping])
		// Without CONFIG_BRIDGE_VLAN_FILTERING the kernel reports neither.
		if _, ok := data["vlan_protocol"]; ok {
			field("vlan_protocol", quoted(map[uint16]string{0x8100: "802.1Q", 0x88a8: "802.1ad"}[d.VLANProtocol]))
			field("vlan_default_pvid", d.DefaultPVID)
		}
	case *rtnetlink.Macvlan:
		field("mode", quoted(d.Mode.String()))
	case *rtnetlink.Macvtap:
		field("mode", quoted(d.Mode.String()))
	case *rtnetlink.Vxlan:
		field("id", d.ID)
		field("port", d.Port)
		addr := func(name string, a netip.Addr) {
			switch {
			case a.Is4():
				field(name, quoted(a.String()))
			case a.Is6():
				field(name+"6", quoted(a.String()))
			default:
				field(name, "<absent>")
				field(name+"6", "<absent>")
			}
		}
		addr("local", d.Local)
		addr("remote", d.Remote)
		addr("group", d.Group)
		field("ttl", d.TTL)
		if d.TOS != 0 {
			field("tos", quoted(fmt.Sprintf("%#x", d.TOS)))
		} else {
			field("tos", "<absent>")
		}
		field("learning", !d.NoLearning)
		field("port_range", fmt.Sprintf(`{"low":%d,"high":%d}`, d.PortLow, d.PortHigh))
		if d.External {
			field("external", true)
		} else {
			field("external", "<absent>")
		}
		if raw, ok := data["link"]; ok {
			var name string
			json.Unmarshal(raw, &name)
			if index[name] != d.DevIndex {
				errorf("link %d %s: DevIndex = %d, ip says %s", ip.Index, ip.Name, d.DevIndex, name)
			}
		} else if d.DevIndex != 0 {
			errorf("link %d %s: DevIndex = %d, ip says none", ip.Index, ip.Name, d.DevIndex)
		}
	case *rtnetlink.Tun:
		field("type", quoted(map[bool]string{false: "tun", true: "tap"}[d.Tap]))
		field("pi", d.PI)
		field("vnet_hdr", d.VnetHdr)
		field("multi_queue", d.MultiQueue)
		field("persist", d.Persist)
		// ip names known users; the tests use IDs without a name.
		if d.Owner >= 0 {
			field("user", d.Owner)
		} else {
			field("user", "<absent>")
		}
		if d.Group >= 0 {
			field("group", d.Group)
		} else {
			field("group", "<absent>")
		}
	default:
		// The other kinds' fields are compared with ip's by
		// TestKindsMatchIP (link_kinds_ip_test.go); here, as for the
		// fallback tunnels (gre0, sit0, ...) the VM's modules put in
		// every namespace, the kind alone.
		if d.Kind() != ip.LinkInfo.Kind {
			errorf("link %d %s: data of kind %q (%T), ip says %q", ip.Index, ip.Name, d.Kind(), d, ip.LinkInfo.Kind)
		}
	}
	return diffs
}

// compareStats checks that l's counters lie between ip's readings before
// and after.
func compareStats(t *testing.T, before, after ipLink, l rtnetlink.Link) {
	t.Helper()
	s := l.Stats
	for _, c := range []struct {
		name   string
		got    uint64
		lo, hi uint64
	}{
		{"RxPackets", s.RxPackets, before.Stats.RX.Packets, after.Stats.RX.Packets},
		{"TxPackets", s.TxPackets, before.Stats.TX.Packets, after.Stats.TX.Packets},
		{"RxBytes", s.RxBytes, before.Stats.RX.Bytes, after.Stats.RX.Bytes},
		{"TxBytes", s.TxBytes, before.Stats.TX.Bytes, after.Stats.TX.Bytes},
		{"RxErrors", s.RxErrors, before.Stats.RX.Errors, after.Stats.RX.Errors},
		{"TxErrors", s.TxErrors, before.Stats.TX.Errors, after.Stats.TX.Errors},
		{"RxDropped", s.RxDropped, before.Stats.RX.Dropped, after.Stats.RX.Dropped},
		{"TxDropped", s.TxDropped, before.Stats.TX.Dropped, after.Stats.TX.Dropped},
		{"Multicast", s.Multicast, before.Stats.RX.Multicast, after.Stats.RX.Multicast},
		{"Collisions", s.Collisions, before.Stats.TX.Collisions, after.Stats.TX.Collisions},
	} {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("link %d %s: Stats.%s = %d, ip says %d before and %d after", after.Index, after.Name, c.name, c.got, c.lo, c.hi)
		}
	}
}

// sendUDP sends n UDP datagrams to dst:9 from inside ns, on a thread that
// enters ns and dies with its goroutine: the test's own threads stay in
// their namespace.
func sendUDP(t *testing.T, ns *nstest.NS, dst netip.Addr, n int) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		errc <- func() error {
			f, err := os.Open(ns.Path)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
				return err
			}
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BROADCAST, 1); err != nil {
				return err
			}
			for range n {
				if err := unix.Sendto(fd, []byte("nlkit"), 0, &unix.SockaddrInet4{Port: 9, Addr: dst.As4()}); err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	if err := <-errc; err != nil {
		t.Fatalf("sending UDP in %s: %v", ns.Name, err)
	}
}

func TestCreateLinksMatchIP(t *testing.T) {
	ns, ns2 := nstest.New(t), nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()

	br, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "br0", Data: &rtnetlink.Bridge{
		ForwardDelay: 4 * time.Second, AgeingTime: 100 * time.Second, Priority: 0x1000,
	}})
	if err != nil {
		t.Fatal(err)
	}
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0x12, 0x34}
	port := &rtnetlink.BridgePort{Priority: 5, Cost: 7, Hairpin: true, Guard: true, FastLeave: true,
		MulticastFlood: true, BroadcastFlood: true, NeighSuppress: true, Isolated: true}
	v0, err := rt.CreateLink(ctx, rtnetlink.Link{
		Name: "v0", MTU: 9000, HardwareAddr: mac, TxQueueLen: 500, MasterIndex: br.Index,
		Flags: rtnetlink.LinkUp, Data: &rtnetlink.Veth{PeerName: "v1"},
		Group: 7, GSOMaxSize: 40000, GSOMaxSegs: 100, GROMaxSize: 50000, GSOIPv4MaxSize: 30000, GROIPv4MaxSize: 20000,
		AddrGenMode: rtnetlink.AddrGenRandom, AltNames: []string{"v0-has-a-much-longer-alternative-name", "v0alt"},
		Port: port,
	})
	if err != nil {
		t.Fatal(err)
	}
	// What ip cannot check: that each was set as asked.
	if p, ok := v0.Port.(*rtnetlink.BridgePort); !ok || p.Cost != 7 || p.Priority != 5 || !p.Hairpin || !p.Isolated || p.Learning || p.Flood || p.ID == 0 {
		t.Errorf("CreateLink with port settings %+v: %+v", port, v0.Port)
	}
	// Kernels before 6.3 have no IPv4 GSO and GRO maximums of their own,
	// and ignore the attributes they do not know.
	gsoIPv4, groIPv4 := uint32(30000), uint32(20000)
	if !kernelAtLeast(t, 6, 3) {
		gsoIPv4, groIPv4 = 0, 0
	}
	if v0.Group != 7 || v0.GSOMaxSize != 40000 || v0.GSOMaxSegs != 100 || v0.GROMaxSize != 50000 || v0.GSOIPv4MaxSize != gsoIPv4 ||
		v0.GROIPv4MaxSize != groIPv4 || v0.AddrGenMode != rtnetlink.AddrGenRandom || len(v0.AltNames) != 2 {
		t.Errorf("CreateLink returned %+v", v0)
	}
	if v0.Name != "v0" || v0.MTU != 9000 || v0.HardwareAddr.String() != mac.String() || v0.TxQueueLen != 500 ||
		v0.MasterIndex != br.Index || v0.Flags&rtnetlink.LinkUp == 0 || v0.Kind != "veth" || v0.ParentIndex == 0 {
		t.Errorf("CreateLink returned %+v", v0)
	}
	if err := rt.SetLinkUp(ctx, v0.ParentIndex); err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkAlias(ctx, v0.Index, "uplink to the lab"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []rtnetlink.Link{
		{Name: "mv0", ParentIndex: v0.ParentIndex, Data: &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanBridge}},
		{Name: "mv1", ParentIndex: v0.ParentIndex, Data: &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanPrivate}},
		{Name: "vx0", Data: &rtnetlink.Vxlan{ID: 42, Port: 4789, Local: netip.MustParseAddr("10.0.0.1"),
			Remote: netip.MustParseAddr("10.0.0.2"), DevIndex: v0.ParentIndex}},
		{Name: "vx1", Data: &rtnetlink.Vxlan{ID: 7, Group: netip.MustParseAddr("239.1.1.1"), DevIndex: v0.ParentIndex}},
		{Name: "vx6", Data: &rtnetlink.Vxlan{ID: 1 << 20, Port: 4790, Local: netip.MustParseAddr("fd00::1"),
			Remote: netip.MustParseAddr("fd00::2")}},
		{Name: "ifb0", Kind: "ifb", TxQueueLen: 64},
		{Name: "br1", Kind: "bridge", Index: 77},
		{Name: "br2", Data: &rtnetlink.Bridge{NoMulticastSnooping: true}},
		{Name: "mt0", ParentIndex: v0.ParentIndex, Data: &rtnetlink.Macvtap{Mode: rtnetlink.MacvlanBridge}},
		{Name: "mv2", ParentIndex: v0.ParentIndex, Data: &rtnetlink.Macvlan{}, ProtoDown: true, ProtoDownReason: 1<<3 | 1<<5},
		{Name: "vx2", Data: &rtnetlink.Vxlan{ID: 8, TTL: 64, TOS: 1, NoLearning: true, PortLow: 1000, PortHigh: 2000}},
		{Name: "vx3", Data: &rtnetlink.Vxlan{External: true, Port: 4791}},
		{Name: "w0", Data: &rtnetlink.Veth{PeerName: "w1", PeerNetNS: rtnetlink.NetNSPath(ns2.Path)}},
	} {
		got, err := rt.CreateLink(ctx, l)
		if err != nil {
			t.Fatalf("CreateLink %s: %v", l.Name, err)
		}
		if got.Name != l.Name || (l.Index != 0 && got.Index != l.Index) || got.ProtoDown != l.ProtoDown || got.ProtoDownReason != l.ProtoDownReason {
			t.Errorf("CreateLink %s returned %+v", l.Name, got)
		}
		switch d := l.Data.(type) {
		case *rtnetlink.Vxlan:
			if g := got.Data.(*rtnetlink.Vxlan); g.TTL != d.TTL || g.TOS != d.TOS || g.PortLow != d.PortLow || g.PortHigh != d.PortHigh || g.External != d.External ||
				d.NoLearning && !g.NoLearning {
				t.Errorf("CreateLink %s: %+v, asked for %+v", l.Name, g, d)
			}
		case *rtnetlink.Bridge:
			if g := got.Data.(*rtnetlink.Bridge); g.NoMulticastSnooping != d.NoMulticastSnooping {
				t.Errorf("CreateLink %s: %+v, asked for %+v", l.Name, g, d)
			}
		case *rtnetlink.Macvtap:
			if g := got.Data.(*rtnetlink.Macvtap); g.Mode != d.Mode {
				t.Errorf("CreateLink %s: %+v, asked for %+v", l.Name, g, d)
			}
		}
	}
	f, err := os.Open(ns2.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "x0", Data: &rtnetlink.Veth{PeerName: "x1", PeerNetNS: rtnetlink.NetNSFD(int(f.Fd()))}}); err != nil {
		t.Fatal(err)
	}

	links := compareWithIP(t, ns, rt)
	compareWithIP(t, ns2, dial(t, ns2, netlink.Config{}))
	for _, l := range links {
		if l.Name == "w0" && l.LinkNetNSID < 0 {
			t.Errorf("w0's peer is in another namespace, LinkNetNSID = %d", l.LinkNetNSID)
		}
	}
	// Link and LinkByName agree with the dump.
	for _, want := range links {
		for _, get := range []func() (rtnetlink.Link, error){
			func() (rtnetlink.Link, error) { return rt.Link(ctx, want.Index) },
			func() (rtnetlink.Link, error) { return rt.LinkByName(ctx, want.Name) },
		} {
			got, err := get()
			if err != nil {
				t.Fatal(err)
			}
			// Counters and the operational state move on their own, and
			// Other holds counters too (IFLA_AF_SPEC's IPv6 statistics).
			for _, l := range []*rtnetlink.Link{&got, &want} {
				l.Stats, l.OperState, l.Other = rtnetlink.LinkStats{}, 0, ""
				if b, ok := l.Data.(*rtnetlink.Bridge); ok { // its Other holds the STP timers
					c := *b
					c.Other = ""
					l.Data = &c
				}
				l.Flags &^= rtnetlink.LinkRunning | rtnetlink.LinkLowerUp | rtnetlink.LinkDormant
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("get %s:\n got %+v\nwant %+v", want.Name, got, want)
			}
		}
	}
}

// TestReadIPLinks: what ip creates, Links reads back as ip shows it.
func TestReadIPLinks(t *testing.T) {
	ns, ns2 := nstest.New(t), nstest.New(t)
	ns.Batch(t, []string{
		"link add v0 mtu 4000 txqueuelen 99 address 02:00:00:00:00:01 group 5 gso_max_size 30000 gso_max_segs 50 gro_max_size 40000 type veth peer name v1 mtu 1400",
		"link add br0 type bridge stp_state 1 priority 100 forward_delay 500 hello_time 300 max_age 1000 ageing_time 2000",
		"link set v0 master br0",
		"link set v0 alias hello",
		"link set v0 type bridge_slave cost 9 priority 4 hairpin on guard on root_block on fastleave on learning off flood off mcast_flood off bcast_flood off proxy_arp on neigh_suppress on isolated on",
		"link set v1 promisc on",
		"link set v1 arp off",
		"link set v1 addrgenmode none",
		"link property add dev v1 altname v1-has-a-much-longer-alternative-name",
		"link add mt0 link v1 type macvtap mode private",
		"link add vx3 type vxlan id 103 dstport 4790 ttl 10 tos inherit nolearning srcport 2000 3000",
		"link add vx4 type vxlan external dstport 4791",
		"link add br1 type bridge mcast_snooping 0",
		"link add mv0 link v1 type macvlan mode private",
		"link add mv1 link v1 type macvlan mode vepa",
		"link add mv2 link v1 type macvlan mode source",
		"link add vx0 type vxlan id 100 dstport 4789 local 10.1.1.1 remote 10.1.1.2 dev v1",
		"link add vx1 type vxlan id 101 group 239.0.0.9 dev v1",
		"link add vx2 type vxlan id 102 local fd00::5 group ff05::100 dev v1",
		"tuntap add tun0 mode tun user 4242 group 4243",
		"tuntap add tap0 mode tap multi_queue vnet_hdr",
		"tuntap add tap1 mode tap pi",
		"link add ifb0 type ifb",
		"link add w0 type veth peer name w1 netns " + ns2.Name,
		"link set mv0 protodown_reason 2 on",
		"link set mv0 protodown on",
		"link set lo down",
		"link set br0 up",
		"link set v0 up",
		"link set v1 up",
		"link set tap0 up",
		"link set w0 up",
		"addr add 10.77.0.1/24 dev v1",
	})
	// Traffic for the counters: broadcasts out of v1 into v0.
	sendUDP(t, ns, netip.MustParseAddr("10.77.0.255"), 5)
	for _, l := range compareWithIP(t, ns, dial(t, ns, netlink.Config{})) {
		// What ip cannot check: that each setting was read as ip set it.
		var bad bool
		switch l.Name {
		case "v0":
			p, ok := l.Port.(*rtnetlink.BridgePort)
			bad = l.Group != 5 || l.GSOMaxSize != 30000 || l.GSOMaxSegs != 50 || l.GROMaxSize != 40000 || !ok ||
				p.Cost != 9 || p.Priority != 4 || !p.Hairpin || !p.Guard || !p.RootBlock || !p.FastLeave || p.Learning || p.Flood ||
				p.MulticastFlood || p.BroadcastFlood || !p.ProxyARP || !p.NeighSuppress || !p.Isolated
		case "v1":
			bad = l.Flags&rtnetlink.LinkPromisc == 0 || l.Flags&rtnetlink.LinkNoARP == 0 || l.Promiscuity != 1 ||
				l.AddrGenMode != rtnetlink.AddrGenNone || len(l.AltNames) != 1
		case "mt0":
			d, ok := l.Data.(*rtnetlink.Macvtap)
			bad = !ok || d.Mode != rtnetlink.MacvlanPrivate
		case "mv0":
			bad = !l.ProtoDown || l.ProtoDownReason != 1<<2
		case "vx3":
			d, ok := l.Data.(*rtnetlink.Vxlan)
			bad = !ok || d.TTL != 10 || d.TOS != 1 || !d.NoLearning || d.PortLow != 2000 || d.PortHigh != 3000
		case "vx4":
			d, ok := l.Data.(*rtnetlink.Vxlan)
			bad = !ok || !d.External || d.Port != 4791
		case "br1":
			d, ok := l.Data.(*rtnetlink.Bridge)
			bad = !ok || !d.NoMulticastSnooping
		}
		if bad {
			t.Errorf("%s: read as %+v (data %+v, port %+v)", l.Name, l, l.Data, l.Port)
		}
		if l.Name == "v0" && (l.Stats.RxPackets < 5 || l.Stats.RxBytes < 5*(14+20+8+5)) ||
			l.Name == "v1" && (l.Stats.TxPackets < 5 || l.Stats.TxBytes < 5*(14+20+8+5)) {
			t.Errorf("%s: 5 broadcasts went from v1 to v0, Stats = %+v", l.Name, l.Stats)
		}
	}
	compareWithIP(t, ns2, dial(t, ns2, netlink.Config{}))
}

// TestLinksSmallBuffer lists many links through 4 KiB datagrams, so that
// the dump spans many of them.
func TestLinksSmallBuffer(t *testing.T) {
	ns := nstest.New(t)
	var cmds []string
	for i := range 60 {
		cmds = append(cmds, fmt.Sprintf("link add a%d type veth peer name b%d", i, i))
	}
	ns.Batch(t, cmds)
	for _, size := range []int{4096, 0} {
		links := compareWithIP(t, ns, dial(t, ns, netlink.Config{DatagramBuffer: size}))
		if n := len(strings.Fields(names(links))); n != 121 {
			t.Errorf("DatagramBuffer %d: %d links, want 121", size, n)
		}
	}
}

// names returns the names of links, but for the fallback devices a
// tunnel module adds to every namespace made after it loaded (tunl0,
// ip6tnl0 …), which a test that ran before, in a VM, may have loaded.
func names(links []rtnetlink.Link) string {
	var s []string
	for _, l := range links {
		if !fallbackDevices[l.Name] {
			s = append(s, l.Name)
		}
	}
	return strings.Join(s, " ")
}

// fallbackDevices are the names of the tunnel modules' fallback devices.
var fallbackDevices = map[string]bool{
	"tunl0": true, "gre0": true, "gretap0": true, "erspan0": true, "ip_vti0": true, "ip6_vti0": true,
	"sit0": true, "ip6tnl0": true, "ip6gre0": true,
}

func TestLinkFilters(t *testing.T) { backends(t, testLinkFilters) }

func testLinkFilters(t *testing.T, b *backend) {
	ctx := context.Background()
	b.setup(t, []string{
		"link add v0 type veth peer name v1",
		"link add br0 type bridge",
		"link add br1 type bridge",
		"link add ifb0 type ifb",
		"link set v0 master br0",
		"link set ifb0 master br0",
		"link set v1 master br1",
	}, func(c *rtnetlink.Conn) error {
		v0, err := c.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
		if err != nil {
			return err
		}
		var br [2]rtnetlink.Link
		for i := range br {
			if br[i], err = c.CreateLink(ctx, rtnetlink.Link{Name: fmt.Sprintf("br%d", i), Kind: "bridge"}); err != nil {
				return err
			}
		}
		ifb0, err := c.CreateLink(ctx, rtnetlink.Link{Name: "ifb0", Kind: "ifb"})
		if err != nil {
			return err
		}
		return errors.Join(c.SetLinkMaster(ctx, v0.Index, br[0].Index), c.SetLinkMaster(ctx, ifb0.Index, br[0].Index),
			c.SetLinkMaster(ctx, v0.ParentIndex, br[1].Index))
	})
	rt := b.dial(t, netlink.Config{})
	br0, err := rt.LinkByName(ctx, "br0")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		filter rtnetlink.LinkFilter
		want   string
	}{
		{rtnetlink.LinkFilter{Kind: "veth"}, "v1 v0"},
		{rtnetlink.LinkFilter{Kind: "bridge"}, "br0 br1"},
		{rtnetlink.LinkFilter{MasterIndex: br0.Index}, "v0 ifb0"},
		{rtnetlink.LinkFilter{MasterIndex: -1}, "lo br0 br1"},
		{rtnetlink.LinkFilter{Kind: "veth", MasterIndex: br0.Index}, "v0"},
		{rtnetlink.LinkFilter{Kind: "vlan"}, ""},    // not in this kernel: it does not filter
		{rtnetlink.LinkFilter{Kind: "no-such"}, ""}, // nor here
		{rtnetlink.LinkFilter{}, "lo v1 v0 br0 br1 ifb0"},
	} {
		if got := names(listLinks(t, rt, c.filter)); got != c.want {
			t.Errorf("Links(%+v) = %q, want %q", c.filter, got, c.want)
		}
		// Without strict checking too.
		if got := names(listLinks(t, b.dialLoose(t), c.filter)); got != c.want {
			t.Errorf("not strict: Links(%+v) = %q, want %q", c.filter, got, c.want)
		}
	}

	// The kernel filters by kind and master itself: the replies say so.
	req := netlink.NewAttrEncoder(make([]byte, unix.SizeofIfInfomsg))
	req.Uint32(unix.IFLA_MASTER, uint32(br0.Index))
	info := req.Nest(unix.IFLA_LINKINFO)
	req.String(unix.IFLA_INFO_KIND, "veth")
	req.End(info)
	data, _ := req.Finish()
	n := 0
	for m, err := range rt.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: data}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if m.Header.Flags&netlink.DumpFiltered == 0 {
			t.Errorf("reply without NLM_F_DUMP_FILTERED: %v", m.Header)
		}
	}
	if n != 1 {
		t.Errorf("the kernel returned %d links, want 1", n)
	}
}

// ipShow returns ip's view of one link.
func ipShow(t *testing.T, ns *nstest.NS, name string) ipLink {
	t.Helper()
	links := ipLinks(t, ns, "dev", name)
	if len(links) != 1 {
		t.Fatalf("ip link show dev %s: %d links", name, len(links))
	}
	return links[0]
}

func TestChangeLink(t *testing.T) {
	ns, ns2 := nstest.New(t), nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	ns.Batch(t, []string{"link add v0 type veth peer name v1", "link add br0 type bridge"})
	v0, err := rt.LinkByName(ctx, "v0")
	if err != nil {
		t.Fatal(err)
	}
	br0, err := rt.LinkByName(ctx, "br0")
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{"v0": v0.Index, "v1": v0.ParentIndex, "br0": br0.Index}
	check := func(step, name string) {
		t.Helper()
		var diffs []string
		// The operational state follows the flags a moment later (a
		// kernel worker sets it): try again while the views differ, for
		// as long as a busy machine may take.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			l, err := rt.LinkByName(ctx, name)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if diffs = compareLink(ipShow(t, ns, name), l, index); len(diffs) == 0 {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("%s: %s", step, strings.Join(diffs, "\n"))
	}
	for _, c := range []struct {
		step  string
		do    func() error
		check func(l rtnetlink.Link) bool
	}{
		{"up", func() error { return rt.SetLinkUp(ctx, v0.Index) },
			func(l rtnetlink.Link) bool { return l.Flags&rtnetlink.LinkUp != 0 }},
		{"mtu", func() error { return rt.SetLinkMTU(ctx, v0.Index, 9000) },
			func(l rtnetlink.Link) bool { return l.MTU == 9000 }},
		{"down", func() error { return rt.SetLinkDown(ctx, v0.Index) },
			func(l rtnetlink.Link) bool { return l.Flags&rtnetlink.LinkUp == 0 }},
		{"address", func() error {
			return rt.SetLinkHardwareAddr(ctx, v0.Index, net.HardwareAddr{2, 0, 0, 0xaa, 0xbb, 0xcc})
		},
			func(l rtnetlink.Link) bool { return l.HardwareAddr.String() == "02:00:00:aa:bb:cc" }},
		{"master", func() error { return rt.SetLinkMaster(ctx, v0.Index, br0.Index) },
			func(l rtnetlink.Link) bool { return l.MasterIndex == br0.Index }},
		{"alias", func() error { return rt.SetLinkAlias(ctx, v0.Index, "to v1") },
			func(l rtnetlink.Link) bool { return l.Alias == "to v1" }},
		{"nomaster", func() error { return rt.SetLinkMaster(ctx, v0.Index, 0) },
			func(l rtnetlink.Link) bool { return l.MasterIndex == 0 }},
		{"no alias", func() error { return rt.SetLinkAlias(ctx, v0.Index, "") },
			func(l rtnetlink.Link) bool { return l.Alias == "" }},
	} {
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.step, err)
		}
		l, err := rt.Link(ctx, v0.Index)
		if err != nil {
			t.Fatal(err)
		}
		if !c.check(l) {
			t.Errorf("%s: link is now %+v", c.step, l)
		}
		check(c.step, "v0")
	}

	// Rename.
	if err := rt.SetLinkName(ctx, v0.Index, "uplink"); err != nil {
		t.Fatal(err)
	}
	index["uplink"] = v0.Index
	check("rename", "uplink")

	// Move v1 by path, then back by file descriptor.
	rt2 := dial(t, ns2, netlink.Config{})
	if err := rt.SetLinkNetNS(ctx, index["v1"], rtnetlink.NetNSPath(ns2.Path)); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.LinkByName(ctx, "v1"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("v1 still here after the move: %v", err)
	}
	v1, err := rt2.LinkByName(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	compareWithIP(t, ns2, rt2)
	f, err := os.Open(ns.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := rt2.SetLinkNetNS(ctx, v1.Index, rtnetlink.NetNSFD(int(f.Fd()))); err != nil {
		t.Fatal(err)
	}
	compareWithIP(t, ns, rt)

	// Move a link by the PID of a process in ns2.
	p0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "p0", Kind: "ifb"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkNetNS(ctx, p0.Index, rtnetlink.NetNSPID(inNS(t, ns2))); err != nil {
		t.Fatal(err)
	}
	if _, err := rt2.LinkByName(ctx, "p0"); err != nil {
		t.Errorf("p0 is not in ns2 after SetLinkNetNS(NetNSPID): %v", err)
	}

	// Delete: both ends go.
	if err := rt.DeleteLink(ctx, v0.Index); err != nil {
		t.Fatal(err)
	}
	if got := names(listLinks(t, rt, rtnetlink.LinkFilter{})); got != "lo br0" {
		t.Errorf("after DeleteLink: %s", got)
	}
	if err := rt.DeleteLink(ctx, v0.Index); !errors.Is(err, unix.ENODEV) {
		t.Errorf("deleting again: %v, want ENODEV", err)
	}
}

// inNS starts a process in ns and returns its PID once it is there (ip
// netns exec enters the namespace before it runs sleep): the test must
// not name the host's namespace by mistake.
func inNS(t *testing.T, ns *nstest.NS) int {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var want unix.Stat_t
	if err := unix.Stat(ns.Path, &want); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		var got unix.Stat_t
		if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid), &got); err == nil && got.Ino == want.Ino && got.Dev == want.Dev {
			return cmd.Process.Pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d did not enter %s", cmd.Process.Pid, ns.Name)
	return 0
}

// TestLinkErrors: the kernel's refusals come back with the errno and the
// extended ACK message.
func TestLinkErrors(t *testing.T) { backends(t, testLinkErrors) }

func testLinkErrors(t *testing.T, b *backend) {
	rt := b.dial(t, netlink.Config{})
	ctx := context.Background()
	v0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	_, dupErr := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Kind: "bridge"})
	_, tunErr := rt.CreateLink(ctx, rtnetlink.Link{Name: "tap0", Data: &rtnetlink.Tun{Tap: true}})
	_, kindErr := rt.CreateLink(ctx, rtnetlink.Link{Name: "x0", Kind: "no-such-kind"})
	_, vniErr := rt.CreateLink(ctx, rtnetlink.Link{Name: "vx0", Data: &rtnetlink.Vxlan{ID: 1 << 24}})
	_, getErr := rt.Link(ctx, 999)
	_, byNameErr := rt.LinkByName(ctx, "nope")
	for _, c := range []struct {
		name  string
		err   error
		errno unix.Errno
		msg   string // the kernel's extended ACK message, "" if it gives none
		attr  uint16 // the attribute it points at, 0 if none
	}{
		{"MTU past the maximum", rt.SetLinkMTU(ctx, v0.Index, v0.MaxMTU+1), unix.EINVAL, "mtu greater than device maximum", 0},
		{"MTU under the minimum", rt.SetLinkMTU(ctx, v0.Index, 10), unix.EINVAL, "mtu less than device minimum", 0},
		{"alias too long", rt.SetLinkAlias(ctx, v0.Index, strings.Repeat("x", 256)), unix.ERANGE, "Attribute failed policy validation", unix.IFLA_IFALIAS},
		{"duplicate", dupErr, unix.EEXIST, "", 0},
		{"tun", tunErr, unix.EOPNOTSUPP, "tun/tap creation via rtnetlink is not supported.", 0},
		{"unknown kind", kindErr, unix.EOPNOTSUPP, "Unknown device type", 0},
		{"VNI too large", vniErr, unix.ERANGE, "VXLAN ID must be lower than 16777216", unix.IFLA_VXLAN_ID},
		{"no such index", getErr, unix.ENODEV, "", 0},
		{"no such name", byNameErr, unix.ENODEV, "", 0},
		{"master not a master", rt.SetLinkMaster(ctx, v0.Index, v0.ParentIndex), unix.EOPNOTSUPP, "", 0},
	} {
		var oe *netlink.OpError
		if !errors.As(c.err, &oe) {
			t.Errorf("%s: %v is not an *OpError", c.name, c.err)
			continue
		}
		if !errors.Is(c.err, c.errno) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.errno)
		}
		if oe.Message != c.msg {
			t.Errorf("%s: message %q, want %q", c.name, oe.Message, c.msg)
		}
		if c.attr != 0 && oe.AttrType != c.attr {
			t.Errorf("%s: attribute %d, want %d (%v)", c.name, oe.AttrType, c.attr, c.err)
		}
		t.Logf("%s: %v", c.name, c.err)
	}
}
