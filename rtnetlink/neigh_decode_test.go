package rtnetlink

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// TestNeighborEncodeBytes checks the requests the neighbour, FDB, rule and
// nexthop calls send, byte by byte.
func TestNeighborEncodeBytes(t *testing.T) {
	arLittleEndian(t)
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	enc := func(f func() ([]byte, error)) []byte {
		b, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name      string
		got, want []byte
	}{
		{"neighbour add", enc(func() ([]byte, error) {
			n := Neighbor{Index: 3, IP: ip("10.0.0.2"), HardwareAddr: mac, Flags: NeighRouter | NeighManaged, Protocol: ProtoStatic}
			return n.encode(uapi.RTM_NEWNEIGH)
		}), []byte{
			2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0x80, 0, // ndmsg: AF_INET, ifindex 3, no state (managed: the kernel refuses NUD_PERMANENT), NTF_ROUTER
			8, 0, 1, 0, 10, 0, 0, 2, // NDA_DST
			10, 0, 2, 0, 2, 0, 0, 0, 0, 1, 0, 0, // NDA_LLADDR, padded
			5, 0, 12, 0, 4, 0, 0, 0, // NDA_PROTOCOL static
			8, 0, 15, 0, 1, 0, 0, 0, // NDA_FLAGS_EXT: NTF_EXT_MANAGED
		}},
		{"proxy delete", enc(func() ([]byte, error) {
			n := Neighbor{IP: ip("2001:db8::1"), Flags: NeighProxy, State: NeighStale}
			return n.encode(uapi.RTM_DELNEIGH)
		}), []byte{
			10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, // AF_INET6, no link, no state, NTF_PROXY
			20, 0, 1, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		}},
		{"fdb add", enc(func() ([]byte, error) {
			e := FDBEntry{HardwareAddr: mac, Index: 4, VLAN: 10, Flags: NeighMaster}
			return e.encode(uapi.RTM_NEWNEIGH)
		}), []byte{
			7, 0, 0, 0, 4, 0, 0, 0, 0xc0, 0, 4, 0, // AF_BRIDGE, port 4, NUD_PERMANENT|NUD_NOARP, NTF_MASTER
			10, 0, 2, 0, 2, 0, 0, 0, 0, 1, 0, 0, // NDA_LLADDR
			6, 0, 5, 0, 10, 0, 0, 0, // NDA_VLAN
		}},
		{"fdb dump", enc(func() ([]byte, error) { return neighDumpRequest(uapi.AF_BRIDGE, 0, 0, 5) }), []byte{
			7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			8, 0, 9, 0, 5, 0, 0, 0, // NDA_MASTER
		}},
		{"rule add", enc(func() ([]byte, error) {
			r := Rule{Src: pfx("10.1.0.0/16"), Table: 1000, Priority: 100, Mark: 1, IIF: "v0"}
			return r.encode(uapi.RTM_NEWRULE)
		}), []byte{
			2, 0, 16, 0, 0, 0, 0, 1, 0, 0, 0, 0, // fib_rule_hdr: AF_INET, src_len 16, table 0, FR_ACT_TO_TBL
			8, 0, 15, 0, 0xe8, 3, 0, 0, // FRA_TABLE 1000
			8, 0, 6, 0, 100, 0, 0, 0, // FRA_PRIORITY
			8, 0, 2, 0, 10, 1, 0, 0, // FRA_SRC
			7, 0, 3, 0, 'v', '0', 0, 0, // FRA_IIFNAME
			8, 0, 10, 0, 1, 0, 0, 0, // FRA_FWMARK
			8, 0, 16, 0, 0xff, 0xff, 0xff, 0xff, // FRA_FWMASK, all bits by default
		}},
		{"rule delete", enc(func() ([]byte, error) {
			r := Rule{Family: uapi.AF_INET6, Priority: 5}
			return r.encode(uapi.RTM_DELRULE)
		}), []byte{
			10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // no action, no table: any
			8, 0, 6, 0, 5, 0, 0, 0,
		}},
		{"nexthop", enc(func() ([]byte, error) {
			nh := NextHopObject{ID: 7, Gateway: ip("10.0.0.2"), Index: 3, Flags: NextHopOnLink}
			return nh.encode()
		}), []byte{
			2, 0, 0, 0, 4, 0, 0, 0, // nhmsg: AF_INET, onlink
			8, 0, 1, 0, 7, 0, 0, 0, // NHA_ID
			8, 0, 6, 0, 10, 0, 0, 2, // NHA_GATEWAY
			8, 0, 5, 0, 3, 0, 0, 0, // NHA_OIF
		}},
		{"nexthop group", enc(func() ([]byte, error) {
			nh := NextHopObject{ID: 10, Group: []NextHopGroupMember{{ID: 1}, {ID: 2, Weight: 300}}}
			return nh.encode()
		}), []byte{
			0, 0, 0, 0, 0, 0, 0, 0, // a group has no family
			8, 0, 1, 0, 10, 0, 0, 0,
			20, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 43, 1, 0, 0, // NHA_GROUP: weight 300 is 299, low byte then weight_high
		}},
		{"nexthop blackhole", enc(func() ([]byte, error) {
			nh := NextHopObject{Blackhole: true, Protocol: ProtoStatic}
			return nh.encode()
		}), []byte{
			2, 0, 4, 0, 0, 0, 0, 0, // AF_INET, proto static
			4, 0, 4, 0, // NHA_BLACKHOLE
		}},
	} {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s:\n got % x\nwant % x", tc.name, tc.got, tc.want)
		}
	}
}

