package rtnetlink

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// mplsHex decodes hex bytes written with spaces.
func mplsHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTripMPLSRoute checks r through AddMPLSRoute's request.
func roundTripMPLSRoute(t *testing.T, r MPLSRoute) bool {
	t.Helper()
	b, err := r.encode(false)
	if err != nil {
		return false
	}
	got, err := ParseMPLSRoute(asReply(uapi.RTM_NEWROUTE, b))
	if err != nil {
		t.Fatalf("%+v encodes as % x, which parses as %v", r, b, err)
	}
	want := r
	if want.Protocol == 0 {
		want.Protocol = ProtoBoot
	}
	want.Flags &^= kernelRouteFlags
	if len(want.NewLabels) == 0 {
		want.NewLabels = nil
	}
	if len(want.MultiPath) == 0 {
		want.MultiPath = nil
	} else {
		want.MultiPath = append([]MPLSNextHop(nil), want.MultiPath...)
		for i := range want.MultiPath {
			h := &want.MultiPath[i]
			h.Flags &^= kernelRouteFlags
			if len(h.NewLabels) == 0 {
				h.NewLabels = nil
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip of % x:\n got %+v\nwant %+v", b, got, want)
	}
	return true
}

// TestMPLSRouteBytes: AddMPLSRoute's request for a route that swaps label
// 100 for 200/300 via 10.0.0.2 out of link 2, written out as ip -f mpls
// route add 100 as 200/300 via inet 10.0.0.2 dev v0 sends it; the kernel's
// reply of the same bytes (with its flags) parses as the route.
func TestMPLSRouteBytes(t *testing.T) {
	arLittleEndian(t)
	r := MPLSRoute{Label: 100, NewLabels: []uint32{200, 300}, Via: netip.MustParseAddr("10.0.0.2"), Index: 2, TTLPropagate: MPLSTTLDisabled}
	b, err := r.encode(false)
	if err != nil {
		t.Fatal(err)
	}
	want := mplsHex(t, ""+
		"1c 14 00 00 fe 03 00 01 00 00 00 00"+ // rtmsg: AF_MPLS, dst_len 20, main, boot, universe, unicast
		" 08 00 01 00 00 06 41 00"+ // RTA_DST: label 100, bottom of stack
		" 0c 00 13 00 00 0c 80 00 00 12 c1 00"+ // RTA_NEWDST: 200, 300 (bottom)
		" 0a 00 12 00 02 00 0a 00 00 02 00 00"+ // RTA_VIA: AF_INET 10.0.0.2
		" 08 00 04 00 02 00 00 00"+ // RTA_OIF 2
		" 05 00 1a 00 00 00 00 00") // RTA_TTL_PROPAGATE 0: disabled
	if !bytes.Equal(b, want) {
		t.Errorf("request\n got % x\nwant % x", b, want)
	}
	reply := bytes.Clone(want)
	reply[8] = uint8(NextHopLinkDown) // the kernel's flag
	got, err := ParseMPLSRoute(asReply(uapi.RTM_NEWROUTE, reply))
	r.Protocol, r.Flags = ProtoBoot, NextHopLinkDown
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("parsed %+v, %v; want %+v", got, err, r)
	}
	if _, err := ParseRoute(asReply(uapi.RTM_NEWROUTE, reply)); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ParseRoute of an MPLS route: %v, want ErrUnsupported", err)
	}
	if _, err := ParseMPLSRoute(asReply(uapi.RTM_NEWROUTE, mplsHex(t, "02 18 00 00 fe 03 00 01 00 00 00 00"))); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("ParseMPLSRoute of an IPv4 route: %v, want ErrMalformed", err)
	}

	ip := netip.MustParseAddr
	for i, compared := range []bool{
		roundTripMPLSRoute(t, MPLSRoute{Label: 16}),
		roundTripMPLSRoute(t, MPLSRoute{Label: 1<<20 - 1, Via: ip("2001:db8::2"), Index: 3, TTLPropagate: MPLSTTLEnabled, Protocol: ProtoStatic, Flags: NextHopOnLink | NextHopDead}),
		roundTripMPLSRoute(t, MPLSRoute{Label: 17, MultiPath: []MPLSNextHop{
			{NewLabels: []uint32{18}, Via: ip("10.0.0.2"), Index: 2, Flags: NextHopLinkDown},
			{Via: ip("2001:db8::3"), Index: 3, Other: raw(40, 1, 2, 3, 4)},
		}}),
		roundTripMPLSRoute(t, MPLSRoute{Label: 19, Index: 2, Other: raw(uapi.RTA_VIA, 17, 0, 2, 0, 0, 0, 0, 1) + raw(uapi.RTA_NEWDST, 0, 0, 1, 0xff)}), // AF_PACKET; a TTL
	} {
		if !compared {
			t.Errorf("value %d: refused by its encoder", i)
		}
	}
	for _, r := range []MPLSRoute{
		{Label: 1 << 20},
		{Label: 16, NewLabels: []uint32{1 << 20}},
		{Label: 16, Via: ip("10.0.0.2"), MultiPath: []MPLSNextHop{{Index: 2}}},
		{Label: 16, Index: -1},
		{Label: 16, TTLPropagate: 3},
		{Label: 16, Via: ip("fe80::1%v0")},
		{Label: 16, MultiPath: []MPLSNextHop{{Flags: 0x100}}},
	} {
		_, err := r.encode(false)
		if !errors.Is(err, os.ErrInvalid) {
			t.Errorf("encode(%+v) = %v, want a check error", r, err)
		}
	}
}

