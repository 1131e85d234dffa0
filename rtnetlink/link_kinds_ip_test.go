//go:build linux

package rtnetlink

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/uapi"
)

// What ip sends: the request `ip link add` makes for a kind, read with
// strace from the sendmsg that carries it, whether or not the kernel has the
// kind (this one refuses most with "Unknown device type", after ip sent
// its request). Comparing it with what CreateLink sends for the same Link
// checks our encoders against iproute2's without a kernel that knows the
// kinds: the VM tests (link_kinds_kernel_test.go) check them against the
// kernel itself.

// ipCase is an `ip link add` command line and the Link that should make
// the same request.
type ipCase struct {
	args string // after "ip link add": "name t0 link lo type vlan id 5"
	link Link
}

// ipRequest runs ip with args under strace in ns and returns the payload
// (after struct nlmsghdr) of the RTM_NEWLINK request it sent, or skips the
// test when strace is missing, or fails it when ip sent none (an option
// this ip does not know: ip's message says so).
func ipRequest(t *testing.T, ns *nstest.NS, args string) []byte {
	return ipLinkRequest(t, ns, "add", args)
}

// ipLinkRequest is ipRequest for ip link cmd ("add" or "set"): the
// RTM_NEWLINK with NLM_F_CREATE that add sends, or the one without that
// set sends.
func ipLinkRequest(t *testing.T, ns *nstest.NS, verb, args string) []byte {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("needs strace to read what ip sends")
	}
	out := filepath.Join(t.TempDir(), "strace")
	cmd := exec.Command(strace, append([]string{"-f", "-qq", "-e", "trace=sendmsg", "-e", "write=all", "-o", out,
		"ip", "-n", ns.Name, "link", verb}, strings.Fields(args)...)...)
	ipOut, _ := cmd.CombinedOutput() // the kernel may refuse: the request went out
	dump, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range straceBuffers(t, string(dump)) {
		for m, err := range netlink.Messages(msg) {
			if err != nil {
				t.Fatalf("ip sent a malformed message: %v", err)
			}
			if m.Header.Type == uapi.RTM_NEWLINK && (m.Header.Flags&netlink.Create != 0) == (verb == "add") {
				return m.Data
			}
		}
	}
	if strings.Contains(string(ipOut), "unknown command") || strings.Contains(string(ipOut), "Usage:") {
		t.Skipf("this ip does not know ip link %s %s: %s", verb, args, ipOut)
	}
	t.Fatalf("ip link %s %s sent no RTM_NEWLINK: %s", verb, args, ipOut)
	return nil
}

// straceBuffers reads the buffers that strace's -e write dumps, each
// "* N bytes in buffer I" and then lines " | OFFSET  HEX...  ASCII |".
func straceBuffers(t *testing.T, s string) [][]byte {
	t.Helper()
	var bufs [][]byte
	left := 0 // bytes of the current buffer still to read
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\n")
		if rest, ok := strings.CutPrefix(line, " * "); ok {
			n, _, _ := strings.Cut(rest, " ")
			v, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("strace: %q", line)
			}
			bufs, left = append(bufs, nil), v
			continue
		}
		if !strings.HasPrefix(line, " | ") || left == 0 || len(line) < 10 {
			continue
		}
		fields := strings.Fields(line[10:])
		n := min(left, 16, len(fields))
		b, err := hex.DecodeString(strings.Join(fields[:n], ""))
		if err != nil {
			t.Fatalf("strace: %q: %v", line, err)
		}
		bufs[len(bufs)-1] = append(bufs[len(bufs)-1], b...)
		left -= n
	}
	return bufs
}

