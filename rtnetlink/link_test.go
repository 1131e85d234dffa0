//go:build linux

package rtnetlink

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Unit tests on bytes: no socket, no kernel.

// unhex decodes hex bytes written with spaces, newlines and # comments.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for line := range strings.Lines(s) {
		line, _, _ = strings.Cut(line, "#")
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// littleEndian skips tests whose bytes are written out little-endian.
func littleEndian(t testing.TB) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the expected bytes are little-endian")
	}
}

// captured returns the RTM_NEWLINK messages that internal/capture recorded
// from a namespace with lo, veth0 and veth1 (see its doc comment).
func captured(t testing.TB) []netlink.Message {
	t.Helper()
	b, err := os.ReadFile("../testdata/rtm_newlink_dump.bin")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []netlink.Message
	for m, err := range netlink.Messages(b) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type == unix.RTM_NEWLINK {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

func mustMAC(s string) net.HardwareAddr {
	a, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestParseLinkCapture(t *testing.T) {
	msgs := captured(t)
	up := LinkUp | LinkRunning | LinkLowerUp
	want := []Link{{
		Index: 1, Name: "lo", HardwareType: unix.ARPHRD_LOOPBACK, Flags: LinkLoopback | up,
		OperState: OperUnknown, MTU: 65536, TxQueueLen: 1000, LinkNetNSID: -1,
		GSOMaxSize: 65536, GSOMaxSegs: 65535, GROMaxSize: 65536, GSOIPv4MaxSize: 65536, GROIPv4MaxSize: 65536, HasAddrGenMode: true,
		HardwareAddr: mustMAC("00:00:00:00:00:00"), Broadcast: mustMAC("00:00:00:00:00:00"),
	}, {
		Index: 2, Name: "veth1", Kind: "veth", HardwareType: unix.ARPHRD_ETHER, Flags: LinkBroadcast | LinkMulticast | up,
		OperState: OperUp, MTU: 1500, MinMTU: 68, MaxMTU: 65535, TxQueueLen: 1000, ParentIndex: 3, LinkNetNSID: -1,
		GSOMaxSize: 65536, GSOMaxSegs: 65535, GROMaxSize: 65536, GSOIPv4MaxSize: 65536, GROIPv4MaxSize: 65536, HasAddrGenMode: true,
		HardwareAddr: mustMAC("ee:8f:e6:81:2e:58"), Broadcast: mustMAC("ff:ff:ff:ff:ff:ff"),
		Stats: LinkStats{RxPackets: 7, TxPackets: 7, RxBytes: 666, TxBytes: 586},
	}, {
		Index: 3, Name: "veth0", Kind: "veth", HardwareType: unix.ARPHRD_ETHER, Flags: LinkBroadcast | LinkMulticast | up,
		OperState: OperUp, MTU: 1500, MinMTU: 68, MaxMTU: 65535, TxQueueLen: 1000, ParentIndex: 2, LinkNetNSID: -1,
		GSOMaxSize: 65536, GSOMaxSegs: 65535, GROMaxSize: 65536, GSOIPv4MaxSize: 65536, GROIPv4MaxSize: 65536, HasAddrGenMode: true,
		HardwareAddr: mustMAC("b6:b3:a8:2c:b7:6c"), Broadcast: mustMAC("ff:ff:ff:ff:ff:ff"),
		Stats: LinkStats{RxPackets: 7, TxPackets: 7, RxBytes: 586, TxBytes: 666},
	}}
	if len(msgs) != len(want) {
		t.Fatalf("%d messages, want %d", len(msgs), len(want))
	}
	for i, m := range msgs {
		got, err := ParseLink(m)
		if err != nil {
			t.Fatal(err)
		}
		otherKept(t, m, got.Other, unix.IFLA_QDISC, unix.IFLA_AF_SPEC, unix.IFLA_NUM_TX_QUEUES)
		got.Other = ""
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("link %d:\n got %+v\nwant %+v", i, got, want[i])
		}
		// The link owns its memory.
		if aliases(got.HardwareAddr, m.Data) || aliases(got.Broadcast, m.Data) {
			t.Errorf("link %d aliases the message", i)
		}
	}
}

// otherKept checks that other holds attributes of m's, in m's order, as
// they came, and among them those of the types named.
func otherKept(t *testing.T, m netlink.Message, other RawAttrs, types ...uint16) {
	t.Helper()
	var all []netlink.Attr
	for a, err := range netlink.Attrs(m.Data[unix.SizeofIfInfomsg:]) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, a)
	}
	seen := map[uint16]bool{}
	for o, err := range other.All() {
		if err != nil {
			t.Fatalf("Other: %v", err)
		}
		for len(all) > 0 && (all[0].Type != o.Type || !bytes.Equal(all[0].Data, o.Data) || all[0].Nested != o.Nested) {
			all = all[1:]
		}
		if len(all) == 0 {
			t.Fatalf("Other's attribute %d is not in the message, or out of order", o.Type)
		}
		all = all[1:]
		seen[o.Type] = true
	}
	for _, typ := range types {
		if !seen[typ] {
			t.Errorf("Other lacks attribute %d", typ)
		}
	}
}

