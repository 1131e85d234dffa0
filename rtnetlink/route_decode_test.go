package rtnetlink

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// readRouteCapture returns the root package's captured dump of 100,015
// routes (see bench_test.go there), messages back to back.
func readRouteCapture(tb testing.TB) []byte {
	tb.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		tb.Skip("the capture is of a little-endian kernel")
	}
	f, err := os.Open("../testdata/rtm_newroute_100k.bin.gz")
	if err != nil {
		tb.Skip(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkRouteDecode decodes the captured dump to Route values: the
// user-space cost of Routes, without the kernel and the socket.
func BenchmarkRouteDecode(b *testing.B) {
	buf := readRouteCapture(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	n := 0
	for b.Loop() {
		n = 0
		for m, err := range netlink.Messages(buf) {
			if err != nil {
				b.Fatal(err)
			}
			var r Route
			ok, err := r.decode(&m)
			if err != nil {
				b.Fatal(err)
			}
			if ok {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/route")
}

// arLittleEndian skips tests whose expected bytes are written out for a
// little-endian host.
func arLittleEndian(t testing.TB) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("expected bytes are little-endian")
	}
}

// asReply wraps a request payload as the kernel's reply would carry it.
func asReply(typ netlink.HeaderType, data []byte) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: typ, Length: uint32(netlink.HeaderLen + len(data))}, Data: data}
}

func TestRouteEncodeBytes(t *testing.T) {
	arLittleEndian(t)
	for _, tc := range []struct {
		name string
		r    Route
		del  bool
		want []byte
	}{
		{"gateway", Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gateway: netip.MustParseAddr("10.0.0.2")}, false, []byte{
			2, 16, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0, // rtmsg: AF_INET /16, table 0, boot, universe, unicast
			8, 0, 1, 0, 10, 1, 0, 0, // RTA_DST
			8, 0, 5, 0, 10, 0, 0, 2, // RTA_GATEWAY
		}},
		{"link route", Route{Dst: netip.MustParsePrefix("10.6.0.0/24"), Index: 3}, false, []byte{
			2, 24, 0, 0, 0, 3, 253, 1, 0, 0, 0, 0, // scope link: no gateway
			8, 0, 1, 0, 10, 6, 0, 0,
			8, 0, 4, 0, 3, 0, 0, 0, // RTA_OIF
		}},
		{"delete any", Route{Dst: netip.MustParsePrefix("10.1.0.0/16")}, true, []byte{
			2, 16, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, // proto any, scope nowhere (any), type any
			8, 0, 1, 0, 10, 1, 0, 0,
		}},
		{"link route, scope 0 and protocol 0 as listed", Route{Dst: netip.MustParsePrefix("10.6.0.0/24"), Index: 3, HasScope: true, HasProtocol: true}, false, []byte{
			2, 24, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, // proto unspec, scope universe: no defaults
			8, 0, 1, 0, 10, 6, 0, 0,
			8, 0, 4, 0, 3, 0, 0, 0,
		}},
		{"link route, scope link as listed", Route{Dst: netip.MustParsePrefix("10.6.0.0/24"), Index: 3, Protocol: ProtoStatic, Scope: ScopeLink, HasScope: true, HasProtocol: true}, false, []byte{
			2, 24, 0, 0, 0, 4, 253, 1, 0, 0, 0, 0, // the fields as they are
			8, 0, 1, 0, 10, 6, 0, 0,
			8, 0, 4, 0, 3, 0, 0, 0,
		}},
		{"delete universe as listed", Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), HasScope: true, HasProtocol: true}, true, []byte{
			2, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // scope universe only (protocol 0 is any for a delete)
			8, 0, 1, 0, 10, 1, 0, 0,
		}},
		{"table 1000, via, mtu", Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("fe80::1"), Index: 2, Table: 1000, Metrics: Metrics{MTU: 1400}}, false, []byte{
			2, 0, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0, // no RTA_DST for the default route; rtm_table 0
			8, 0, 15, 0, 0xe8, 3, 0, 0, // RTA_TABLE 1000
			22, 0, 18, 0, 10, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, // RTA_VIA: AF_INET6, fe80::1, padded
			8, 0, 4, 0, 2, 0, 0, 0, // RTA_OIF
			12, 0, 8, 0x80, 8, 0, 2, 0, 0x78, 5, 0, 0, // RTA_METRICS (nested) { RTAX_MTU 1400 }
		}},
		{"multipath", Route{Dst: netip.MustParsePrefix("10.5.0.0/16"), MultiPath: []NextHop{
			{Gateway: netip.MustParseAddr("10.0.0.2"), Index: 3, Weight: 3}, {Index: 4, Flags: NextHopOnLink}}}, false, []byte{
			2, 16, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0,
			8, 0, 1, 0, 10, 5, 0, 0,
			28, 0, 9, 0, // RTA_MULTIPATH
			16, 0, 0, 2, 3, 0, 0, 0, 8, 0, 5, 0, 10, 0, 0, 2, // rtnexthop len 16, hops 2 (weight 3), ifindex 3, RTA_GATEWAY
			8, 0, 4, 0, 4, 0, 0, 0, // rtnexthop len 8, onlink, weight 1, ifindex 4
		}},
	} {
		got, err := tc.r.encode(tc.del)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s:\n got % x\nwant % x", tc.name, got, tc.want)
		}
	}
}