// canonAttrs describes attributes as "type=payload", the payload in hex, or
// for the types in nested the nested attributes' descriptions in order;
// top-level ones are sorted, since the order of a kind's options carries
// no meaning. NLA_F_NESTED is dropped: ip leaves it off where we set it.
func canonAttrs(t *testing.T, b []byte, nested map[uint16]bool, sorted bool) []string {
	t.Helper()
	var s []string
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			t.Fatal(err)
		}
		v := hex.EncodeToString(a.Data)
		if nested[a.Type] {
			v = "{" + strings.Join(canonAttrs(t, a.Data, nested, false), " ") + "}"
		}
		s = append(s, fmt.Sprintf("%d=%s", a.Type, v))
	}
	if sorted {
		slices.Sort(s)
	}
	return s
}

// linkRequest is what a RTM_NEWLINK payload says, canonical: its
// ifinfomsg, its attributes without IFLA_LINKINFO, and IFLA_LINKINFO's.
type linkRequest struct {
	ifinfomsg        string
	attrs            []string
	kind, portKind   string
	data, portData   []string
	otherInLinkInfo  []string
	dataSet, portSet bool
}

func parseLinkRequest(t *testing.T, b []byte, nested map[uint16]bool) linkRequest {
	t.Helper()
	if len(b) < uapi.SizeofIfInfomsg {
		t.Fatalf("%d-byte request", len(b))
	}
	r := linkRequest{ifinfomsg: hex.EncodeToString(b[:uapi.SizeofIfInfomsg])}
	for a, err := range netlink.Attrs(b[uapi.SizeofIfInfomsg:]) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != uapi.IFLA_LINKINFO {
			r.attrs = append(r.attrs, fmt.Sprintf("%d=%s", a.Type, hex.EncodeToString(a.Data)))
			continue
		}
		for ia, err := range a.Attrs() {
			if err != nil {
				t.Fatal(err)
			}
			switch ia.Type {
			case uapi.IFLA_INFO_KIND:
				r.kind = ia.Str()
			case uapi.IFLA_INFO_SLAVE_KIND:
				r.portKind = ia.Str()
			case uapi.IFLA_INFO_DATA:
				r.data, r.dataSet = canonAttrs(t, ia.Data, nested, true), true
			case uapi.IFLA_INFO_SLAVE_DATA:
				r.portData, r.portSet = canonAttrs(t, ia.Data, nested, true), true
			default:
				r.otherInLinkInfo = append(r.otherInLinkInfo, fmt.Sprintf("%d=%x", ia.Type, ia.Data))
			}
		}
	}
	slices.Sort(r.attrs)
	// An empty IFLA_INFO_DATA says what no IFLA_INFO_DATA says.
	r.dataSet = r.dataSet && len(r.data) > 0
	r.portSet = r.portSet && len(r.portData) > 0
	return r
}

// checkAsIP runs each case's ip command under strace, and checks that
// newLinkRequest makes the same request for the case's Link: the same
// ifinfomsg, and the same attributes with the same payloads, in any order
// (in order inside the nests in nested).
//
// ipOnly are IFLA_INFO_DATA attributes ip sends and we do not, as
// canonAttrs writes them ("22=01"), each for a reason the caller gives.
func checkAsIP(t *testing.T, nested map[uint16]bool, ipOnly []string, cases []ipCase) {
	t.Helper()
	ns := nstest.New(t)
	for _, c := range cases {
		t.Run(c.args, func(t *testing.T) {
			ipMsg := ipRequest(t, ns, c.args)
			ip := parseLinkRequest(t, ipMsg, nested)
			ip.data = slices.DeleteFunc(ip.data, func(a string) bool { return slices.Contains(ipOnly, a) })
			r, err := newLinkRequest(&c.link)
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.Finish()
			if err != nil {
				t.Fatal(err)
			}
			ours := parseLinkRequest(t, b, nested)
			if !reflect.DeepEqual(ours, ip) {
				t.Errorf("ip link add %s\n ip sends %+v\nwe send   %+v", c.args, ip, ours)
			}
			// And ip reads ours as it reads its own.
			if len(ipOnly) == 0 {
				if got, want := ipPrints(t, b), ipPrints(t, kindWithNUL(t, ipMsg)); got != want {
					t.Errorf("ip link add %s: ip prints our request as\n%s\nand its own as\n%s", c.args, got, want)
				}
			}
			ns.Try("link", "del", "t0") // in a kernel with the kind, ip made it
		})
	}
}