// forwardCompat is an RTM_NEWLINK payload from a make-believe newer kernel:
// unknown attributes at the top, in IFLA_LINKINFO and in IFLA_INFO_DATA,
// and a struct rtnl_link_stats64 longer than the fields Link reads.
const forwardCompat = `
00 00 01 00  07 00 00 00  43 10 01 00  00 00 00 00   # ifinfomsg: ARPHRD_ETHER, index 7, UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
07 00 03 00  78 30 00 00                             # IFLA_IFNAME "x0"
0c 00 ff 83  08 00 01 00  2a 00 00 00                # unknown 1023, nested
08 00 04 00  78 05 00 00                             # IFLA_MTU 1400
64 00 17 00                                          # IFLA_STATS64, 12 counters
  01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00  03 00 00 00 00 00 00 00
  04 00 00 00 00 00 00 00  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00
  07 00 00 00 00 00 00 00  08 00 00 00 00 00 00 00  09 00 00 00 00 00 00 00
  0a 00 00 00 00 00 00 00  0b 00 00 00 00 00 00 00  0c 00 00 00 00 00 00 00
3c 00 12 00                                          # IFLA_LINKINFO
  0a 00 01 00  76 78 6c 61  6e 00 00 00              #   IFLA_INFO_KIND "vxlan"
  05 00 30 00  01 00 00 00                           #   unknown 48
  24 00 02 00                                        #   IFLA_INFO_DATA
    08 00 01 00  05 00 00 00                         #     IFLA_VXLAN_ID 5
    08 00 70 00  ff ff ff ff                         #     unknown 112
    06 00 0f 00  12 b5 00 00                         #     IFLA_VXLAN_PORT 4789, big-endian
    08 00 02 00  0a 00 00 02                         #     IFLA_VXLAN_GROUP 10.0.0.2
05 00 10 00  06 00 00 00                             # IFLA_OPERSTATE UP
0a 00 01 00  02 00 00 00  00 01 00 00                # IFLA_ADDRESS 02:00:00:00:00:01
04 00 fe 7f                                          # unknown 32766, empty
`