// TestRouteRoundTrip decodes what encode makes, as the kernel's reply
// would carry it: every field comes back, with an add's defaults.
func TestRouteRoundTrip(t *testing.T) {
	pfx, ip := netip.MustParsePrefix, netip.MustParseAddr
	for _, r := range []Route{
		{Dst: pfx("10.1.0.0/16"), Gateway: ip("10.0.0.2"), Index: 3, PrefSrc: ip("10.0.0.1"), Protocol: ProtoStatic, Scope: ScopeUniverse,
			Type: RouteUnicast, Table: 70000, Priority: 5, TOS: 0x10, Flags: NextHopOnLink,
			Metrics: Metrics{Lock: 4, MTU: 1400, Window: 1, RTT: 2, RTTVar: 3, SSThresh: 4, CWnd: 5, AdvMSS: 6, Reordering: 7, HopLimit: 8,
				InitCWnd: 9, Features: 1, RTOMin: 11, InitRWnd: 12, QuickAck: 1, CongestionControl: "bbr", FastOpenNoCookie: 1}},
		{Dst: pfx("2001:db8::/32"), Src: pfx("2001:db8:1::/48"), Gateway: ip("fe80::1"), Index: 2, Protocol: ProtoBoot, Type: RouteUnicast,
			Table: TableMain, Pref: 3, Expires: 300 * time.Second, NextHopID: 0},
		{Dst: pfx("10.5.0.0/16"), Protocol: ProtoBoot, Type: RouteUnicast, Table: 5, MultiPath: []NextHop{
			{Gateway: ip("10.0.0.2"), Index: 3, Weight: 256}, {Gateway: ip("2001:db8::2"), Index: 4, Weight: 1, Flags: NextHopOnLink}}},
		{Dst: pfx("::/0"), Protocol: ProtoBoot, Type: RouteBlackhole, Table: TableMain},
		{Dst: pfx("10.0.0.1/32"), Protocol: ProtoBoot, Type: RouteLocal, Scope: ScopeHost, Table: TableLocal, Index: 1},
		{Dst: pfx("10.6.0.0/24"), Type: RouteUnicast, Table: TableMain, Index: 1}, // protocol and scope 0
	} {
		r.HasProtocol, r.HasScope = true, true // as the decoder sets them
		b, err := r.encode(false)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		m := asReply(uapi.RTM_NEWROUTE, b)
		var got Route
		ok, err := got.decode(&m)
		if !ok || err != nil {
			t.Fatalf("%+v: decode: %v, %v", r, ok, err)
		}
		want := r
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
}

// TestRouteForwardCompatible: unknown attributes are kept in Other, structs
// longer than known are read for the fields known, and other families are
// passed over.
func TestRouteForwardCompatible(t *testing.T) {
	arLittleEndian(t)
	base := []byte{
		2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0,
		8, 0, 1, 0, 10, 0, 0, 0, // RTA_DST 10.0.0.0
		8, 0, 200, 0, 1, 2, 3, 4, // unknown attribute 200
		40, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, // RTA_CACHEINFO, 4 bytes longer: expires 1000 ticks
		12, 0, 8, 0, 8, 0, 99, 0, 1, 0, 0, 0, // RTA_METRICS with unknown metric 99
		8, 0, 4, 0, 3, 0, 0, 0, // RTA_OIF 3
	}
	m := asReply(uapi.RTM_NEWROUTE, base)
	var r Route
	ok, err := r.decode(&m)
	want := Route{Dst: netip.MustParsePrefix("10.0.0.0/24"), Index: 3, Table: 254, Protocol: ProtoKernel, HasProtocol: true, Scope: ScopeLink, HasScope: true, Type: RouteUnicast, Expires: 10 * time.Second,
		Other: "\x08\x00\xc8\x00\x01\x02\x03\x04"}
	if !ok || err != nil || !reflect.DeepEqual(r, want) {
		t.Errorf("decode = %+v, %v, %v; want %+v", r, ok, err, want)
	}
	for _, family := range []byte{128 /* RTNL_FAMILY_IPMR */, 28 /* AF_MPLS */, 7} {
		b := bytes.Clone(base)
		b[0] = family
		m := asReply(uapi.RTM_NEWROUTE, b)
		if ok, err := new(Route).decode(&m); ok || err != nil {
			t.Errorf("family %d: %v, %v; want passed over", family, ok, err)
		}
	}
	// Malformed: errors, never a panic.
	for i, b := range [][]byte{
		base[:11],
		append(bytes.Clone(base[:12]), 8, 0, 1, 0, 10, 0, 0),                                                                         // attribute past the end
		append(bytes.Clone(base[:12]), 6, 0, 1, 0, 10, 0, 0, 0),                                                                      // RTA_DST of 2 bytes
		append(bytes.Clone(base[:12]), 12, 0, 9, 0, 9, 0, 0, 0, 0, 0, 0, 0),                                                          // rtnexthop longer than its attribute
		{2, 40, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0},                                                                                    // /40 for IPv4
		append([]byte{2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0}, 20, 0, 1, 0, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), // IPv6 RTA_DST in an IPv4 route
	} {
		m := asReply(uapi.RTM_NEWROUTE, b)
		if _, err := new(Route).decode(&m); !errors.Is(err, netlink.ErrMalformed) {
			t.Errorf("malformed %d: %v, want ErrMalformed", i, err)
		}
	}
}

func TestAddressRoundTrip(t *testing.T) {
	pfx, ip := netip.MustParsePrefix, netip.MustParseAddr
	for _, a := range []Address{
		{Index: 3, Prefix: pfx("10.0.0.1/24"), Broadcast: ip("10.0.0.255"), Label: "v0:x", Scope: ScopeLink, Flags: AddrNoPrefixRoute | AddrPermanent,
			ValidLifetime: Forever, PreferredLifetime: Forever, Metric: 7, Protocol: 2},
		{Index: 3, Prefix: pfx("10.9.0.1/32"), Peer: ip("10.9.0.2"), ValidLifetime: 100, PreferredLifetime: 0},
		{Index: 4, Prefix: pfx("2001:db8::1/64"), Flags: AddrNoDAD | AddrManageTempAddr | AddrStablePrivacy, ValidLifetime: 600, PreferredLifetime: 300},
	} {
		b, err := a.encode(false)
		if err != nil {
			t.Fatal(err)
		}
		m := asReply(uapi.RTM_NEWADDR, b)
		var got Address
		var label string
		if fam, err := got.decode(&m, &label); fam == 0 || err != nil {
			t.Fatalf("%+v: %v, %v", a, fam, err)
		}
		if !reflect.DeepEqual(got, a) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, a)
		}
	}
}