// TestNeighborRoundTrip decodes what encode makes, as the kernel's reply
// would carry it: every field comes back.
func TestNeighborRoundTrip(t *testing.T) {
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for _, n := range []Neighbor{
		{Index: 3, IP: ip("10.0.0.2"), HardwareAddr: mac, State: NeighReachable, Flags: NeighExtLearned | NeighManaged, Protocol: 99},
		{Index: 1, IP: ip("2001:db8::1"), State: NeighPermanent, Flags: NeighProxy},
	} {
		b, err := n.encode(uapi.RTM_NEWNEIGH)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseNeighbor(asReply(uapi.RTM_NEWNEIGH, b))
		if err != nil || !reflect.DeepEqual(got, n) {
			t.Errorf("round trip:\n got %+v, %v\nwant %+v", got, err, n)
		}
	}
	e := FDBEntry{HardwareAddr: mac, Index: 4, VLAN: 7, Dst: ip("192.0.2.1"), MasterIndex: 2, State: NeighNoARP, Flags: NeighMaster | NeighSticky}
	b, err := e.encode(uapi.RTM_NEWNEIGH)
	if err != nil {
		t.Fatal(err)
	}
	e.State |= NeighReachable // "static" goes as bridge fdb add sends it
	if got, err := ParseFDBEntry(asReply(uapi.RTM_NEWNEIGH, b)); err != nil || !reflect.DeepEqual(got, e) {
		t.Errorf("FDB round trip:\n got %+v, %v\nwant %+v", got, err, e)
	}
	for _, r := range []Rule{
		{Family: uapi.AF_INET, Priority: 100, HasPriority: true, Src: pfx("10.1.0.0/16"), Dst: pfx("10.2.0.0/24"), IIF: "v0", OIF: "v1", Mark: 0x10, Mask: 0xff,
			TOS: 0x10, Action: RuleToTable, Table: 70000, Protocol: ProtoStatic, Flags: RuleInvert},
		{Family: uapi.AF_INET6, Priority: 5, HasPriority: true, Action: RuleGoto, Goto: 10},
		{Family: uapi.AF_INET6, Priority: 6, HasPriority: true, Dst: pfx("::/0"), Action: RuleProhibit},
		{Family: uapi.AF_INET, HasPriority: true, Action: RuleToTable, Table: 100}, // priority 0
	} {
		b, err := r.encode(uapi.RTM_NEWRULE)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseRule(asReply(uapi.RTM_NEWRULE, b)); err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("rule round trip:\n got %+v, %v\nwant %+v", got, err, r)
		}
	}
	for _, nh := range []NextHopObject{
		{ID: 1, Family: uapi.AF_INET6, Gateway: ip("2001:db8::1"), Index: 3, Protocol: ProtoStatic, Flags: NextHopOnLink},
		{ID: 2, Group: []NextHopGroupMember{{ID: 1, Weight: 1}, {ID: 3, Weight: 65535}}},
		{ID: 3, Family: uapi.AF_INET6, Blackhole: true},
	} {
		b, err := nh.encode()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseNextHopObject(asReply(uapi.RTM_NEWNEXTHOP, b)); err != nil || !reflect.DeepEqual(got, nh) {
			t.Errorf("nexthop round trip:\n got %+v, %v\nwant %+v", got, err, nh)
		}
	}
}