var forwardCompatLink = Link{
	Index: 7, Name: "x0", Kind: "vxlan", HardwareType: unix.ARPHRD_ETHER,
	Flags:     LinkUp | LinkBroadcast | LinkRunning | LinkMulticast | LinkLowerUp,
	OperState: OperUp, MTU: 1400, HardwareAddr: mustMAC("02:00:00:00:00:01"), LinkNetNSID: -1,
	Stats: LinkStats{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
	Data: &Vxlan{ID: 5, Port: 4789, Remote: netip.MustParseAddr("10.0.0.2"),
		Other: RawAttrs([]byte{8, 0, 0x70, 0, 0xff, 0xff, 0xff, 0xff})},
	// The unknown attributes are kept in order, with their flags; the
	// unknown one in IFLA_LINKINFO in an IFLA_LINKINFO of its own.
	Other: RawAttrs([]byte{0x0c, 0, 0xff, 0x83, 8, 0, 1, 0, 0x2a, 0, 0, 0,
		0x0c, 0, 0x12, 0, 5, 0, 0x30, 0, 1, 0, 0, 0,
		4, 0, 0xfe, 0x7f}),
}

// canXStats is an RTM_NEWLINK payload for a CAN device as the kernel lays
// it out (rtnl_link_info_fill: the kind, then the kind's IFLA_INFO_XSTATS,
// struct can_device_stats, then IFLA_INFO_DATA), cut to what matters here.
const canXStats = `
00 00 18 01  05 00 00 00  c1 00 01 00  00 00 00 00   # ifinfomsg: ARPHRD_CAN, index 5, UP|RUNNING|NOARP|LOWER_UP
09 00 03 00  63 61 6e 30  00 00 00 00                # IFLA_IFNAME "can0"
08 00 04 00  10 00 00 00                             # IFLA_MTU 16
40 00 12 00                                          # IFLA_LINKINFO
  08 00 01 00  63 61 6e 00                           #   IFLA_INFO_KIND "can"
  1c 00 03 00                                        #   IFLA_INFO_XSTATS: struct can_device_stats
    01 00 00 00  02 00 00 00  03 00 00 00            #     bus_error, error_warning, error_passive
    04 00 00 00  05 00 00 00  06 00 00 00            #     bus_off, arbitration_lost, restarts
  18 00 02 00                                        #   IFLA_INFO_DATA
    0c 00 08 00  08 00 00 00  00 00 00 00            #     IFLA_CAN_CTRLMODE
    08 00 05 00  00 00 00 00                         #     IFLA_CAN_STATE
05 00 10 00  06 00 00 00                             # IFLA_OPERSTATE UP
`

// TestParseLinkInfoXStats: IFLA_INFO_XSTATS, which no field models, is kept
// in Other (in an IFLA_LINKINFO of its own, in its place) and not sent
// back: the kernel ignores it in a request.
func TestParseLinkInfoXStats(t *testing.T) {
	littleEndian(t)
	l, err := ParseLink(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: unhex(t, canXStats)})
	if err != nil {
		t.Fatal(err)
	}
	want := RawAttrs(unhex(t, `
		20 00 12 00  1c 00 03 00
		01 00 00 00  02 00 00 00  03 00 00 00  04 00 00 00  05 00 00 00  06 00 00 00`))
	if l.Other != want {
		t.Errorf("Other = % x, want % x", l.Other, want)
	}
	if d, ok := l.Data.(*RawLinkData); l.Kind != "can" || !ok || len(d.Data) != 0x14 || l.MTU != 16 || l.OperState != OperUp {
		t.Errorf("%+v (%+v)", l, l.Data)
	}
	r, err := newLinkRequest(&l)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Finish()
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseLink(asReply(unix.RTM_NEWLINK, b))
	if err != nil {
		t.Fatal(err)
	}
	if again.Other != "" {
		t.Errorf("CreateLink's request sends back % x", again.Other)
	}
	// Nor is an IFLA_LINKINFO kept when there is nothing to keep.
	l.Other = ""
	if r, err = newLinkRequest(&l); err != nil {
		t.Fatal(err)
	}
	b, _ = r.Finish()
	if again, err = ParseLink(asReply(unix.RTM_NEWLINK, b)); err != nil || again.Other != "" {
		t.Errorf("a link without IFLA_INFO_XSTATS: Other % x, %v", again.Other, err)
	}
}

func TestParseLinkForwardCompat(t *testing.T) {
	littleEndian(t)
	b := unhex(t, forwardCompat)
	got, err := ParseLink(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: b})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, forwardCompatLink) {
		t.Errorf("\n got %+v\nwant %+v", got, forwardCompatLink)
	}

	// An RTM_DELLINK notification reads the same way.
	if del, err := ParseLink(netlink.Message{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: b}); err != nil || del.Name != "x0" {
		t.Errorf("RTM_DELLINK: %+v, %v", del, err)
	}

	// A shorter stats struct (an older kernel) gives the counters it has.
	var s LinkStats
	s.decode(unhex(t, "01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00  03 00 00 00"))
	if s != (LinkStats{RxPackets: 1, TxPackets: 2}) {
		t.Errorf("short stats: %+v", s)
	}
}