func TestAddressEncodeBytes(t *testing.T) {
	arLittleEndian(t)
	a := Address{Index: 3, Prefix: netip.MustParsePrefix("10.0.0.1/24"), Flags: AddrNoPrefixRoute, ValidLifetime: 100, PreferredLifetime: 50}
	got, err := a.encode(false)
	want := []byte{
		2, 24, 0, 0, 3, 0, 0, 0, // ifaddrmsg: AF_INET /24, low flag bits 0, scope 0, index 3
		8, 0, 2, 0, 10, 0, 0, 1, // IFA_LOCAL
		8, 0, 1, 0, 10, 0, 0, 1, // IFA_ADDRESS
		8, 0, 8, 0, 0, 2, 0, 0, // IFA_FLAGS noprefixroute
		20, 0, 6, 0, 50, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IFA_CACHEINFO preferred 50 valid 100
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("encode = % x, %v\nwant % x", got, err, want)
	}
	// A longer ifa_cacheinfo and unknown attributes still decode.
	long := append(bytes.Clone(want[:32]), 24, 0, 6, 0, 50, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 5, 0, 99, 0, 1, 0, 0, 0)
	m := asReply(uapi.RTM_NEWADDR, long)
	var d Address
	var label string
	if _, err := d.decode(&m, &label); err != nil || d.ValidLifetime != 100 || d.PreferredLifetime != 50 || d.Flags != AddrNoPrefixRoute {
		t.Errorf("longer cacheinfo: %+v, %v", d, err)
	}
}

func TestFlagStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{(AddrNoDAD | AddrPermanent | 1<<20).String(), "nodad|permanent|0x100000"},
		{AddressFlags(0).String(), "0"},
		{(NextHopOnLink | RouteCloned | 0x80000000).String(), "onlink|cloned|0x80000000"},
		{ScopeLink.String(), "link"},
		{Scope(77).String(), "77"},
		{RouteBlackhole.String(), "blackhole"},
		{Protocol(42).String(), "babel"},
		{Protocol(250).String(), "250"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// FuzzRouteDecode decodes arbitrary payloads: never a panic, a route that
// decodes has a valid destination of its family, and AddRoute's request
// for it decodes as the same route (roundTripRoute).
func FuzzRouteDecode(f *testing.F) {
	pfx, ip := netip.MustParsePrefix, netip.MustParseAddr
	for _, r := range []Route{
		{Dst: pfx("10.1.0.0/16"), Gateway: ip("10.0.0.2"), Metrics: Metrics{MTU: 1400, CongestionControl: "bbr"}},
		{Dst: pfx("2001:db8::/32"), Table: 1000, MultiPath: []NextHop{{Gateway: ip("fe80::1"), Index: 2}, {Index: 3, Weight: 9}}},
		{Dst: pfx("10.0.0.0/8"), Gateway: ip("fe80::1"), Index: 2},
		{Dst: pfx("198.18.5.0/24"), Index: 2, Realms: 6, Other: raw(40, 6, 0, 0, 0)},
		{Dst: pfx("198.18.6.0/24"), Index: 2, HasScope: true, HasProtocol: true},
		{Dst: pfx("198.18.7.0/24"), Index: 2, Encap: &IPEncap{ID: 5, Dst: ip("198.18.0.9"), TTL: 3, Flags: 4, Other: raw(8, 1, 2, 3, 4)}},
		{Dst: pfx("2001:db8:7::/64"), Index: 2, Encap: &IPEncap{ID: 1, Dst: ip("2001:db8::9"), Src: ip("2001:db8::1")}},
		{Dst: pfx("2001:db8:9::/64"), Index: 2, Encap: &Seg6LocalEncap{Action: Seg6LocalEndX, NextHop6: ip("2001:db8::1"), Table: 5, OIF: 3}},
		{Dst: pfx("198.18.8.0/24"), MultiPath: []NextHop{
			{Index: 2, Realms: 1<<16 | 2, Encap: &MPLSEncap{Labels: []uint32{100, 200}, TTL: 9}},
			{Index: 3, Encap: &Seg6Encap{Mode: Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::5"), ip("2001:db8::6")}}},
			{Index: 4, Encap: &BPFEncap{Xmit: BPFProgram{FD: 7, Name: "x"}, XmitHeadroom: 14}},
			{Index: 5, Encap: &RawEncap{Type: 77, Data: raw(1, 1, 2, 3)}},
		}},
	} {
		b, err := r.encode(false)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	if buf := readRouteCaptureIfPresent(); buf != nil {
		n := 0
		for m, err := range netlink.Messages(buf) {
			if err != nil || n > 20 {
				break
			}
			f.Add(bytes.Clone(m.Data))
			n++
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := asReply(uapi.RTM_NEWROUTE, b)
		var r Route
		ok, err := r.decode(&m)
		if !ok || err != nil {
			return
		}
		if !r.Dst.IsValid() || r.Dst.Addr().Is4() != (b[0] == uapi.AF_INET) {
			t.Fatalf("decoded %+v from family %d", r, b[0])
		}
		roundTripRoute(t, r)
	})
}

// FuzzAddressDecode decodes arbitrary payloads: never a panic, an address
// that decodes has a valid prefix of its family, and AddAddress's request
// for it decodes as the same address (roundTripAddress).
func FuzzAddressDecode(f *testing.F) {
	for _, a := range []Address{
		{Index: 3, Prefix: netip.MustParsePrefix("10.0.0.1/24"), Label: "v0", Broadcast: netip.MustParseAddr("10.0.0.255")},
		{Index: 3, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Flags: AddrNoDAD | AddrNoPrefixRoute, ValidLifetime: 5, PreferredLifetime: 1},
	} {
		b, err := a.encode(false)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := asReply(uapi.RTM_NEWADDR, b)
		var a Address
		var label string
		fam, err := a.decode(&m, &label)
		if fam == 0 || err != nil {
			return
		}
		if !a.Prefix.IsValid() || a.Prefix.Addr().Is4() != (fam == uapi.AF_INET) {
			t.Fatalf("decoded %+v from family %d", a, fam)
		}
		roundTripAddress(t, a)
	})
}

// readRouteCaptureIfPresent is readRouteCapture for seeding, or nil.
func readRouteCaptureIfPresent() []byte {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return nil
	}
	f, err := os.Open("../testdata/rtm_newroute_100k.bin.gz")
	if err != nil {
		return nil
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(z, 4096))
	return b
}

// An empty RTA_MULTIPATH is no multipath: MultiPath stays nil, as its
// documentation says.
func TestRouteEmptyMultipath(t *testing.T) {
	rtm := make([]byte, uapi.SizeofRtMsg)
	rtm[0], rtm[1], rtm[4] = uapi.AF_INET, 24, uapi.RT_TABLE_MAIN
	e := netlink.NewAttrEncoder(rtm)
	e.Bytes(uapi.RTA_DST, []byte{10, 1, 0, 0})
	e.Bytes(uapi.RTA_MULTIPATH, nil)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRoute(netlink.Message{Header: netlink.Header{Type: uapi.RTM_NEWROUTE}, Data: b})
	if err != nil || r.MultiPath != nil || r.Dst != netip.MustParsePrefix("10.1.0.0/24") {
		t.Errorf("ParseRoute = %+v, %v; want 10.1.0.0/24 with a nil MultiPath", r, err)
	}
}