// TestNeighborParseErrors: messages of another kind, short headers and
// broken attributes are errors wrapping netlink.ErrMalformed.
func TestNeighborParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"neighbour from a link message", func() error { _, err := ParseNeighbor(asReply(uapi.RTM_NEWLINK, make([]byte, 16))); return err }()},
		{"short ndmsg", func() error { _, err := ParseNeighbor(asReply(uapi.RTM_NEWNEIGH, make([]byte, 4))); return err }()},
		{"FDB from an IPv4 entry", func() error {
			_, err := ParseFDBEntry(asReply(uapi.RTM_NEWNEIGH, append([]byte{2}, make([]byte, 11)...)))
			return err
		}()},
		{"neighbour without address", func() error {
			_, err := ParseNeighbor(asReply(uapi.RTM_NEWNEIGH, append([]byte{2}, make([]byte, 11)...)))
			return err
		}()},
		{"short rule", func() error { _, err := ParseRule(asReply(uapi.RTM_NEWRULE, []byte{2, 0})); return err }()},
		{"rule prefix of the wrong family", func() error {
			_, err := ParseRule(asReply(uapi.RTM_NEWRULE, []byte{10, 0, 8, 0, 0, 0, 0, 1, 0, 0, 0, 0, 8, 0, 2, 0, 10, 0, 0, 0}))
			return err
		}()},
		{"broken group", func() error {
			_, err := ParseNextHopObject(asReply(uapi.RTM_NEWNEXTHOP, []byte{0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 2, 0, 1, 0, 0, 0}))
			return err
		}()},
		{"broken attribute", func() error {
			_, err := ParseNextHopObject(asReply(uapi.RTM_NEWNEXTHOP, []byte{2, 0, 0, 0, 0, 0, 0, 0, 200, 0, 1, 0}))
			return err
		}()},
	} {
		if !errors.Is(tc.err, netlink.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", tc.name, tc.err)
		}
	}
	// A check error matches both errnos callers test for.
	err := invalid(uapi.RTM_NEWNEIGH, "x")
	var oe *netlink.OpError
	if !errors.Is(err, syscall.EINVAL) || !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || errors.Is(err, syscall.ENOENT) {
		t.Errorf("invalidArg: %v", err)
	}
}

func TestNeighborStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{NeighNone.String(), "NONE"},
		{(NeighReachable | NeighStale).String(), "REACHABLE,STALE"},
		{(NeighPermanent | 1<<12).String(), "PERMANENT,0x1000"},
		{NeighborFlags(0).String(), "0"},
		{(NeighRouter | NeighExtLearned | NeighManaged | 1<<20).String(), "extern_learn|router|managed|0x100000"},
		{RuleBlackhole.String(), "blackhole"},
		{RuleToTable.String(), "lookup"},
		{RuleAction(42).String(), "42"},
		{(RuleInvert | RuleUnresolved).String(), "not|unresolved"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// FuzzParseNeighbor parses arbitrary payloads as neighbour and FDB
// messages: never a panic, what parses has an address of its family, and
// its add request parses as the same entry (roundTripNeighbor,
// roundTripFDB).
func FuzzParseNeighbor(f *testing.F) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for _, n := range []Neighbor{
		{Index: 3, IP: netip.MustParseAddr("10.0.0.2"), HardwareAddr: mac, Flags: NeighManaged, Protocol: 4},
		{Index: 3, IP: netip.MustParseAddr("2001:db8::2"), Flags: NeighProxy},
		{Index: 3, IP: netip.MustParseAddr("2001:db8::3"), HardwareAddr: mac, State: NeighStale, Flags: NeighRouter | NeighExtLearned | NeighExtValid},
		{Index: 3, IP: netip.MustParseAddr("198.18.0.4"), State: NeighIncomplete, Flags: NeighManaged},
		{IP: netip.MustParseAddr("198.18.0.5"), Flags: NeighProxy},
	} {
		b, err := n.encode(uapi.RTM_NEWNEIGH)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	b, err := (&FDBEntry{HardwareAddr: mac, Index: 4, VLAN: 7, Dst: netip.MustParseAddr("192.0.2.1")}).encode(uapi.RTM_NEWNEIGH)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := ParseNeighbor(asReply(uapi.RTM_NEWNEIGH, b)); err == nil {
			if n.IP.Is4() != (b[0] == uapi.AF_INET) {
				t.Fatalf("parsed %+v from family %d", n, b[0])
			}
			roundTripNeighbor(t, n)
		}
		if e, err := ParseFDBEntry(asReply(uapi.RTM_DELNEIGH, b)); err == nil {
			if b[0] != uapi.AF_BRIDGE {
				t.Fatalf("parsed an FDB entry from family %d", b[0])
			}
			roundTripFDB(t, e)
		}
	})
}