func TestParseLinkMalformed(t *testing.T) {
	littleEndian(t)
	hdr := "00 00 01 00  07 00 00 00  00 00 00 00  00 00 00 00 "
	for _, c := range []struct {
		name string
		typ  netlink.HeaderType
		data string
	}{
		{"not a link", unix.RTM_NEWADDR, hdr},
		{"short ifinfomsg", unix.RTM_NEWLINK, "00 00 01 00  07 00 00 00  00 00 00 00  00 00 00"},
		{"attribute past the end", unix.RTM_NEWLINK, hdr + "10 00 03 00 78 30 00 00"},
		{"attribute shorter than its header", unix.RTM_NEWLINK, hdr + "02 00 03 00"},
		{"2-byte MTU", unix.RTM_NEWLINK, hdr + "06 00 04 00 dc 05 00 00"},
		{"2-byte operstate", unix.RTM_NEWLINK, hdr + "06 00 10 00 06 00 00 00"},
		{"bad nest", unix.RTM_NEWLINK, hdr + "08 00 12 00 09 00 01 00"},
		{"2-byte VXLAN ID", unix.RTM_NEWLINK, hdr + "1c 00 12 00 0a 00 01 00 76 78 6c 61 6e 00 00 00 0a 00 02 00 06 00 01 00 05 00 00 00"},
	} {
		_, err := ParseLink(netlink.Message{Header: netlink.Header{Type: c.typ}, Data: unhex(t, c.data)})
		if !errors.Is(err, netlink.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", c.name, err)
		}
	}
}