// TestStraceBuffers: the dump of -e write, as strace 6.1 prints it.
func TestStraceBuffers(t *testing.T) {
	dump := `12302 sendmsg(3, {...}, 0) = 20
 * 20 bytes in buffer 0
 | 00000  14 00 00 00 10 00 05 06  81 eb 15 6b 00 00 00 00  ...........k.... |
 | 00010  20 00 12 00                                        ...             |
`
	got := straceBuffers(t, dump)
	want := [][]byte{{0x14, 0, 0, 0, 0x10, 0, 5, 6, 0x81, 0xeb, 0x15, 0x6b, 0, 0, 0, 0, 0x20, 0, 0x12, 0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
}

// encodeData returns the IFLA_INFO_DATA payload d encodes, or the check
// error.
func encodeData(d LinkData) ([]byte, error) {
	r := newRequest(uapi.RTM_NEWLINK, 0, 0, 0)
	if err := d.encode(r); err != nil {
		return nil, err
	}
	b, err := r.Finish()
	if err != nil {
		return nil, err
	}
	return b[uapi.SizeofIfInfomsg:], nil
}

// checkDataBytes checks that d encodes as want (hex, as unhex reads it)
// and that want decodes as d, through the registry as Link's decoder does.
func checkDataBytes(t *testing.T, d LinkData, want string) {
	t.Helper()
	littleEndian(t)
	got, err := encodeData(d)
	if err != nil {
		t.Fatal(err)
	}
	w := unhex(t, want)
	if !bytes.Equal(got, w) {
		t.Errorf("%s data\n got % x\nwant % x", d.Kind(), got, w)
	}
	back, err := decodeLinkData(d.Kind(), w)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, d) {
		t.Errorf("%s data decodes as\n %+v\nwant %+v", d.Kind(), back, d)
	}
}

// checkRefused checks that each link is refused before sending, as the
// package's checks refuse: a "check" *netlink.OpError wrapping EINVAL.
func checkRefused(t *testing.T, links map[string]Link) {
	t.Helper()
	for name, l := range links {
		_, err := newLinkRequest(&l)
		var oe *netlink.OpError
		if !errors.As(err, &oe) || oe.Op != "check" || !errors.Is(err, os.ErrInvalid) {
			t.Errorf("%s: %v, want a check error wrapping EINVAL", name, err)
		}
	}
}

// TestKindOnlyEncodesAsIP: the kinds without options, made with Link.Kind
// alone, as ip makes them.
func TestKindOnlyEncodesAsIP(t *testing.T) {
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type dummy", Link{Name: "t0", Kind: "dummy"}},
		{"name t0 mtu 1420 type wireguard", Link{Name: "t0", MTU: 1420, Kind: "wireguard"}},
		{"name t0 type team", Link{Name: "t0", Kind: "team"}},
		{"name t0 txqueuelen 5 type ifb", Link{Name: "t0", TxQueueLen: 5, Kind: "ifb"}},
	})
}

// ipSetCase is an `ip link set` command line and the data SetLinkData (a
// LinkData) or SetLinkPort (a PortData) sends for the same change.
type ipSetCase struct {
	args  string // after "ip link set": "dev lo type vlan gvrp on"
	index int    // the index the command's dev has
	data  any    // a LinkData or a PortData
}

