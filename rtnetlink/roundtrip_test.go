package rtnetlink

import (
	"encoding/binary"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Round trips: a value, encoded as the request that adds it and decoded
// again, comes back the same, except for the fields a request cannot carry
// (those only the kernel sets) and the defaults an add fills in for zero
// fields, which each function below names.
//
// The fuzz targets of the decoders call these on every value they decode,
// so the kernel's replies in testdata/fuzz seed them and the values are
// those the kernel can send (and a caller hands back to delete or replace
// what it listed). TestRoundTrip adds values only a caller makes: zero
// fields that take defaults.

// roundTripAddress checks a through AddAddress's request.
func roundTripAddress(t *testing.T, a Address) bool {
	t.Helper()
	b, err := a.encode(false)
	if err != nil {
		return false // refused before sending: nothing to compare
	}
	var got Address
	var label string
	m := asReply(uapi.RTM_NEWADDR, b)
	if fam, err := got.decode(&m, &label); fam == 0 || err != nil {
		t.Fatalf("%+v encodes as % x, which decodes as family %d, %v", a, b, fam, err)
	}
	want := a
	if want.Peer == want.Prefix.Addr() {
		want.Peer = netip.Addr{} // a peer that is the address itself is no peer
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// roundTripRoute checks r through AddRoute's request.
func roundTripRoute(t *testing.T, r Route) bool {
	t.Helper()
	b, err := r.encode(false)
	if err != nil {
		return false
	}
	var got Route
	m := asReply(uapi.RTM_NEWROUTE, b)
	if ok, err := got.decode(&m); !ok || err != nil {
		t.Fatalf("%+v encodes as % x, which decodes as %v, %v", r, b, ok, err)
	}
	want := r
	if want.Protocol == 0 && !want.HasProtocol {
		want.Protocol = ProtoBoot
	}
	if want.Type == 0 {
		want.Type = RouteUnicast
	}
	if want.Scope == ScopeUniverse && !want.HasScope {
		want.Scope = Scope(b[6]) // the scope the add chose (TestRouteEncodeBytes checks which)
	}
	// rtmsg carries both: what decodes it has them.
	want.HasProtocol, want.HasScope = true, true
	want.Flags &^= kernelRouteFlags // only the kernel sets them
	// A request gives the time left in whole seconds (RTA_EXPIRES).
	want.Expires = min(want.Expires/time.Second, 1<<31-1) * time.Second
	if want.NextHopID != 0 {
		// The paths are the nexthop object's: the request leaves them out.
		want.Gateway, want.Index, want.MultiPath = netip.Addr{}, 0, nil
	}
	if len(want.MultiPath) == 0 {
		want.MultiPath = nil
	} else {
		want.MultiPath = append([]NextHop(nil), want.MultiPath...)
		for i := range want.MultiPath {
			want.MultiPath[i].Weight = max(want.MultiPath[i].Weight, 1)
			want.MultiPath[i].Flags &^= kernelRouteFlags // only the kernel sets them
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// roundTripNeighbor checks n through AddNeighbor's request.
func roundTripNeighbor(t *testing.T, n Neighbor) bool {
	t.Helper()
	b, err := n.encode(uapi.RTM_NEWNEIGH)
	if err != nil {
		return false
	}
	got, err := ParseNeighbor(asReply(uapi.RTM_NEWNEIGH, b))
	if err != nil {
		t.Fatalf("%+v encodes as % x, which parses as %v", n, b, err)
	}
	want := n
	want.Probes = 0 // only read
	if want.State == NeighNone && want.Flags&(NeighProxy|NeighManaged) == 0 && len(want.HardwareAddr) > 0 {
		want.State = NeighPermanent
	}
	if len(want.HardwareAddr) == 0 {
		want.HardwareAddr = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// roundTripFDB checks e through AddFDBEntry's request.
func roundTripFDB(t *testing.T, e FDBEntry) bool {
	t.Helper()
	b, err := e.encode(uapi.RTM_NEWNEIGH)
	if err != nil {
		return false
	}
	got, err := ParseFDBEntry(asReply(uapi.RTM_NEWNEIGH, b))
	if err != nil {
		t.Fatalf("%+v encodes as % x, which parses as %v", e, b, err)
	}
	want := e
	switch {
	case want.State == 0:
		want.State = NeighPermanent | NeighNoARP
	case want.State&NeighNoARP != 0 && want.State&(NeighPermanent|NeighReachable) == 0:
		want.State |= NeighReachable // "static", as bridge fdb add sends it
	}
	switch {
	case want.Flags&(NeighSelf|NeighMaster) != 0:
	case want.MasterIndex != 0 && want.MasterIndex != want.Index:
		want.Flags |= NeighMaster // a bridge port's entry, as listed
	default:
		want.Flags |= NeighSelf
	}
	want.Flags &^= NeighLocked // set by the kernel, never sent
	want.Other = withoutKept(want.Other, kept{uapi.NDA_VNI, want.VNI != 0})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// roundTripRule checks r through AddRule's request.
func roundTripRule(t *testing.T, r Rule) bool {
	t.Helper()
	b, err := r.encode(uapi.RTM_NEWRULE)
	if err != nil {
		return false
	}
	got, err := ParseRule(asReply(uapi.RTM_NEWRULE, b))
	if err != nil {
		t.Fatalf("%+v encodes as % x, which parses as %v", r, b, err)
	}
	want := r
	if want.Family == 0 {
		want.Family = uapi.AF_INET6
		if want.Src.Addr().Is4() || want.Dst.Addr().Is4() {
			want.Family = uapi.AF_INET
		}
	}
	switch {
	case want.Action == 0 && want.Goto != 0:
		want.Action = RuleGoto
	case want.Action == 0:
		want.Action = RuleToTable
	}
	if want.Action == RuleToTable && want.Table == 0 && !want.L3MDev {
		want.Table = TableMain
	}
	if want.Mark != 0 && want.Mask == 0 {
		want.Mask = 0xffffffff
	}
	if want.FlowLabel != 0 && want.FlowLabelMask == 0 {
		want.FlowLabelMask = flowLabelMax
	}
	want.Flags &= RuleInvert // the kernel sets the others; requests leave them out
	// Every rule parsed has a priority; one the request leaves out is
	// 0. A FRA_PRIORITY in Other is the field's once parsed.
	want.HasPriority = true
	if p, ok := lastU32(want.Other, uapi.FRA_PRIORITY); ok && !r.HasPriority && r.Priority == 0 {
		want.Priority = p
	}
	want.Other = withoutKept(want.Other, kept{uapi.FRA_PRIORITY, true})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// roundTripNextHop checks nh through AddNextHopObject's request.
func roundTripNextHop(t *testing.T, nh NextHopObject) bool {
	t.Helper()
	b, err := nh.encode()
	if err != nil {
		return false
	}
	got, err := ParseNextHopObject(asReply(uapi.RTM_NEWNEXTHOP, b))
	if err != nil {
		t.Fatalf("%+v encodes as % x, which parses as %v", nh, b, err)
	}
	want := nh
	want.Scope = 0                    // only read
	want.Resilient.UnbalancedTime = 0 // only read
	want.Flags &^= kernelRouteFlags
	// A request carries back only what the kernel takes in one.
	want.Other, _ = sendableNextHop(nh.Other)
	if want.Family == 0 && want.Group == nil {
		want.Family = uapi.AF_INET
		if want.Gateway.Is6() {
			want.Family = uapi.AF_INET6
		}
	}
	if want.Group != nil {
		want.Group = append([]NextHopGroupMember(nil), want.Group...)
		for i := range want.Group {
			want.Group[i].Weight = max(want.Group[i].Weight, 1)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// roundTripLink checks l through CreateLink's request, without its alias,
// which CreateLink refuses.
func roundTripLink(t *testing.T, l Link) bool {
	t.Helper()
	l.Alias = ""
	r, err := newLinkRequest(&l)
	if err != nil {
		return false
	}
	b, err := r.Finish()
	r.close()
	if err != nil {
		return false // too long
	}
	got, err := ParseLink(asReply(uapi.RTM_NEWLINK, b))
	if err != nil {
		t.Fatalf("%+v encodes as % x, which parses as %v", l, b, err)
	}
	// What CreateLink sets once the link is made comes in requests of its
	// own, each of which parses as a part of the link.
	after, err := l.afterCreate(max(l.Index, 1))
	if err != nil {
		t.Fatalf("%+v: newLinkRequest took it, afterCreate refuses it: %v", l, err)
	}
	for _, r := range after {
		b, err := r.Finish()
		r.close()
		if err != nil {
			return false
		}
		part, err := ParseLink(asReply(uapi.RTM_NEWLINK, b))
		if err != nil {
			t.Fatalf("%+v: a request after creation, % x, parses as %v", l, b, err)
		}
		got.AddrGenMode |= part.AddrGenMode
		got.HasAddrGenMode = got.HasAddrGenMode || part.HasAddrGenMode
		got.ProtoDown = got.ProtoDown || part.ProtoDown
		got.ProtoDownReason |= part.ProtoDownReason
		got.AltNames = append(got.AltNames, part.AltNames...)
		if part.Port != nil && !reflect.DeepEqual(part.Port, got.Port) {
			t.Fatalf("%+v: the port request gives %+v, the create request %+v", l, part.Port, got.Port)
		}
	}
	want := l
	// A mode that is set goes in a request of its own, even eui64.
	want.HasAddrGenMode = want.HasAddrGenMode || want.AddrGenMode != 0
	// Only the kernel sets these.
	want.HardwareType, want.OperState, want.MinMTU, want.MaxMTU = 0, 0, 0, 0
	want.LinkNetNSID, want.Stats = -1, LinkStats{}
	want.Promiscuity, want.PermHardwareAddr, want.XDP, want.NumVF, want.VFs = 0, nil, LinkXDP{}, 0, nil
	if len(want.AltNames) == 0 {
		want.AltNames = nil
	}
	if p, ok := want.Port.(*BridgePort); ok {
		v := *p
		v.State, v.ID, v.Number = 0, 0, 0 // SetBridgePortState sets the state; the kernel the others
		want.Port = &v
	}
	if len(want.HardwareAddr) == 0 {
		want.HardwareAddr = nil
	}
	if len(want.Broadcast) == 0 {
		want.Broadcast = nil
	}
	// A kind's Other goes back as the kind's putter sends it.
	sentOther := func(o RawAttrs, put func(*request, netlink.Attr) bool) RawAttrs {
		r := &request{typ: uapi.RTM_NEWLINK}
		r.Reset(nil)
		if putKindOther(r, o, put) != nil {
			return o
		}
		b, _ := r.Finish()
		return RawAttrs(b)
	}
	switch d := want.Data.(type) {
	case *Vxlan:
		v := *d
		v.Other = sentOther(v.Other, putVxlanOther)
		want.Data = &v
	case *Macvlan:
		v := *d
		v.Other = sentOther(v.Other, putMacvlanOther)
		want.Data = &v
	case *Macvtap:
		v := *d
		v.Other = sentOther(v.Other, putMacvlanOther)
		want.Data = &v
	}
	switch d := want.Data.(type) {
	case nil:
	case *Veth:
		want.Kind, want.Data = "veth", &Veth{PeerName: d.PeerName} // the namespace is not read back
	case *RawLinkData:
		want.Kind, want.Data = d.KindName, &RawLinkData{KindName: d.KindName, Data: padded(d.Data)}
	case *Bridge:
		v := *d // centiseconds on the wire
		v.Other = sentOther(withoutKept(v.Other, v.keptZeros()...), putBridgeOther)
		for _, p := range []*time.Duration{&v.ForwardDelay, &v.HelloTime, &v.MaxAge, &v.AgeingTime} {
			*p = p.Truncate(10 * time.Millisecond)
		}
		want.Kind, want.Data = "bridge", &v
	case *Bond:
		v := *d
		// What the mode does not take stays out, and the active port: a
		// new bond has no ports.
		v.ActivePortIndex = 0
		for _, f := range []struct {
			typ  uint16
			zero func()
		}{
			{uapi.IFLA_BOND_ARP_INTERVAL, func() { v.ARPInterval = 0 }},
			{uapi.IFLA_BOND_ARP_VALIDATE, func() { v.ARPValidate = 0 }},
			{uapi.IFLA_BOND_MISSED_MAX, func() { v.ARPMissedMax = 0 }},
			{uapi.IFLA_BOND_PRIMARY, func() { v.PrimaryIndex = 0 }},
			{uapi.IFLA_BOND_TLB_DYNAMIC_LB, func() { v.NoTLBDynamicLB = false }},
			{uapi.IFLA_BOND_AD_LACP_ACTIVE, func() { v.LACPPassive = false }},
			{uapi.IFLA_BOND_AD_LACP_RATE, func() { v.LACPRate = 0 }},
			{uapi.IFLA_BOND_AD_ACTOR_SYS_PRIO, func() { v.ADActorSysPrio = 0 }},
			{uapi.IFLA_BOND_AD_USER_PORT_KEY, func() { v.ADUserPortKey = 0 }},
			{uapi.IFLA_BOND_AD_ACTOR_SYSTEM, func() { v.ADActorSystem = nil }},
		} {
			if !bondModeTakes(v.Mode, f.typ) {
				f.zero()
			}
		}
		v.Other = sentOther(withoutKept(v.Other, kept{uapi.IFLA_BOND_MIIMON, v.MIIMon != 0}), func(_ *request, a netlink.Attr) bool {
			return !bondModeTakes(v.Mode, a.Type)
		})
		want.Kind, want.Data = "bond", &v
	case *Vlan:
		v := *d
		if v.Flags|v.FlagsOff == 0 {
			v.FlagsOff = vlanFlagsKnown // no IFLA_VLAN_FLAGS: as the kernel lists a VLAN with no flag on
		}
		want.Kind, want.Data = "vlan", &v
	case *Tun:
		v := *d
		v.Owner, v.Group, v.Queues = -1, -1, 0 // not set on creation
		v.Other = sentOther(v.Other, nil)
		want.Kind, want.Data = "tun", &v
	case *Netkit:
		v := *d
		v.PeerNetNS, v.Primary = NetNS{}, false // not read back; only the kernel sets Primary
		want.Kind, want.Data = "netkit", &v
	default:
		want.Kind = d.Kind()
	}
	// A request carries back only what the kernel takes on creation.
	var sent netlink.AttrEncoder
	for a, err := range withoutKept(want.Other, want.keptZeros()...).All() {
		if err != nil {
			return false
		}
		if linkCreateAttr(a.Type) {
			sent.Attr(a)
		}
	}
	sentb, _ := sent.Finish()
	want.Other = RawAttrs(sentb)
	switch p := want.Port.(type) {
	case *RawPortData:
		want.Port = &RawPortData{KindName: p.KindName, Data: padded(p.Data)}
	case *BondPort:
		v := *p
		v.Status = BondPortStatus{} // only the kernel reports it
		want.Port = &v
	case *VRFPort:
		want.Port = &VRFPort{} // only the kernel reports it: nothing is sent
	case *BridgePort:
		v := *p
		v.Other = sentOther(v.Other, putBridgePortOther) // what the kernel takes
		want.Port = &v
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v (%+v %+v)\nwant %+v (%+v %+v)", b, got, got.Data, got.Port, want, want.Data, want.Port)
	}
	return true
}

// lastU32 returns the value of the last attribute of type typ in o, if
// there is one of four bytes or more.
func lastU32(o RawAttrs, typ uint16) (v uint32, ok bool) {
	for a, err := range o.All() {
		if err != nil {
			break
		}
		if a.Type == typ && len(a.Data) >= 4 {
			v, ok = binary.NativeEndian.Uint32(a.Data), true
		}
	}
	return v, ok
}

// padded is b with the padding a nest adds to its last attribute; nil if
// empty, as a decoder keeps it.
func padded(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append(append([]byte(nil), b...), make([]byte, netlink.Align(len(b))-len(b))...)
}

// aliases reports whether sub shares memory with b.
func aliases(sub, b []byte) bool {
	if len(sub) == 0 || len(b) == 0 {
		return false
	}
	s, lo := uintptr(unsafe.Pointer(&sub[0])), uintptr(unsafe.Pointer(&b[0]))
	return s >= lo && s < lo+uintptr(len(b))
}

// raw returns one attribute as the kernel would send it.
func raw(typ uint16, data ...byte) RawAttrs {
	b := binary.NativeEndian.AppendUint16(nil, uint16(netlink.AttrLen(len(data))))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(append(b, data...), make([]byte, netlink.AttrSpace(len(data))-netlink.AttrLen(len(data)))...)
	return RawAttrs(b)
}

// TestRoundTrip runs the round trips on values a caller makes, with the
// zero fields that take defaults, which the kernel's replies never have.
func TestRoundTrip(t *testing.T) {
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for i, compared := range []bool{
		roundTripAddress(t, Address{Index: 2, Prefix: pfx("10.0.0.1/24"), Peer: ip("10.0.0.1"), Label: "v0:x", Flags: AddrNoPrefixRoute | AddrNoDAD, ValidLifetime: 50, PreferredLifetime: 40, Metric: 9, Protocol: 3}),
		roundTripAddress(t, Address{Index: 2, Prefix: pfx("fd00::1/64"), Peer: ip("fd00::2"), Scope: ScopeLink}),
		roundTripRoute(t, Route{Dst: pfx("10.1.0.0/16"), Gateway: ip("fd00::1"), Table: 1000, Metrics: Metrics{MTU: 1400, CongestionControl: "bbr"}}),
		roundTripRoute(t, Route{Dst: pfx("10.2.0.0/16")}),
		roundTripRoute(t, Route{Dst: pfx("fd00:1::/48"), Expires: time.Minute, MultiPath: []NextHop{{Gateway: ip("fd00::1"), Index: 2}, {Index: 3, Weight: 7, Flags: NextHopOnLink}}}),
		roundTripRoute(t, Route{Dst: pfx("0.0.0.0/0"), NextHopID: 5, Gateway: ip("10.0.0.1"), Index: 2, MultiPath: []NextHop{}}),
		roundTripNeighbor(t, Neighbor{Index: 2, IP: ip("10.0.0.2"), HardwareAddr: mac, Flags: NeighManaged | NeighRouter, Probes: 3}),
		roundTripNeighbor(t, Neighbor{Index: 2, IP: ip("fd00::2"), Flags: NeighProxy, HardwareAddr: net.HardwareAddr{}}),
		roundTripNeighbor(t, Neighbor{IP: ip("10.0.0.3"), Flags: NeighProxy}),
		roundTripFDB(t, FDBEntry{HardwareAddr: mac, Index: 3, MasterIndex: 4, VLAN: 5, Dst: ip("192.0.2.1")}),
		roundTripRule(t, Rule{Src: pfx("10.0.0.0/8"), Mark: 7, IIF: "v0", OIF: "v1", Priority: 10, Protocol: 4}),
		roundTripRule(t, Rule{Family: uapi.AF_INET6, Goto: 100, Flags: RuleInvert, TOS: 4}),
		roundTripRule(t, Rule{Dst: pfx("fd00::/8"), Table: 70000, Mask: 0xff}),
		roundTripRule(t, Rule{Family: uapi.AF_INET, HasUIDRange: true, IPProto: 6, SPort: PortRange{1, 2}, DPort: PortRange{80, 80}, DPortMask: 0xf0,
			HasSuppressPrefixLen: true, HasSuppressIfGroup: true, SuppressIfGroup: 3, TunID: 1 << 40, Realms: 3<<16 | 4, DSCP: 46}),
		roundTripRule(t, Rule{Family: uapi.AF_INET6, L3MDev: true, UIDRange: UIDRange{5, 6}, HasUIDRange: true, SuppressPrefixLen: 64, HasSuppressPrefixLen: true,
			SPortMask: 0xff, DSCPMask: 0x3f, FlowLabel: 0x12345}),
		roundTripRule(t, Rule{Family: uapi.AF_INET6, FlowLabelMask: 0xfffff, DSCP: 8, DSCPMask: 0x38}),
		roundTripNextHop(t, NextHopObject{ID: 1, Gateway: ip("fd00::1"), Index: 2, Flags: NextHopOnLink, Scope: ScopeLink, Protocol: 4}),
		roundTripNextHop(t, NextHopObject{Family: uapi.AF_INET6, Gateway: ip("fd00::1"), Index: 2}),
		roundTripNextHop(t, NextHopObject{Blackhole: true}),
		roundTripNextHop(t, NextHopObject{ID: 10, Group: []NextHopGroupMember{{ID: 1}, {ID: 2, Weight: maxWeight}}}),
		roundTripLink(t, Link{Name: "v0", Data: &Veth{PeerName: "v1"}, MTU: 9000, Flags: LinkUp, HardwareAddr: mac, TxQueueLen: 10, Alias: "x"}),
		roundTripLink(t, Link{Name: "br0", Data: &Bridge{STP: true, VLANFiltering: true, ForwardDelay: 4*time.Second + 5*time.Millisecond, Priority: 7}, MasterIndex: 3}),
		roundTripLink(t, Link{Name: "mv0", Data: &Macvlan{Mode: MacvlanBridge}, ParentIndex: 2, Broadcast: net.HardwareAddr{}}),
		roundTripLink(t, Link{Name: "vx0", Data: &Vxlan{ID: 42, Port: 4789, Local: ip("10.0.0.1"), Group: ip("239.1.1.1"), DevIndex: 2}}),
		roundTripLink(t, Link{Name: "vx1", Data: &Vxlan{ID: 43, Local: ip("fd00::1"), Remote: ip("fd00::2")}}),
		roundTripLink(t, Link{Name: "tap0", Data: &Tun{Tap: true, PI: true, Persist: true, Owner: 5}}),
		roundTripLink(t, Link{Name: "d0", Kind: "dummy", Index: 50}),
		roundTripLink(t, Link{Name: "mt0", Data: &Macvtap{Mode: MacvlanPassthru}, ParentIndex: 2}),
		// Kinds and masters no file registers come back as bytes.
		roundTripLink(t, Link{Name: "g0", Data: &RawLinkData{KindName: "geneve9", Data: []byte(raw(1, 7, 0, 0, 0) + raw(2, 1))}}),
		roundTripLink(t, Link{Name: "p0", Kind: "dummy", MasterIndex: 3, Port: &RawPortData{KindName: "team9", Data: []byte(raw(1, 1, 2, 3))}}),
		// Fields set by requests after the creation.
		roundTripLink(t, Link{Name: "f0", Kind: "veth", Group: 7, GSOMaxSize: 40000, GSOMaxSegs: 100, GROMaxSize: 50000, GSOIPv4MaxSize: 30000, GROIPv4MaxSize: 20000,
			AddrGenMode: AddrGenRandom, ProtoDown: true, ProtoDownReason: 1 << 3, AltNames: []string{"a-long-alternative-name-for-f0", "f0-again"},
			Promiscuity: 2, PermHardwareAddr: mac, XDP: LinkXDP{Attached: XDPAttachedSKB, ProgID: 9}, NumVF: 1, VFs: []VFInfo{{ID: 0}}}),
		roundTripLink(t, Link{Name: "f1", Kind: "veth", MasterIndex: 2, Port: &BridgePort{State: BridgePortForwarding, Priority: 5, Cost: 7, Hairpin: true, Guard: true, RootBlock: true,
			FastLeave: true, Learning: true, Flood: true, MulticastFlood: true, BroadcastFlood: true, ProxyARP: true, NeighSuppress: true, Isolated: true, ID: 0x8001, Number: 1}}),
		// A bridge port's Other goes back but for what only the kernel sets.
		roundTripLink(t, Link{Name: "f2", Kind: "veth", MasterIndex: 2, Port: &BridgePort{Cost: 2, Learning: true,
			Other: raw(uapi.IFLA_BRPORT_PROXYARP_WIFI, 1) + raw(13, 0x80, 0, 2, 0, 0, 0, 0, 1) + raw(uapi.IFLA_BRPORT_MULTICAST_ROUTER, 2) +
				raw(uapi.IFLA_BRPORT_GROUP_FWD_MASK, 8, 0) + raw(41, 0, 0, 0, 0) + raw(uapi.IFLA_BRPORT_BACKUP_PORT, 3, 0, 0, 0) + raw(24) +
				raw(uapi.IFLA_BRPORT_LOCKED, 1) + raw(uapi.IFLA_BRPORT_MCAST_MAX_GROUPS, 10, 0, 0, 0) + raw(200|0x8000, 1, 0, 0, 0)}}),
		roundTripLink(t, Link{Name: "vx2", Data: &Vxlan{ID: 44, TTL: 64, TOS: 1, NoLearning: true, PortLow: 1000, PortHigh: 2000, External: true}}),
		roundTripLink(t, Link{Name: "br1", Data: &Bridge{NoMulticastSnooping: true, VLANProtocol: 0x88a8, DefaultPVID: 5}}),
		roundTripLink(t, Link{Name: "q0", Kind: "dummy", Other: raw(uapi.IFLA_NUM_TX_QUEUES, 4, 0, 0, 0) + raw(uapi.IFLA_NUM_RX_QUEUES, 3, 0, 0, 0)}),
		// Attributes no field models come back as they went.
		roundTripRule(t, Rule{Family: uapi.AF_INET, Priority: 100, Table: 100,
			Other: raw(31, 0xe8, 3, 0, 0) + raw(200|0x8000, 4, 0, 1, 0) + raw(uapi.FRA_UID_RANGE, 1, 2, 3)}), // a size UIDRange cannot hold
		roundTripRoute(t, Route{Dst: pfx("198.18.5.0/24"), Index: 2, Other: raw(40, 6, 0, 0, 0) + raw(200|0x8000, 4, 0, 1, 0)}),
		roundTripRoute(t, Route{Dst: pfx("198.18.6.0/24"), MultiPath: []NextHop{{Gateway: ip("10.0.0.2"), Index: 2, Other: raw(40, 6, 0, 0, 0)}, {Index: 3}}}),
		roundTripRoute(t, Route{Dst: pfx("198.18.7.0/24"), Index: 2, Realms: 6, Encap: &IPEncap{ID: 5, Dst: ip("198.18.0.9"), TTL: 3, Flags: 4}}),
		roundTripRoute(t, Route{Dst: pfx("2001:db8:7::/64"), Index: 2, Encap: &IPEncap{ID: 1 << 40, Dst: ip("2001:db8::9"), Src: ip("2001:db8::1"), TOS: 3}}),
		roundTripRoute(t, Route{Dst: pfx("198.18.8.0/24"), MultiPath: []NextHop{
			{Index: 2, Realms: 1<<16 | 2, Encap: &MPLSEncap{Labels: []uint32{100, 200}, TTL: 9}},
			{Index: 3, Encap: &Seg6Encap{Mode: Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::5"), ip("2001:db8::6")}}},
			{Index: 4, Encap: &BPFEncap{Xmit: BPFProgram{FD: 7, Name: "x"}, In: BPFProgram{Name: "in"}, XmitHeadroom: 14}},
			{Index: 5, Encap: &RawEncap{Type: 77, Data: raw(1, 1, 2, 3)}},
		}}),
		roundTripRoute(t, Route{Dst: pfx("2001:db8:9::/64"), Index: 2, Encap: &Seg6LocalEncap{Action: Seg6LocalEndDX4, NextHop4: ip("198.18.0.1"), Table: 5, VRFTable: 6, OIF: 3, IIF: 4,
			NextHop6: ip("2001:db8::1"), Other: raw(2, 1, 2, 3, 4)}}),
		roundTripRoute(t, Route{Dst: pfx("2001:db8:a::/64"), Index: 2, Encap: &MPLSEncap{Other: raw(uapi.MPLS_IPTUNNEL_DST, 0, 0, 0, 1)}}), // a label stack with a TTL
		roundTripAddress(t, Address{Index: 2, Prefix: pfx("198.18.0.1/24"), Other: raw(200, 1, 2, 3)}),
		roundTripNeighbor(t, Neighbor{Index: 2, IP: ip("198.18.0.2"), HardwareAddr: mac, Other: raw(200)}),
		roundTripFDB(t, FDBEntry{HardwareAddr: mac, Index: 3, Dst: ip("198.18.0.2"), Other: raw(14|0x8000, []byte(raw(1))...) + raw(uapi.NDA_VNI, 0, 0, 0, 0)}),
		roundTripNextHop(t, NextHopObject{ID: 2, Group: []NextHopGroupMember{{ID: 1}}, Other: raw(nhaHWStatsEnable, 1, 0, 0, 0) + raw(14, 0, 0, 0, 0x80)}),
	} {
		if !compared {
			t.Errorf("value %d: refused by its encoder", i)
		}
	}
}

// TestKeptZeroGivesWay: a 0 kept in Other goes back while its field is 0,
// and gives way to the field once it is set, which the kernel would
// otherwise override with the kept 0 (it takes the last attribute of a
// type): a listed bridge, link, rule, FDB entry and bond changed after
// listing are sent as changed.
func TestKeptZeroGivesWay(t *testing.T) {
	u32 := func(typ uint16, v uint32) RawAttrs {
		return raw(typ, binary.NativeEndian.AppendUint32(nil, v)...)
	}
	// count returns how many attributes of type typ b holds inside the
	// nests of path, and the last one's first four bytes.
	var count func(b []byte, typ uint16, path ...uint16) (int, uint32)
	count = func(b []byte, typ uint16, path ...uint16) (n int, last uint32) {
		for a, err := range netlink.Attrs(b) {
			if err != nil {
				break
			}
			switch {
			case len(path) > 0 && a.Type == path[0]:
				if m, l := count(a.Data, typ, path[1:]...); m > 0 {
					n, last = n+m, l
				}
			case len(path) == 0 && a.Type == typ && len(a.Data) >= 4:
				n, last = n+1, binary.NativeEndian.Uint32(a.Data)
			}
		}
		return n, last
	}
	kindData := []uint16{uapi.IFLA_LINKINFO, uapi.IFLA_INFO_DATA}
	for _, tc := range []struct {
		name    string
		encode  func(set bool) ([]byte, error)
		typ     uint16
		setTo   uint32
		skipHdr int
		path    []uint16
	}{
		{"bridge forward delay", func(set bool) ([]byte, error) {
			b := &Bridge{Other: u32(uapi.IFLA_BR_FORWARD_DELAY, 0)}
			if set {
				b.ForwardDelay = 5 * time.Second
			}
			return linkBytes(&Link{Name: "b0", Data: b})
		}, uapi.IFLA_BR_FORWARD_DELAY, 500, uapi.SizeofIfInfomsg, kindData},
		{"link txqlen", func(set bool) ([]byte, error) {
			l := &Link{Name: "q0", Kind: "ifb", Other: u32(uapi.IFLA_TXQLEN, 0)}
			if set {
				l.TxQueueLen = 77
			}
			return linkBytes(l)
		}, uapi.IFLA_TXQLEN, 77, uapi.SizeofIfInfomsg, nil},
		{"bond miimon", func(set bool) ([]byte, error) {
			b := &Bond{Other: u32(uapi.IFLA_BOND_MIIMON, 0)}
			if set {
				b.MIIMon = 100
			}
			return linkBytes(&Link{Name: "bo0", Data: b})
		}, uapi.IFLA_BOND_MIIMON, 100, uapi.SizeofIfInfomsg, kindData},
		{"rule priority", func(set bool) ([]byte, error) {
			// As a listing has it, and with the FRA_PRIORITY 0 that
			// listings kept in Other before HasPriority.
			r := Rule{Family: uapi.AF_INET, Table: 100, HasPriority: true, Other: u32(uapi.FRA_PRIORITY, 0)}
			if set {
				r.Priority = 9
			}
			return r.encode(uapi.RTM_NEWRULE)
		}, uapi.FRA_PRIORITY, 9, fibRuleHdrLen, nil},
		{"fdb vni", func(set bool) ([]byte, error) {
			e := FDBEntry{HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}, Index: 3, Dst: netip.MustParseAddr("198.18.0.2"), Other: u32(uapi.NDA_VNI, 0)}
			if set {
				e.VNI = 7
			}
			return e.encode(uapi.RTM_NEWNEIGH)
		}, uapi.NDA_VNI, 7, uapi.SizeofNdMsg, nil},
	} {
		for _, set := range []bool{false, true} {
			b, err := tc.encode(set)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			want := uint32(0)
			if set {
				want = tc.setTo
			}
			if n, v := count(b[tc.skipHdr:], tc.typ, tc.path...); n != 1 || v != want {
				t.Errorf("%s (field set: %v): %d attributes %d, the last %d; want one, %d", tc.name, set, n, tc.typ, v, want)
			}
		}
	}
}

// linkBytes returns CreateLink's request for l, without its header.
func linkBytes(l *Link) ([]byte, error) {
	r, err := newLinkRequest(l)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return r.Finish()
}