// TestParseLinkAllocs: decoding allocates only what the link keeps.
func TestParseLinkAllocs(t *testing.T) {
	littleEndian(t)
	msgs := captured(t)
	fc := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: unhex(t, forwardCompat)}
	for _, c := range []struct {
		name string
		m    netlink.Message
		want float64
	}{
		{"veth (name, address, broadcast, Other)", msgs[1], 4},
		{"vxlan (name, address, Vxlan, its Other, Other)", fc, 5},
	} {
		var l Link
		allocs := testing.AllocsPerRun(100, func() {
			l = Link{}
			if err := l.decode(&c.m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != c.want {
			t.Errorf("%s: %v allocations, want %v", c.name, allocs, c.want)
		}
	}
}

// TestKindStringAllocs checks that the kinds without data (wireguard and
// team among them) and the registered ones are read without allocating,
// with or without their NUL, and that another kind reads as it came.
func TestKindStringAllocs(t *testing.T) {
	for _, k := range append(dataless[:], "veth", "bridge", "vxlan") {
		for _, b := range [][]byte{[]byte(k), append([]byte(k), 0)} {
			var got string
			if allocs := testing.AllocsPerRun(100, func() { got = kindString(b) }); allocs != 0 || got != k {
				t.Errorf("kindString(%q) = %q with %v allocations, want %q with none", b, got, allocs, k)
			}
		}
	}
	if got := kindString([]byte("nosuchkind\x00")); got != "nosuchkind" {
		t.Errorf("kindString(nosuchkind) = %q", got)
	}
}

func BenchmarkParseLink(b *testing.B) {
	m := captured(b)[1]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLink(m); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNewLinkRequestBytes(t *testing.T) {
	littleEndian(t)
	r, err := newLinkRequest(&Link{Name: "v0", MTU: 9000, Data: &Veth{PeerName: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `
00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00   # ifinfomsg: index 0, no flags
07 00 03 00  76 30 00 00                             # IFLA_IFNAME "v0"
08 00 04 00  28 23 00 00                             # IFLA_MTU 9000
30 00 12 80                                          # IFLA_LINKINFO, nested
  09 00 01 00  76 65 74 68  00 00 00 00              #   IFLA_INFO_KIND "veth"
  20 00 02 80                                        #   IFLA_INFO_DATA, nested
    1c 00 01 80                                      #     VETH_INFO_PEER (nested)
      00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00  # ifinfomsg
      07 00 03 00  76 31 00 00                       #       IFLA_IFNAME "v1"
`)
	if !bytes.Equal(got, want) {
		t.Errorf("request\n got % x\nwant % x", got, want)
	}
}

// TestLinkRoundTrip: a create request has the layout of the kernel's
// replies, so ParseLink reads back what newLinkRequest wrote.
func TestLinkRoundTrip(t *testing.T) {
	for _, l := range []Link{
		{Index: 9, Name: "br0", Flags: LinkUp, MTU: 1400, TxQueueLen: 10, Alias: "", Data: &Bridge{
			STP: true, VLANFiltering: true, ForwardDelay: 4 * time.Second, HelloTime: 3 * time.Second,
			MaxAge: 10 * time.Second, AgeingTime: 100 * time.Second, Priority: 100}},
		{Name: "mv0", ParentIndex: 3, HardwareAddr: mustMAC("02:00:00:00:00:07"), Data: &Macvlan{Mode: MacvlanSource}},
		{Name: "vx0", MasterIndex: 4, Data: &Vxlan{ID: 42, Port: 4789, Local: netip.MustParseAddr("10.0.0.1"),
			Remote: netip.MustParseAddr("10.0.0.2"), DevIndex: 3}},
		{Name: "vx6", Broadcast: mustMAC("ff:ff:ff:ff:ff:fe"), Data: &Vxlan{ID: 1, Local: netip.MustParseAddr("fd00::1"),
			Group: netip.MustParseAddr("ff05::100")}},
		{Name: "tap0", Data: &Tun{Tap: true, PI: true, VnetHdr: true, Persist: true, MultiQueue: true, Owner: -1, Group: -1}},
		{Name: "ifb0", Kind: "ifb"},
	} {
		r, err := newLinkRequest(&l)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Finish()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseLink(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: b})
		if err != nil {
			t.Fatal(err)
		}
		want := l
		want.LinkNetNSID = -1
		if want.Data != nil {
			want.Kind = want.Data.Kind()
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v %+v\nwant %+v %+v", got, got.Data, want, want.Data)
		}
	}
}

// TestCheckBeforeSending: requests that cannot succeed are refused before
// anything is sent (the Conn has no socket: sending would panic), with
// EINVAL, as the kernel would.
func TestCheckBeforeSending(t *testing.T) {
	rt := New(nil)
	ctx := context.Background()
	create := func(l Link) error {
		_, err := rt.CreateLink(ctx, l)
		return err
	}
	for _, c := range []struct {
		name string
		err  error
	}{
		{"empty name", create(Link{Kind: "bridge"})},
		{"16-byte name", create(Link{Name: "abcdefghijklmnop", Kind: "bridge"})},
		{"name with a slash", create(Link{Name: "a/b", Kind: "bridge"})},
		{"name with a space", create(Link{Name: "a b", Kind: "bridge"})},
		{"name ..", create(Link{Name: "..", Kind: "bridge"})},
		{"no kind", create(Link{Name: "x0"})},
		{"two kinds", create(Link{Name: "x0", Kind: "bridge", Data: &Veth{PeerName: "x1"}})},
		{"alias", create(Link{Name: "x0", Kind: "bridge", Alias: "a"})},
		{"negative index", create(Link{Name: "x0", Kind: "bridge", Index: -1})},
		{"no peer name", create(Link{Name: "x0", Data: &Veth{}})},
		{"long peer name", create(Link{Name: "x0", Data: &Veth{PeerName: strings.Repeat("p", 16)}})},
		{"remote and group", create(Link{Name: "x0", Data: &Vxlan{Remote: netip.MustParseAddr("10.0.0.1"), Group: netip.MustParseAddr("239.0.0.1")}})},
		{"multicast remote", create(Link{Name: "x0", Data: &Vxlan{Remote: netip.MustParseAddr("239.0.0.1")}})},
		{"unicast group", create(Link{Name: "x0", Data: &Vxlan{Group: netip.MustParseAddr("fd00::1")}})},
		{"negative master", create(Link{Name: "x0", Kind: "bridge", MasterIndex: -1})},
		{"negative parent", create(Link{Name: "x0", Kind: "macvlan", ParentIndex: -2})},
		{"negative vxlan link", create(Link{Name: "x0", Data: &Vxlan{DevIndex: -1}})},
		{"negative bridge time", create(Link{Name: "x0", Data: &Bridge{MaxAge: -time.Second}})},
		{"Link 0", func() error { _, err := rt.Link(ctx, 0); return err }()},
		{"LinkByName empty", func() error { _, err := rt.LinkByName(ctx, ""); return err }()},
		{"SetLinkName long", rt.SetLinkName(ctx, 1, "0123456789abcdef")},
		{"SetLinkUp -1", rt.SetLinkUp(ctx, -1)},
		{"SetLinkMaster -1", rt.SetLinkMaster(ctx, 1, -1)},
		{"SetLinkHardwareAddr empty", rt.SetLinkHardwareAddr(ctx, 1, nil)},
		{"SetLinkNetNS none", rt.SetLinkNetNS(ctx, 1, NetNS{})},
		{"DeleteLink 0", rt.DeleteLink(ctx, 0)},
	} {
		var oe *netlink.OpError
		if !errors.As(c.err, &oe) || oe.Op != "check" || !errors.Is(c.err, unix.EINVAL) {
			t.Errorf("%s: %v, want a check *OpError wrapping EINVAL", c.name, c.err)
		}
	}
	// A namespace path that does not open fails before sending too.
	err := rt.SetLinkNetNS(ctx, 1, NetNSPath("/nonexistent/netns"))
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "open" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SetLinkNetNS(/nonexistent): %v", err)
	}
}

func TestStrings(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{LinkFlags(0).String(), "0"},
		{(LinkUp | LinkBroadcast | LinkMulticast | LinkRunning | LinkLowerUp).String(), "BROADCAST,MULTICAST,UP,RUNNING,LOWER_UP"},
		{(LinkLoopback | LinkUp | 1<<30).String(), "LOOPBACK,UP,0x40000000"},
		{OperUp.String(), "UP"},
		{OperLowerLayerDown.String(), "LOWERLAYERDOWN"},
		{OperState(7).String(), "OperState(7)"},
		{MacvlanBridge.String(), "bridge"},
		{MacvlanMode(3).String(), "MacvlanMode(3)"},
		{IP6TunnelFlags(0).String(), "0"},
		{(IP6TunnelRcvDSCPCopy | IP6TunnelCapXmit | IP6TunnelCapRcv).String(), "rcv_dscp_copy,cap_xmit,cap_rcv"},
		{(IP6TunnelIgnoreEncapLimit | IP6TunnelCapPerPacket | 1<<7 | 1<<31).String(), "ign_encap_limit,cap_per_packet,0x80000080"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

// FuzzParseLink: no input makes ParseLink panic; errors wrap ErrMalformed;
// a parsed link owns its memory and parses the same twice, CreateLink's
// request for it parses as the same link (roundTripLink), and SetLinkVF's
// for each of its virtual functions as the same function (roundTripVF).
func FuzzParseLink(f *testing.F) {
	for _, m := range captured(f) {
		f.Add(m.Data)
	}
	f.Add(unhex(f, forwardCompat))
	f.Add(unhex(f, canXStats))
	f.Add(vfMessage())
	// SetLinkVF's requests, read as a link.
	for _, vf := range []VFInfo{
		{ID: 1, Has: VFHasMAC | VFHasVLAN | VFHasVLANList | VFHasTxRate | VFHasRate | VFHasSpoofCheck | VFHasLinkState | VFHasTrust | VFHasRSSQuery,
			MAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, VLAN: 5, QoS: 1, VLANs: []VFVLAN{{5, 1, 0x88a8}}, TxRate: 3, MinTxRate: 1, MaxTxRate: 3,
			SpoofCheck: true, LinkState: VFLinkEnable, RSSQuery: true, Other: RawAttrs([]byte{5, 0, 40, 0, 1, 0, 0, 0})},
		{ID: 2, Has: VFHasNodeGUID | VFHasPortGUID, NodeGUID: 1, PortGUID: 2},
	} {
		r, err := setRequest(1, func(r *request) error { return putVF(r, &vf) })
		if err != nil {
			f.Fatal(err)
		}
		b, _ := r.Finish()
		f.Add(b)
	}
	for _, l := range append([]Link{
		{Name: "br0", Data: &Bridge{STP: true, Priority: 1, NoMulticastSnooping: true, VLANProtocol: 0x88a8, DefaultPVID: 3}},
		{Name: "mv0", Data: &Macvlan{Mode: MacvlanBridge}},
		{Name: "mt0", Data: &Macvtap{Mode: MacvlanPrivate}},
		{Name: "vx0", Data: &Vxlan{ID: 1, Local: netip.MustParseAddr("fd00::1"), Remote: netip.MustParseAddr("fd00::2"), TTL: 3, TOS: 1, NoLearning: true, PortLow: 10, PortHigh: 20, External: true}},
		{Name: "tun0", Data: &Tun{}},
		{Name: "v0", Data: &Veth{PeerName: "v1"}, Group: 3, GSOMaxSize: 1, GSOMaxSegs: 2, GROMaxSize: 3, GSOIPv4MaxSize: 4, GROIPv4MaxSize: 5},
		{Name: "g0", Data: &RawLinkData{KindName: "gretap", Data: []byte{8, 0, 1, 0, 1, 2, 3, 4}}},
		{Name: "p0", Kind: "ifb", MasterIndex: 2, Port: &BridgePort{Priority: 3, Cost: 4, Learning: true, Isolated: true}},
		{Name: "p2", Kind: "ifb", MasterIndex: 2, Port: &BridgePort{Cost: 4, Other: RawAttrs([]byte{
			5, 0, unix.IFLA_BRPORT_MULTICAST_ROUTER, 0, 2, 0, 0, 0, // kept and sent
			8, 0, 41, 0, 1, 0, 0, 0, // IFLA_BRPORT_MCAST_N_GROUPS: kept, not sent
			5, 0, unix.IFLA_BRPORT_LOCKED, 0, 1, 0, 0, 0})}}, // kept and sent
		{Name: "p1", Kind: "ifb", MasterIndex: 2, Port: &RawPortData{KindName: "bond", Data: []byte{5, 0, 1, 0, 1, 0, 0, 0}}},
	}, kindSeeds...) { // and the kinds of link_kinds_roundtrip_test.go
		r, err := newLinkRequest(&l)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := r.Finish()
		f.Add(b)
		after, err := l.afterCreate(1)
		if err != nil {
			f.Fatal(err)
		}
		for _, r := range after {
			b, _ := r.Finish()
			f.Add(b)
		}
	}
	// What the other requests carry, read as a link.
	for _, l := range []Link{
		{Name: "a0", AddrGenMode: AddrGenStablePrivacy, ProtoDown: true, ProtoDownReason: 5, AltNames: []string{"alt0", "alt1"}},
		{Name: "a1", HasAddrGenMode: true}, // eui64
	} {
		after, err := l.afterCreate(1)
		if err != nil {
			f.Fatal(err)
		}
		for _, r := range after {
			b, _ := r.Finish()
			f.Add(b)
		}
	}
	xdp, err := setRequest(1, func(r *request) error {
		x := r.Nest(unix.IFLA_XDP)
		r.Uint8(unix.IFLA_XDP_ATTACHED, uint8(XDPAttachedSKB))
		r.Uint32(unix.IFLA_XDP_PROG_ID, 7)
		r.Uint32(unix.IFLA_XDP_SKB_PROG_ID, 7)
		r.End(x)
		r.Bytes(unix.IFLA_PERM_ADDRESS, []byte{2, 0, 0, 0, 0, 9})
		r.Uint32(unix.IFLA_PROMISCUITY, 2)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	b, _ := xdp.Finish()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		m := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: data}
		l, err := ParseLink(m)
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if aliases(l.HardwareAddr, data) || aliases(l.Broadcast, data) || aliases(l.PermHardwareAddr, data) {
			t.Fatal("the link aliases the message")
		}
		macLen := len(l.HardwareAddr)
		if macLen <= 0 || macLen > vfMACLen {
			macLen = 6
		}
		for _, vf := range l.VFs {
			if aliases(vf.MAC, data) || aliases(vf.Broadcast, data) {
				t.Fatal("a VF's address aliases the message")
			}
			roundTripVF(t, vf, macLen)
		}
		if d, ok := l.Data.(*RawLinkData); ok && aliases(d.Data, data) {
			t.Fatal("raw kind data aliases the message")
		}
		if d, ok := l.Port.(*RawPortData); ok && aliases(d.Data, data) {
			t.Fatal("raw port data aliases the message")
		}
		again, err := ParseLink(m)
		if err != nil || !reflect.DeepEqual(l, again) {
			t.Fatalf("second parse: %+v, %v", again, err)
		}
		roundTripLink(t, l)
	})
}