// checkSetAsIP runs each case's ip link set under strace, and checks that
// SetLinkData or SetLinkPort sends the same request, as checkAsIP does.
func checkSetAsIP(t *testing.T, nested map[uint16]bool, cases []ipSetCase) {
	t.Helper()
	ns := nstest.New(t)
	for _, c := range cases {
		t.Run(c.args, func(t *testing.T) {
			ipMsg := ipLinkRequest(t, ns, "set", c.args)
			ip := parseLinkRequest(t, ipMsg, nested)
			var r *request
			var err error
			switch d := c.data.(type) {
			case LinkData:
				r, err = changeLinkRequest(c.index, uapi.IFLA_INFO_KIND, d.Kind(), uapi.IFLA_INFO_DATA, d.encode)
			case PortData:
				r, err = changeLinkRequest(c.index, uapi.IFLA_INFO_SLAVE_KIND, d.PortKind(), uapi.IFLA_INFO_SLAVE_DATA, d.encode)
				if kind, ok := strings.CutSuffix(ip.kind, "_slave"); ok {
					// ip names the port's kind in IFLA_INFO_KIND
					// ("bond_slave"), which the kernel reads as a link
					// kind it does not know (and may try to load a module
					// for) and ignores; SetLinkPort names the master's
					// kind in IFLA_INFO_SLAVE_KIND, which it also ignores
					// (it goes by the master the link has): the data is
					// what counts.
					ip.kind, ip.portKind = "", kind
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.Finish()
			if err != nil {
				t.Fatal(err)
			}
			if ours := parseLinkRequest(t, b, nested); !reflect.DeepEqual(ours, ip) {
				t.Errorf("ip link set %s\n ip sends %+v\nwe send   %+v", c.args, ip, ours)
			}
			if _, ok := c.data.(LinkData); ok {
				if got, want := ipPrints(t, b), ipPrints(t, kindWithNUL(t, ipMsg)); got != want {
					t.Errorf("ip link set %s: ip prints our request as\n%s\nand its own as\n%s", c.args, got, want)
				}
			}
		})
	}
}

// ipPrints returns what ip -d prints of an RTM_NEWLINK with payload b,
// reading it as it reads a file that rtmon saved (ip monitor file): a
// request as ip or CreateLink sends it, without a kernel that knows its
// kind. A payload ip cannot read fails the test.
func ipPrints(t *testing.T, b []byte) string {
	t.Helper()
	h := make([]byte, netlink.HeaderLen, netlink.HeaderLen+len(b))
	binary.NativeEndian.PutUint32(h, uint32(netlink.HeaderLen+len(b)))
	binary.NativeEndian.PutUint16(h[4:], uapi.RTM_NEWLINK)
	f := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(f, append(h, b...), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ip", "-d", "monitor", "file", f).CombinedOutput()
	if err != nil {
		t.Fatalf("ip monitor file: %v: %s", err, out)
	}
	return string(out)
}

// kindWithNUL returns the request b with a NUL after IFLA_INFO_KIND's
// string. ip sends the kind without one, and reads a kind with
// rta_getattr_str, which wants one: ip prints its own request with
// whatever bytes follow the kind (a padding's zeros, or another
// attribute's header), where the kernel reads the length.
func kindWithNUL(t *testing.T, b []byte) []byte {
	t.Helper()
	typ := func(a netlink.Attr) uint16 {
		if a.Nested {
			return a.Type | netlink.AttrNested
		}
		return a.Type
	}
	e := netlink.NewAttrEncoder(append([]byte(nil), b[:uapi.SizeofIfInfomsg]...))
	for a, err := range netlink.Attrs(b[uapi.SizeofIfInfomsg:]) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != uapi.IFLA_LINKINFO {
			e.Bytes(typ(a), a.Data)
			continue
		}
		nest := e.Nest(uapi.IFLA_LINKINFO)
		for ia, err := range a.Attrs() {
			if err != nil {
				t.Fatal(err)
			}
			if ia.Type == uapi.IFLA_INFO_KIND {
				e.String(ia.Type, ia.Str())
			} else {
				e.Bytes(typ(ia), ia.Data)
			}
		}
		e.End(nest)
	}
	out, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