// FuzzParseMPLSRoute parses arbitrary payloads as MPLS routes: never a
// panic, and AddMPLSRoute's request for what parses parses as the same
// route (roundTripMPLSRoute).
func FuzzParseMPLSRoute(f *testing.F) {
	ip := netip.MustParseAddr
	for _, r := range []MPLSRoute{
		{Label: 100, NewLabels: []uint32{200, 300}, Via: ip("10.0.0.2"), Index: 2, TTLPropagate: MPLSTTLDisabled},
		{Label: 17, MultiPath: []MPLSNextHop{{NewLabels: []uint32{18}, Via: ip("10.0.0.2"), Index: 2}, {Via: ip("2001:db8::3"), Index: 3}}},
		{Label: 19, Index: 2, Other: raw(uapi.RTA_VIA, 17, 0, 2, 0, 0, 0, 0, 1)},
	} {
		b, err := r.encode(false)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseMPLSRoute(asReply(uapi.RTM_NEWROUTE, b))
		if err != nil {
			return
		}
		if b[0] != uapi.AF_MPLS || r.Label >= 1<<20 {
			t.Fatalf("parsed %+v from family %d", r, b[0])
		}
		roundTripMPLSRoute(t, r)
	})
}

// TestEncapBytes: each typed encapsulation's RTA_ENCAP payload, written
// out as the kernel's uapi headers lay it out, and an unknown type kept
// as its bytes.
func TestEncapBytes(t *testing.T) {
	arLittleEndian(t)
	ip := netip.MustParseAddr
	for _, tc := range []struct {
		enc  Encap
		typ  EncapType
		want string
	}{
		{&MPLSEncap{Labels: []uint32{100, 200}, TTL: 9}, EncapMPLS,
			"0c 00 01 00 00 06 40 00 00 0c 81 00" + // MPLS_IPTUNNEL_DST: 100, 200 (bottom of stack)
				" 05 00 02 00 09 00 00 00"}, // MPLS_IPTUNNEL_TTL
		{&IPEncap{ID: 5, Dst: ip("198.18.0.9"), Src: ip("198.18.0.1"), TTL: 3, TOS: 8, Flags: 4}, EncapIP,
			"0c 00 01 00 00 00 00 00 00 00 00 05" + // LWTUNNEL_IP_ID, big-endian
				" 08 00 02 00 c6 12 00 09 08 00 03 00 c6 12 00 01" + // DST, SRC
				" 05 00 04 00 03 00 00 00 05 00 05 00 08 00 00 00" + // TTL, TOS
				" 06 00 06 00 00 04 00 00"}, // FLAGS, big-endian (TUNNEL_KEY)
		{&IPEncap{Dst: ip("2001:db8::9")}, EncapIP6,
			"14 00 02 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 09"},
		{&Seg6Encap{Mode: Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::5"), ip("2001:db8::6")}}, EncapSeg6,
			"30 00 01 00 01 00 00 00" + // SEG6_IPTUNNEL_SRH: mode encap
				" 00 04 04 01 01 00 00 00" + // ipv6_sr_hdr: hdrlen 4, type 4, segments left 1, last entry 1
				" 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 06" + // the last segment first
				" 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 05"},
		{&Seg6LocalEncap{Action: Seg6LocalEndDT6, Table: 100}, EncapSeg6Local,
			"08 00 01 00 07 00 00 00 08 00 03 00 64 00 00 00"},
		{&BPFEncap{Xmit: BPFProgram{FD: 7, Name: "x"}, XmitHeadroom: 14}, EncapBPF,
			"14 00 03 80 08 00 01 00 07 00 00 00 06 00 02 00 78 00 00 00" + // LWT_BPF_XMIT: fd 7, name "x"
				" 08 00 04 00 0e 00 00 00"}, // LWT_BPF_XMIT_HEADROOM
		{&RawEncap{Type: 77, Data: raw(1, 1, 2, 3)}, 77, "07 00 01 00 01 02 03 00"},
	} {
		var e netlink.AttrEncoder
		e.Reset(nil)
		if err := putEncap(&e, tc.enc); err != nil {
			t.Fatalf("%+v: %v", tc.enc, err)
		}
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		// RTA_ENCAP, then RTA_ENCAP_TYPE.
		payload := b[4:binary.NativeEndian.Uint16(b)]
		if got := EncapType(binary.NativeEndian.Uint16(b[len(b)-4:])); got != tc.typ || tc.enc.EncapType() != tc.typ {
			t.Errorf("%+v: type %v, want %v", tc.enc, got, tc.typ)
		}
		if want := mplsHex(t, tc.want); !bytes.Equal(payload, want) {
			t.Errorf("%v: RTA_ENCAP\n got % x\nwant % x", tc.typ, payload, want)
		}
		if got := decodeEncap(tc.typ, payload); !reflect.DeepEqual(got, tc.enc) {
			t.Errorf("%v: % x decodes as %+v, want %+v", tc.typ, payload, got, tc.enc)
		}
	}
	// A payload of a known type that does not parse stays raw.
	bad := []byte{0xff, 0, 1, 0}
	if got, want := decodeEncap(EncapIP, bad), (&RawEncap{Type: EncapIP, Data: RawAttrs(bad)}); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	for _, tc := range []struct {
		t    EncapType
		want string
	}{{EncapMPLS, "mpls"}, {EncapSeg6Local, "seg6local"}, {EncapXfrm, "xfrm"}, {99, "99"}} {
		if tc.t.String() != tc.want {
			t.Errorf("EncapType(%d) = %q, want %q", tc.t, tc.t.String(), tc.want)
		}
	}
	if Seg6LocalEndB6Encaps.String() != "End.B6.Encaps" || Seg6LocalAction(99).String() != "99" || Seg6ModeL2EncapRed.String() != "l2encap.red" {
		t.Error("seg6 names")
	}
}

// TestRouteKeyTellsRawApart: the Mirror's key of a route tells apart
// routes that differ only by realms, encapsulation or kept attributes, of
// the route or of a path.
func TestRouteKeyTellsRawApart(t *testing.T) {
	pfx := netip.MustParsePrefix
	base := Route{Dst: pfx("198.18.1.0/24"), Index: 2}
	hop := func(h NextHop) Route { r := base; r.Index = 0; r.MultiPath = []NextHop{{Index: 2}, h}; return r }
	routes := []Route{
		base,
		{Dst: base.Dst, Index: 2, Realms: 5},
		{Dst: base.Dst, Index: 2, Encap: &IPEncap{ID: 1}},
		{Dst: base.Dst, Index: 2, Encap: &IPEncap{ID: 2}},
		{Dst: base.Dst, Index: 2, Other: raw(40, 1, 0, 0, 0)},
		hop(NextHop{Index: 3}),
		hop(NextHop{Index: 3, Realms: 5}),
		hop(NextHop{Index: 3, Encap: &MPLSEncap{Labels: []uint32{16}}}),
		hop(NextHop{Index: 3, Other: raw(40, 1, 0, 0, 0)}),
	}
	seen := map[routeKey]int{}
	for i, r := range routes {
		k := keyOfRoute(&r)
		if j, ok := seen[k]; ok {
			t.Errorf("routes %d and %d have one key: %+v, %+v", j, i, routes[j], r)
		}
		seen[k] = i
	}
	again := routes[3]
	again.Encap = &IPEncap{ID: 2}
	if keyOfRoute(&again) != keyOfRoute(&routes[3]) {
		t.Error("equal routes with encapsulations at different addresses have different keys")
	}
}