// FuzzParseRule parses arbitrary payloads as rules: never a panic, what
// parses has prefixes of its family, and AddRule's request for it parses
// as the same rule (roundTripRule).
func FuzzParseRule(f *testing.F) {
	for _, r := range []Rule{
		{Src: netip.MustParsePrefix("10.1.0.0/16"), Table: 1000, Priority: 100, Mark: 1, IIF: "v0", Goto: 0},
		{Family: uapi.AF_INET6, Priority: 100, Table: 100, Other: raw(uapi.FRA_UID_RANGE, 0xe8, 3, 0, 0, 0xd0, 7, 0, 0) + raw(uapi.FRA_IP_PROTO, uapi.IPPROTO_TCP)},
		{Family: uapi.AF_INET, Priority: 7, HasUIDRange: true, IPProto: 17, SPort: PortRange{53, 53}, SPortMask: 0xff, DPort: PortRange{1000, 2000},
			HasSuppressPrefixLen: true, SuppressIfGroup: 2, HasSuppressIfGroup: true, TunID: 9, Realms: 0x10002, DSCP: 10, DSCPMask: 0x3f},
		{Family: uapi.AF_INET6, L3MDev: true, FlowLabel: 0x100, FlowLabelMask: 0xf00, Other: raw(31, 1, 2, 3, 4)},
	} {
		b, err := r.encode(uapi.RTM_NEWRULE)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRule(asReply(uapi.RTM_NEWRULE, b))
		if err != nil {
			return
		}
		for _, p := range []netip.Prefix{r.Src, r.Dst} {
			if p.IsValid() && p.Addr().Is4() != (r.Family == uapi.AF_INET) {
				t.Fatalf("parsed %+v", r)
			}
		}
		roundTripRule(t, r)
	})
}

// FuzzParseNextHopObject parses arbitrary payloads as nexthop objects:
// never a panic, group weights stay in range, and AddNextHopObject's
// request for it parses as the same object (roundTripNextHop).
func FuzzParseNextHopObject(f *testing.F) {
	for _, nh := range []NextHopObject{
		{ID: 7, Gateway: netip.MustParseAddr("10.0.0.2"), Index: 3},
		{ID: 10, Group: []NextHopGroupMember{{ID: 1}, {ID: 2, Weight: 300}}},
		{ID: 11, Group: []NextHopGroupMember{{ID: 1, Weight: 65535}, {ID: 2}}, GroupType: NextHopGroupResilient,
			Resilient: NextHopResilience{Buckets: 8, IdleTimer: 1230 * time.Millisecond, UnbalancedTimer: 5 * time.Second}},
		{ID: 12, Gateway: netip.MustParseAddr("2001:db8::6"), FDB: true, Family: uapi.AF_INET6},
		{ID: 13, Group: []NextHopGroupMember{{ID: 12}}, FDB: true, Other: raw(nhaHWStatsEnable, 1, 0, 0, 0)},
		{ID: 14, Gateway: netip.MustParseAddr("198.18.0.9"), Index: 2, Encap: &IPEncap{ID: 5, Src: netip.MustParseAddr("198.18.0.1")}},
		{ID: 15, Gateway: netip.MustParseAddr("198.18.0.9"), Index: 2, Encap: &RawEncap{Type: 77, Data: raw(1, 1, 2, 3)}},
	} {
		b, err := nh.encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		nh, err := ParseNextHopObject(asReply(uapi.RTM_NEWNEXTHOP, b))
		if err != nil {
			return
		}
		for _, m := range nh.Group {
			if m.Weight < 1 || m.Weight > 1<<16 { // what 16 bits plus one say; the kernel takes up to maxWeight
				t.Fatalf("parsed %+v", nh)
			}
		}
		roundTripNextHop(t, nh)
	})
}
