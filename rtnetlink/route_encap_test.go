//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"github.com/nlkit/netlink/rtnetlink"
)

// ipKV is one key of an object ip -j prints, with its value.
type ipKV struct {
	k string
	v any
}

// ipOrdered runs ip -j with args in ns and returns each object's keys and
// values in the order ip printed them: ip prints some keys twice in one
// object (a route's dst, then its encapsulation's), which a map loses.
func ipOrdered(t testing.TB, ns *nstest.NS, args ...string) [][]ipKV {
	t.Helper()
	out := ns.Run(t, append([]string{"-j"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(out))
	fail := func(err error) { t.Fatalf("ip -j %v: %v: %s", args, err, out) }
	want := func(d json.Delim) {
		if tok, err := dec.Token(); err != nil || tok != d {
			fail(fmt.Errorf("token %v (%v), want %v", tok, err, d))
		}
	}
	var objs [][]ipKV
	want('[')
	for dec.More() {
		want('{')
		var obj []ipKV
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				fail(err)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				fail(err)
			}
			obj = append(obj, ipKV{k.(string), v})
		}
		want('}')
		objs = append(objs, obj)
	}
	want(']')
	return objs
}

// ipRouteKeys are the keys ip prints for a route or a path after its
// encapsulation's.
var ipRouteKeys = map[string]bool{
	"dev": true, "via": true, "gateway": true, "table": true, "protocol": true, "scope": true, "metric": true,
	"flags": true, "pref": true, "prefsrc": true, "flow": true, "nexthops": true, "expires": true, "metrics": true, "weight": true,
}

// ipEncapRouteKeys are the keys of ipRouteKeys that an encapsulation of
// a type prints as its own, right after its type: seg6local's table, the
// table its End.T or End.DT* action looks up. (ip prints a route's own
// table after its device.)
var ipEncapRouteKeys = map[string]map[string]bool{
	"seg6local": {"table": true},
}

// ipEncap formats the encapsulation in the keys of a route or path as ip
// printed them: its type, then each of its keys in order, "" for none.
func ipEncap(kvs []ipKV) string {
	var b strings.Builder
	typ := ""
	for _, kv := range kvs {
		switch {
		case kv.k == "encap":
			typ = arStr(kv.v)
			b.WriteString(typ)
		case typ == "":
		case ipRouteKeys[kv.k] && !ipEncapRouteKeys[typ][kv.k]:
			return b.String()
		case kv.v == true:
			b.WriteString(" " + kv.k)
		default:
			if l, ok := kv.v.([]any); ok {
				var s []string
				for _, e := range l {
					s = append(s, arStr(e))
				}
				fmt.Fprintf(&b, " %s=[%s]", kv.k, strings.Join(s, " "))
			} else {
				fmt.Fprintf(&b, " %s=%s", kv.k, arStr(kv.v))
			}
		}
	}
	return b.String()
}

// ourRouteEncap formats enc as ipEncap does, from the fields the package read.
func ourRouteEncap(enc rtnetlink.Encap, names map[int]string) string {
	str := func(a netip.Addr, family int) string {
		if !a.IsValid() && family == 4 {
			return "0.0.0.0"
		} else if !a.IsValid() {
			return "::"
		}
		return a.String()
	}
	switch e := enc.(type) {
	case nil:
		return ""
	case *rtnetlink.IPEncap:
		if e.EncapType() == rtnetlink.EncapIP6 {
			s := fmt.Sprintf("ip6 id=%d src=%s dst=%s hoplimit=%d tc=%d", e.ID, str(e.Src, 6), str(e.Dst, 6), e.TTL, e.TOS)
			return s + tunnelFlags(e.Flags)
		}
		s := fmt.Sprintf("ip id=%d src=%s dst=%s ttl=%d tos=%d", e.ID, str(e.Src, 4), str(e.Dst, 4), e.TTL, e.TOS)
		return s + tunnelFlags(e.Flags)
	case *rtnetlink.MPLSEncap:
		var labels []string
		for _, l := range e.Labels {
			labels = append(labels, fmt.Sprint(l))
		}
		s := "mpls dst=" + strings.Join(labels, "/")
		if e.TTL != 0 {
			s += fmt.Sprintf(" ttl=%d", e.TTL)
		}
		return s
	case *rtnetlink.Seg6Encap:
		var segs []string
		for _, a := range e.Segments {
			segs = append(segs, a.String())
		}
		return fmt.Sprintf("seg6 mode=%v segs=[%s]", e.Mode, strings.Join(segs, " "))
	case *rtnetlink.Seg6LocalEncap:
		s := "seg6local action=" + e.Action.String()
		if e.Table != 0 {
			s += fmt.Sprintf(" table=%d", e.Table)
		}
		if e.VRFTable != 0 {
			s += fmt.Sprintf(" vrftable=%d", e.VRFTable)
		}
		if e.NextHop4.IsValid() {
			s += " nh4=" + e.NextHop4.String()
		}
		if e.NextHop6.IsValid() {
			s += " nh6=" + e.NextHop6.String()
		}
		if e.IIF != 0 {
			s += " iif=" + names[e.IIF]
		}
		if e.OIF != 0 {
			s += " oif=" + names[e.OIF]
		}
		return s
	case *rtnetlink.BPFEncap:
		s := "bpf"
		for _, p := range []struct {
			k    string
			prog rtnetlink.BPFProgram
		}{{"in", e.In}, {"out", e.Out}, {"xmit", e.Xmit}} {
			if p.prog.Name != "" {
				s += fmt.Sprintf(" %s=%s", p.k, p.prog.Name)
			}
		}
		if e.XmitHeadroom != 0 {
			s += fmt.Sprintf(" headroom=%d", e.XmitHeadroom)
		}
		return s
	}
	return enc.EncapType().String() + " (raw)"
}

// tunnelFlags formats the tunnel flags as ip prints them.
func tunnelFlags(f uint16) string {
	var s string
	for _, n := range []struct {
		bit  uint16
		name string
	}{{0x4, "key"}, {0x1, "csum"}, {0x8, "seq"}} {
		if f&n.bit != 0 {
			s += " " + n.name
		}
	}
	return s
}

// routeEncaps lists the routes of table 100 of one family as ip -j -d
// route show prints them, one line each: the destination, then the
// encapsulation of the route or of each path.
func ipRouteEncaps(t *testing.T, ns *nstest.NS, family string) []string {
	t.Helper()
	var lines []string
	for _, r := range ipOrdered(t, ns, family, "-d", "route", "show", "table", "100") {
		dst, line := "", ""
		for _, kv := range r {
			switch kv.k {
			case "dst":
				if dst == "" {
					dst = arStr(kv.v)
				}
			case "nexthops":
				for _, h := range kv.v.([]any) {
					var hop []ipKV
					for k, v := range h.(map[string]any) { // no key twice in a path
						hop = append(hop, ipKV{k, v})
					}
					line += " | " + ipEncapSorted(hop)
				}
			}
		}
		lines = append(lines, dst+" "+ipEncap(r)+line)
	}
	return lines
}

// ipEncapSorted is ipEncap for a path, whose keys came through a map: in
// the order ip prints them for each type.
func ipEncapSorted(kvs []ipKV) string {
	m := map[string]any{}
	for _, kv := range kvs {
		m[kv.k] = kv.v
	}
	order := map[string][]string{
		"ip":        {"id", "src", "dst", "ttl", "tos", "key", "csum", "seq"},
		"ip6":       {"id", "src", "dst", "hoplimit", "tc", "key", "csum", "seq"},
		"mpls":      {"dst", "ttl"},
		"seg6":      {"mode", "segs"},
		"seg6local": {"action", "table", "vrftable", "nh4", "nh6", "iif", "oif"},
		"bpf":       {"in", "out", "xmit", "headroom"},
	}
	typ := arStr(m["encap"])
	if typ == "" {
		return ""
	}
	ordered := []ipKV{{"encap", typ}}
	for _, k := range order[typ] {
		if v, ok := m[k]; ok {
			ordered = append(ordered, ipKV{k, v})
		}
	}
	return ipEncap(ordered)
}

// ourRouteEncaps formats the routes of table 100 of one family as
// ipRouteEncaps does.
func ourRouteEncaps(t *testing.T, c *rtnetlink.Conn, family int, names map[int]string) []string {
	t.Helper()
	var lines []string
	for r, err := range c.Routes(context.Background(), rtnetlink.RouteFilter{Family: family, Table: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		line := dstString(r) + " " + ourRouteEncap(r.Encap, names)
		for _, h := range r.MultiPath {
			line += " | " + ourRouteEncap(h.Encap, names)
		}
		lines = append(lines, line)
	}
	return lines
}

// encapSupport tries ip route add with an encapsulation in ns and skips
// t, naming the kernel option, when the kernel lacks it.
func encapSupport(t *testing.T, ns *nstest.NS, option string, args ...string) {
	t.Helper()
	if out, err := ns.Try(args...); err != nil {
		if strings.Contains(out, "not supported") {
			t.Skipf("this kernel lacks %s: %v", option, err)
		}
		t.Fatal(err)
	}
}

// TestRouteEncapOracle: routes with an encapsulation, on the route and on
// each path of a multipath route, added through the package read in ip -j
// -d route show as the package describes them, and those ip adds read in
// the package as ip prints them; per type the kernel has (ip and ip6
// always here; mpls, seg6 and seg6local where the kernel has
// CONFIG_MPLS_IPTUNNEL and CONFIG_IPV6_SEG6_LWTUNNEL; bpf where programs
// can be loaded).
func TestRouteEncapOracle(t *testing.T) {
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	compare := func(t *testing.T, ns *nstest.NS, c *rtnetlink.Conn) {
		t.Helper()
		names := arLinkNames(t, ns)
		for _, fam := range []struct {
			flag   string
			family int
		}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
			want := ipRouteEncaps(t, ns, fam.flag)
			arDiff(t, "routes "+fam.flag, ourRouteEncaps(t, c, fam.family, names), want)
			t.Logf("%s: %q", fam.flag, want)
		}
	}
	t.Run("ip", func(t *testing.T) {
		ns, c, v0, v1 := arRouteNS(t, nil)
		ctx := context.Background()
		for _, r := range []rtnetlink.Route{
			{Dst: pfx("198.18.1.0/24"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 5, Dst: ip("198.18.0.9"), TTL: 3}},
			{Dst: pfx("198.18.2.0/24"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 1 << 40, Dst: ip("198.18.0.9"), Src: ip("198.18.0.1"), TTL: 64, TOS: 8, Flags: 0x4 | 0x1 | 0x8}},
			{Dst: pfx("198.18.3.0/24"), MultiPath: []rtnetlink.NextHop{
				{Index: v0, Gateway: ip("10.0.0.2"), Encap: &rtnetlink.IPEncap{ID: 6, Dst: ip("198.18.0.7")}},
				{Index: v1, Gateway: ip("10.0.1.2"), Encap: &rtnetlink.IPEncap{ID: 7, Dst: ip("198.18.0.8"), Flags: 0x4}},
			}},
			{Dst: pfx("2001:db8:1::/64"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 8, Dst: ip("2001:db8::9"), TTL: 5, TOS: 8, Flags: 0x4}},
			{Dst: pfx("2001:db8:3::/64"), MultiPath: []rtnetlink.NextHop{
				{Index: v0, Gateway: ip("2001:db8::2"), Encap: &rtnetlink.IPEncap{ID: 9, Dst: ip("2001:db8::7"), Src: ip("2001:db8::1")}},
				{Index: v1, Gateway: ip("2001:db8:1::2"), Encap: &rtnetlink.IPEncap{ID: 10, Dst: ip("2001:db8::8")}},
			}},
		} {
			r.Table = 100
			if err := c.AddRoute(ctx, r); err != nil {
				t.Fatalf("add %+v: %v", r, err)
			}
		}
		ns.Batch(t, []string{
			"route add 198.18.11.0/24 encap ip id 7 dst 198.18.0.9 src 198.18.0.1 ttl 5 tos 8 key csum seq dev v0 table 100",
			"route add 198.18.12.0/24 table 100 nexthop via 10.0.0.2 dev v0 encap ip id 1 dst 198.18.0.5 nexthop via 10.0.1.2 dev v1",
			"route add 2001:db8:11::/64 encap ip6 id 8 dst 2001:db8::9 hoplimit 5 tc 8 key dev v0 table 100",
			"route add 2001:db8:12::/64 table 100 nexthop via 2001:db8::2 dev v0 encap ip6 id 2 dst 2001:db8::5 nexthop via 2001:db8:1::2 dev v1 encap ip6 id 3 dst 2001:db8::6",
		})
		compare(t, ns, c)
	})
	t.Run("mpls", func(t *testing.T) {
		ns, c, v0, v1 := arRouteNS(t, nil)
		encapSupport(t, ns, "CONFIG_MPLS_IPTUNNEL (lwt encap mpls)", "route", "add", "198.18.11.0/24", "encap", "mpls", "100/200", "via", "10.0.0.2", "dev", "v0", "table", "100")
		ns.Run(t, "route", "add", "198.18.12.0/24", "table", "100", "nexthop", "encap", "mpls", "300", "ttl", "9", "via", "10.0.0.2", "dev", "v0", "nexthop", "via", "10.0.1.2", "dev", "v1")
		ns.Run(t, "-6", "route", "add", "2001:db8:11::/64", "encap", "mpls", "400/500/600", "via", "2001:db8::2", "dev", "v0", "table", "100")
		ctx := context.Background()
		for _, r := range []rtnetlink.Route{
			{Dst: pfx("198.18.1.0/24"), Gateway: ip("10.0.0.2"), Index: v0, Encap: &rtnetlink.MPLSEncap{Labels: []uint32{16, 17}}},
			{Dst: pfx("198.18.2.0/24"), MultiPath: []rtnetlink.NextHop{
				{Index: v0, Gateway: ip("10.0.0.2"), Encap: &rtnetlink.MPLSEncap{Labels: []uint32{18}, TTL: 4}},
				{Index: v1, Gateway: ip("10.0.1.2"), Encap: &rtnetlink.MPLSEncap{Labels: []uint32{19, 20, 21}}},
			}},
			{Dst: pfx("2001:db8:1::/64"), Gateway: ip("2001:db8::2"), Index: v0, Encap: &rtnetlink.MPLSEncap{Labels: []uint32{22}}},
		} {
			r.Table = 100
			if err := c.AddRoute(ctx, r); err != nil {
				t.Fatalf("add %+v: %v", r, err)
			}
		}
		compare(t, ns, c)
	})
	t.Run("seg6", func(t *testing.T) {
		ns, c, v0, v1 := arRouteNS(t, nil)
		encapSupport(t, ns, "CONFIG_IPV6_SEG6_LWTUNNEL (lwt encap seg6)", "-6", "route", "add", "2001:db8:11::/64", "encap", "seg6", "mode", "encap", "segs", "2001:db8::5,2001:db8::6", "dev", "v0", "table", "100")
		ns.Run(t, "route", "add", "198.18.11.0/24", "encap", "seg6", "mode", "encap", "segs", "2001:db8::7", "dev", "v0", "table", "100")
		ns.Run(t, "-6", "route", "add", "2001:db8:12::/64", "encap", "seg6local", "action", "End.DT6", "table", "200", "dev", "v0", "table", "100")
		ns.Run(t, "-6", "route", "add", "2001:db8:13::/64", "encap", "seg6local", "action", "End.X", "nh6", "2001:db8::2", "dev", "v0", "table", "100")
		// On the paths of multipath routes.
		ns.Run(t, "-6", "route", "add", "2001:db8:14::/64", "table", "100",
			"nexthop", "encap", "seg6", "mode", "encap", "segs", "2001:db8::e", "via", "2001:db8::2", "dev", "v0",
			"nexthop", "encap", "seg6local", "action", "End.DT6", "table", "201", "via", "2001:db8:1::2", "dev", "v1")
		ns.Run(t, "route", "add", "198.18.14.0/24", "table", "100",
			"nexthop", "encap", "seg6", "mode", "encap", "segs", "2001:db8::f", "via", "10.0.0.2", "dev", "v0",
			"nexthop", "via", "10.0.1.2", "dev", "v1")
		ctx := context.Background()
		for _, r := range []rtnetlink.Route{
			{Dst: pfx("2001:db8:5::/64"), MultiPath: []rtnetlink.NextHop{
				{Index: v0, Gateway: ip("2001:db8::2"), Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::d")}}},
				{Index: v1, Gateway: ip("2001:db8:1::2"), Encap: &rtnetlink.Seg6LocalEncap{Action: rtnetlink.Seg6LocalEndT, Table: 301}},
			}},
			{Dst: pfx("198.18.5.0/24"), MultiPath: []rtnetlink.NextHop{
				{Index: v0, Gateway: ip("10.0.0.2"), Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::c"), ip("2001:db8::d")}}},
				{Index: v1, Gateway: ip("10.0.1.2")},
			}},
			{Dst: pfx("2001:db8:1::/64"), Index: v0, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::8"), ip("2001:db8::9"), ip("2001:db8::a")}}},
			{Dst: pfx("2001:db8:2::/64"), Index: v0, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeInline, Segments: []netip.Addr{ip("2001:db8::b")}}},
			{Dst: pfx("198.18.1.0/24"), Index: v0, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::c")}}},
			{Dst: pfx("2001:db8:3::/64"), Index: v0, Encap: &rtnetlink.Seg6LocalEncap{Action: rtnetlink.Seg6LocalEndT, Table: 300}},
			{Dst: pfx("2001:db8:4::/64"), Index: v0, Encap: &rtnetlink.Seg6LocalEncap{Action: rtnetlink.Seg6LocalEndDX4, NextHop4: ip("10.0.0.2")}},
		} {
			r.Table = 100
			if err := c.AddRoute(ctx, r); err != nil {
				t.Fatalf("add %+v: %v", r, err)
			}
		}
		compare(t, ns, c)
	})
	t.Run("bpf", func(t *testing.T) {
		ns, c, v0, _ := arRouteNS(t, nil)
		fd, err := loadLWTProgram("rr_xmit")
		if err != nil {
			noBPF(t, "cannot load a BPF_PROG_TYPE_LWT_XMIT program (CONFIG_BPF_SYSCALL, CONFIG_LWTUNNEL_BPF): %v", err)
		}
		defer unix.Close(fd)
		ctx := context.Background()
		for _, dst := range []netip.Prefix{pfx("198.18.1.0/24"), pfx("2001:db8:1::/64")} {
			r := rtnetlink.Route{Dst: dst, Index: v0, Table: 100, Encap: &rtnetlink.BPFEncap{Xmit: rtnetlink.BPFProgram{FD: fd, Name: "rr_xmit"}, XmitHeadroom: 16}}
			if err := c.AddRoute(ctx, r); err != nil {
				t.Fatalf("add %+v: %v", r, err)
			}
		}
		compare(t, ns, c)
		var listed []rtnetlink.Route
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Table: 100}) {
			if err != nil {
				t.Fatal(err)
			}
			listed = append(listed, r)
		}
		if len(listed) != 2 {
			t.Fatalf("listed %+v", listed)
		}
		for _, r := range listed {
			b, ok := r.Encap.(*rtnetlink.BPFEncap)
			// The kernel reports the program's name alone: not its fd,
			// not the headroom.
			if !ok || b.Xmit != (rtnetlink.BPFProgram{Name: "rr_xmit"}) || b.In != (rtnetlink.BPFProgram{}) || b.Out != (rtnetlink.BPFProgram{}) {
				t.Fatalf("listed encap %+v (%T), want the xmit program rr_xmit", r.Encap, r.Encap)
			}
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Errorf("deleting %+v as listed: %v", r, err)
			}
		}
		for _, fam := range []string{"-4", "-6"} {
			if left, err := ns.Try("-j", fam, "route", "show", "table", "100"); err == nil && strings.TrimSpace(left) != "[]" {
				t.Errorf("after deleting, ip %s lists %s", fam, left)
			}
		}
	})
}

// The lightweight tunnel program types (enum bpf_prog_type).
const (
	progTypeLWTIn   = 10 // BPF_PROG_TYPE_LWT_IN
	progTypeLWTOut  = 11 // BPF_PROG_TYPE_LWT_OUT
	progTypeLWTXmit = 12 // BPF_PROG_TYPE_LWT_XMIT
)

// loadLWTProgram loads a BPF_PROG_TYPE_LWT_XMIT program that lets every
// packet through (r0 = BPF_OK; exit) and returns its file descriptor.
func loadLWTProgram(name string) (int, error) { return loadLWTProgramType(name, progTypeLWTXmit) }

// loadLWTProgramType loads a program of type typ that lets every packet
// through (r0 = BPF_OK; exit) and returns its file descriptor.
func loadLWTProgramType(name string, typ uint32) (int, error) {
	insns := []uint64{
		0x00000000000000b7, // mov r0, 0 (BPF_OK)
		0x0000000000000095, // exit
	}
	license := []byte("GPL\x00")
	var attr struct {
		progType, insnCnt     uint32
		insns, license        uint64
		logLevel, logSize     uint32
		logBuf                uint64
		kernVersion, progFlag uint32
		progName              [16]byte
		_                     [64]byte
	}
	attr.progType, attr.insnCnt = typ, uint32(len(insns))
	attr.insns = uint64(uintptr(unsafe.Pointer(&insns[0])))
	attr.license = uint64(uintptr(unsafe.Pointer(&license[0])))
	copy(attr.progName[:15], name)
	const bpfProgLoad = 5 // BPF_PROG_LOAD
	fd, _, errno := unix.Syscall(unix.SYS_BPF, bpfProgLoad, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(insns)
	runtime.KeepAlive(license)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// pinnedLWTPrograms loads an LWT_IN, an LWT_OUT and an LWT_XMIT program
// (loadLWTProgramType) and pins them as dir/in, dir/out and dir/xmit, as
// pinnedPrograms does.
func pinnedLWTPrograms(t *testing.T, dir string) string {
	t.Helper()
	var progs []pinnedProgram
	for _, p := range []struct {
		name string
		typ  uint32
	}{{"in", progTypeLWTIn}, {"out", progTypeLWTOut}, {"xmit", progTypeLWTXmit}} {
		progs = append(progs, pinnedProgram{p.name, "BPF_PROG_TYPE_LWT_" + strings.ToUpper(p.name) + " (CONFIG_LWTUNNEL_BPF)",
			func() (int, error) { return loadLWTProgramType("rr_"+p.name, p.typ) }})
	}
	return pinnedPrograms(t, dir, progs...)
}

// pinnedProgram is a BPF program for pinnedPrograms to load and pin as
// name: what it is, for the skip message, and its loader.
type pinnedProgram struct {
	name, what string
	load       func() (int, error)
}

// pinnedPrograms loads progs and pins each as dir/name in a bpffs mounted
// on dir in a mount namespace of its own, private, which a thread locked
// to a goroutine holds until the test ends; the programs and the mount go
// with the namespace. It returns the namespace's path, for nsenter
// --mount, or skips t, saying why, when the kernel cannot mount a bpffs
// or load the programs.
func pinnedPrograms(t *testing.T, dir string, progs ...pinnedProgram) string {
	t.Helper()
	type result struct {
		mnt  string
		skip string
	}
	res, done := make(chan result), make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		// The thread is never unlocked: it ends with the goroutine, and
		// its mount namespace with it.
		runtime.LockOSThread()
		fail := func(format string, args ...any) {
			res <- result{skip: fmt.Sprintf(format, args...)}
		}
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			fail("unshare(CLONE_NEWNS): %v", err)
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			fail("making / private: %v", err)
			return
		}
		if err := unix.Mount("bpf", dir, "bpf", 0, ""); err != nil {
			fail("no bpffs (CONFIG_BPF_SYSCALL): mount -t bpf: %v", err)
			return
		}
		for _, p := range progs {
			fd, err := p.load()
			if err != nil {
				fail("cannot load a %s program: %v", p.what, err)
				return
			}
			err = pinBPF(fd, dir+"/"+p.name)
			unix.Close(fd)
			if err != nil {
				fail("BPF_OBJ_PIN %s/%s: %v", dir, p.name, err)
				return
			}
		}
		res <- result{mnt: fmt.Sprintf("/proc/%d/task/%d/ns/mnt", unix.Getpid(), unix.Gettid())}
		<-done
	}()
	r := <-res
	if r.skip != "" {
		noBPF(t, "%s", r.skip)
	}
	return r.mnt
}

// noBPF skips t, saying why, when the kernel cannot load or pin the BPF
// programs a test needs; under CI (NLKIT_VM=1 or NLKIT_E2E=1) and inside
// a VM, whose kernels have BPF and lightweight tunnels, it fails t, so a
// verifier's refusal is not taken for a missing feature.
func noBPF(t *testing.T, format string, args ...any) {
	t.Helper()
	if _, inVM := vmtest.Guest(); inVM || os.Getenv("NLKIT_VM") == "1" || os.Getenv("NLKIT_E2E") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// ipInMount runs ip -n ns.Name args in the mount namespace mnt (of
// pinnedPrograms), where it finds the pinned programs; it keeps the
// mounts it does not remount, the bpffs among them.
func ipInMount(t *testing.T, ns *nstest.NS, mnt string, args ...string) {
	t.Helper()
	cmd := append([]string{"--mount=" + mnt, "ip", "-n", ns.Name}, args...)
	if out, err := exec.Command("nsenter", cmd...).CombinedOutput(); err != nil {
		t.Fatalf("nsenter %s: %v: %s", strings.Join(cmd, " "), err, out)
	}
}

// pinBPF pins the BPF object fd at path, in a bpffs (BPF_OBJ_PIN).
func pinBPF(fd int, path string) error {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return err
	}
	attr := struct {
		pathname        uint64
		bpfFD, flags    uint32
		pathFD, padding int32
	}{pathname: uint64(uintptr(unsafe.Pointer(p))), bpfFD: uint32(fd)}
	const bpfObjPin = 6 // BPF_OBJ_PIN
	_, _, errno := unix.Syscall(unix.SYS_BPF, bpfObjPin, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(p)
	if errno != 0 {
		return errno
	}
	return nil
}

// TestRouteEncapBPFFromIP: bpf encapsulations ip adds, from pinned
// programs (in, out and xmit, with a headroom), on routes of both families
// and on the paths of a multipath route, read in the package as ip -j -d
// route show prints them; and each route listed, deleted as listed, is
// gone. (TestRouteEncapOracle's bpf has the package add them.)
func TestRouteEncapBPFFromIP(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	dir := t.TempDir()
	mnt := pinnedLWTPrograms(t, dir)
	in, out, xmit := "in pinned "+dir+"/in", "out pinned "+dir+"/out", "xmit pinned "+dir+"/xmit"
	for _, r := range []string{
		"route add 198.18.1.0/24 encap bpf " + xmit + " headroom 16 dev v0 table 100",
		"route add 198.18.2.0/24 encap bpf " + in + " " + out + " " + xmit + " dev v0 table 100",
		"route add 198.18.3.0/24 table 100 nexthop via 10.0.0.2 dev v0 encap bpf " + out + " nexthop via 10.0.1.2 dev v1 encap bpf " + in,
		"-6 route add 2001:db8:7::/64 encap bpf " + in + " " + xmit + " dev v0 table 100",
		"-6 route add 2001:db8:8::/64 table 100 nexthop via 2001:db8::2 dev v0 encap bpf " + xmit + " nexthop via 2001:db8:1::2 dev v1",
	} {
		ipInMount(t, ns, mnt, strings.Fields(r)...)
	}
	names := arLinkNames(t, ns)
	ctx := context.Background()
	for _, fam := range []struct {
		flag   string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		want := ipRouteEncaps(t, ns, fam.flag)
		arDiff(t, "routes "+fam.flag, ourRouteEncaps(t, c, fam.family, names), want)
		t.Logf("%s: %q", fam.flag, want)
		var listed []rtnetlink.Route
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: fam.family, Table: 100}) {
			if err != nil {
				t.Fatal(err)
			}
			listed = append(listed, r)
		}
		progs := 0
		for _, r := range listed {
			encaps := []rtnetlink.Encap{r.Encap}
			for _, h := range r.MultiPath {
				encaps = append(encaps, h.Encap)
			}
			for _, e := range encaps {
				if b, ok := e.(*rtnetlink.BPFEncap); ok {
					for _, p := range []rtnetlink.BPFProgram{b.In, b.Out, b.Xmit} {
						if p.Name != "" {
							progs++
						}
					}
				} else if e != nil {
					t.Errorf("%v: encap %+v (%T), want bpf", r.Dst, e, e)
				}
			}
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Errorf("deleting %+v as listed: %v", r, err)
			}
		}
		// The programs ip attached above: 1+3+2 over IPv4, 2+1 over IPv6.
		if want := map[int]int{unix.AF_INET: 6, unix.AF_INET6: 3}[fam.family]; progs != want {
			t.Errorf("%s: %d programs named in the listed encapsulations, want %d", fam.flag, progs, want)
		}
		if left, err := ns.Try("-j", fam.flag, "route", "show", "table", "100"); err != nil || strings.TrimSpace(left) != "[]" {
			t.Errorf("after deleting, ip %s lists %s (%v)", fam.flag, left, err)
		}
	}
}

// TestRouteRealmsOracle: realms on IPv4 routes and on the paths of
// multipath routes, added through the package, read in ip -j -d route
// show as set, and those ip adds (realm, realms) read in the package as
// ip prints them; with encapsulations beside them.
func TestRouteRealmsOracle(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	for _, r := range []rtnetlink.Route{
		{Dst: pfx("198.18.1.0/24"), Index: v0, Realms: 5},
		{Dst: pfx("198.18.2.0/24"), Gateway: ip("10.0.0.2"), Realms: 3<<16 | 4, Table: 100},
		{Dst: pfx("198.18.3.0/24"), Index: v0, Realms: 255, Encap: &rtnetlink.IPEncap{ID: 1, Dst: ip("198.18.0.9")}},
		{Dst: pfx("198.18.4.0/24"), MultiPath: []rtnetlink.NextHop{
			{Gateway: ip("10.0.0.2"), Index: v0, Realms: 6},
			{Gateway: ip("10.0.1.2"), Index: v1, Realms: 1<<16 | 7, Encap: &rtnetlink.IPEncap{ID: 2, Dst: ip("198.18.0.8")}},
		}},
	} {
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	ns.Batch(t, []string{
		"route add 198.18.11.0/24 dev v0 realm 5",
		"route add 198.18.12.0/24 via 10.0.0.2 realms 3/4 table 100",
		"route add 198.18.13.0/24 table 100 nexthop via 10.0.0.2 dev v0 realm 6 nexthop via 10.0.1.2 dev v1 realms 1/7 encap ip id 4 dst 198.18.0.4",
	})
	all := arCompareRoutes(t, ns, c)
	for _, w := range []string{" realms=0/5", " realms=3/4", "realms=1/7 encap=ip id=4 ", " realms=0/255 encap=ip id=1 "} {
		found := false
		for _, l := range all {
			found = found || strings.Contains(l, w)
		}
		if !found {
			t.Errorf("ip lists no route with %q: %q", w, all)
		}
	}
}

// TestRouteRealmsEncapBackends: routes with realms and encapsulations, on
// the route and on its paths, list back as added through the package, and
// of two that differ only by realm, deleting the one added second as
// listed deletes that one; on the kernel and on rtnltest's fake alike.
func TestRouteRealmsEncapBackends(t *testing.T) { backends(t, testRouteRealmsEncap) }

func testRouteRealmsEncap(t *testing.T, b *backend) {
	c, v0, v1 := b.arRouteNS(t, nil)
	ctx := context.Background()
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	adds := []rtnetlink.Route{
		{Dst: pfx("198.18.1.0/24"), Index: v0, Realms: 5, Encap: &rtnetlink.IPEncap{ID: 1, Dst: ip("198.18.0.9"), Src: ip("198.18.0.1"), TTL: 3}},
		{Dst: pfx("198.18.1.0/24"), Index: v0, Realms: 6, Encap: &rtnetlink.IPEncap{ID: 1, Dst: ip("198.18.0.9"), Src: ip("198.18.0.1"), TTL: 3}},
		{Dst: pfx("198.18.2.0/24"), MultiPath: []rtnetlink.NextHop{
			{Gateway: ip("10.0.0.2"), Index: v0, Weight: 1, Realms: 1<<16 | 2, Encap: &rtnetlink.IPEncap{ID: 2, Dst: ip("198.18.0.8"), Src: ip("198.18.0.1")}},
			{Gateway: ip("10.0.1.2"), Index: v1, Weight: 2},
		}},
		{Dst: pfx("2001:db8:2::/64"), Index: v0, Priority: 1024, Pref: 0, Encap: &rtnetlink.IPEncap{ID: 3, Dst: ip("2001:db8::9"), Src: ip("2001:db8::1"), TTL: 1}},
	}
	for _, r := range adds {
		r.Table = 100
		if err := c.AppendRoute(ctx, r); err != nil {
			t.Fatalf("append %+v: %v", r, err)
		}
	}
	var listed []rtnetlink.Route
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Table: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, r)
	}
	names := map[int]string{v0: "v0", v1: "v1"}
	var got, want []string
	for _, r := range listed {
		got = append(got, dstString(r)+ourRealms(r.Realms)+" "+ourRouteEncap(r.Encap, names)+fmt.Sprint(len(r.MultiPath)))
		for _, h := range r.MultiPath {
			got = append(got, h.Gateway.String()+ourRealms(h.Realms)+" "+ourRouteEncap(h.Encap, names))
		}
	}
	for _, r := range adds {
		want = append(want, dstString(r)+ourRealms(r.Realms)+" "+ourRouteEncap(r.Encap, names)+fmt.Sprint(len(r.MultiPath)))
		for _, h := range r.MultiPath {
			want = append(want, h.Gateway.String()+ourRealms(h.Realms)+" "+ourRouteEncap(h.Encap, names))
		}
	}
	arDiff(t, "routes", got, want)
	for _, r := range listed {
		if r.Realms == 6 {
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Fatalf("delete %+v: %v", r, err)
			}
		}
	}
	var realms []uint32
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET, Table: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Dst == pfx("198.18.1.0/24") {
			realms = append(realms, r.Realms)
		}
	}
	if len(realms) != 1 || realms[0] != 5 {
		t.Errorf("after deleting the route of realm 6 as listed, the routes of realms %v are left; want 5", realms)
	}
}

// TestRouteEncapBPFPrograms: in, out and xmit programs the package
// attaches by fd, under names of its own, with a transmit headroom, on
// routes of both families and on the paths of multipath routes, read in ip
// -j -d route show as the package reads them (the kernel reports each
// program by the name it was attached under: no id, no headroom, here or
// in ip); the headroom reaches the kernel (the path MTU a connected socket
// sees is the link's less it) and one above the kernel's bound is refused;
// and each route deleted as listed is gone, the one of two that differ by
// their program alone when its fd is put back.
func TestRouteEncapBPFPrograms(t *testing.T) {
	ns, c, v0, v1 := arTestRangeNS(t)
	ctx := context.Background()
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	prog := map[string]rtnetlink.BPFProgram{}
	for _, p := range []struct {
		name string
		typ  uint32
	}{{"in", progTypeLWTIn}, {"out", progTypeLWTOut}, {"xmit", progTypeLWTXmit}, {"xmit2", progTypeLWTXmit}} {
		fd, err := loadLWTProgramType("rr_"+p.name, p.typ)
		if err != nil {
			noBPF(t, "cannot load a BPF_PROG_TYPE_LWT_* program (CONFIG_BPF_SYSCALL, CONFIG_LWTUNNEL_BPF): %v", err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		// Names other than the programs' own: the kernel keeps the one
		// the route gave.
		prog[p.name] = rtnetlink.BPFProgram{FD: fd, Name: "lwt_" + p.name}
	}
	// Table 100 is looked up first, for the sockets below.
	ns.Run(t, "rule", "add", "pref", "10", "lookup", "100")
	ns.Run(t, "-6", "rule", "add", "pref", "10", "lookup", "100")
	routes := []rtnetlink.Route{
		{Dst: pfx("198.19.1.0/24"), Index: v0, Encap: &rtnetlink.BPFEncap{In: prog["in"], Out: prog["out"], Xmit: prog["xmit"], XmitHeadroom: 16}},
		{Dst: pfx("198.19.2.0/24"), MultiPath: []rtnetlink.NextHop{
			{Index: v0, Gateway: ip("198.18.0.2"), Encap: &rtnetlink.BPFEncap{In: prog["in"], Xmit: prog["xmit"], XmitHeadroom: 32}},
			{Index: v1, Gateway: ip("198.18.1.2"), Encap: &rtnetlink.BPFEncap{Out: prog["out"]}},
		}},
		{Dst: pfx("198.19.3.0/24"), Index: v0, Encap: &rtnetlink.BPFEncap{Xmit: prog["xmit"]}},
		{Dst: pfx("2001:db8:11::/64"), Index: v0, Encap: &rtnetlink.BPFEncap{In: prog["in"], Out: prog["out"], Xmit: prog["xmit"], XmitHeadroom: 24}},
		{Dst: pfx("2001:db8:12::/64"), MultiPath: []rtnetlink.NextHop{
			{Index: v0, Gateway: ip("2001:db8::2"), Encap: &rtnetlink.BPFEncap{Xmit: prog["xmit"], XmitHeadroom: 8}},
			{Index: v1, Gateway: ip("2001:db8:1::2"), Encap: &rtnetlink.BPFEncap{In: prog["in"], Out: prog["out"]}},
		}},
		{Dst: pfx("2001:db8:13::/64"), Index: v1, Encap: &rtnetlink.BPFEncap{Out: prog["out"]}},
	}
	for _, r := range routes {
		r.Table = 100
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	names := arLinkNames(t, ns)
	for _, fam := range []struct {
		flag   string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		want := ipRouteEncaps(t, ns, fam.flag)
		arDiff(t, "routes "+fam.flag, ourRouteEncaps(t, c, fam.family, names), want)
		t.Logf("%s: %q", fam.flag, want)
	}
	var want []string
	for _, r := range routes {
		line := dstString(r) + " " + ourRouteEncap(withoutFDs(r.Encap), names)
		for _, h := range r.MultiPath {
			line += " | " + ourRouteEncap(withoutFDs(h.Encap), names)
		}
		want = append(want, line)
	}
	arDiff(t, "routes as added", append(ourRouteEncaps(t, c, unix.AF_INET, names), ourRouteEncaps(t, c, unix.AF_INET6, names)...), want)

	// The path MTU of a connected UDP socket: the link's 1500 less the
	// route's transmit headroom.
	for _, m := range []struct {
		dst  string
		want int
	}{{"198.19.1.5", 1500 - 16}, {"198.19.3.5", 1500}, {"2001:db8:11::5", 1500 - 24}, {"2001:db8:13::5", 1500}} {
		if got, err := pathMTU(ns, ip(m.dst)); err != nil || got != m.want {
			t.Errorf("path MTU to %s: %d, %v; want %d", m.dst, got, err, m.want)
		}
	}

	// The kernel's bound on the headroom (LWT_BPF_MAX_HEADROOM, 256).
	high := rtnetlink.Route{Dst: pfx("198.19.9.0/24"), Index: v0, Table: 100, Encap: &rtnetlink.BPFEncap{Xmit: prog["xmit"], XmitHeadroom: 257}}
	if err := c.AddRoute(ctx, high); !errors.Is(err, unix.ERANGE) || errors.Is(err, os.ErrInvalid) {
		t.Errorf("add with headroom 257: %v, want the kernel's ERANGE", err)
	}

	// Two IPv4 routes that differ by their xmit program alone. The kernel
	// compares a delete's bpf encapsulation by building it, which takes
	// the programs' fds: as listed (names alone) it matches either route;
	// with the fd of its program back, only its own.
	for _, x := range []string{"xmit", "xmit2"} {
		r := rtnetlink.Route{Dst: pfx("198.19.4.0/24"), Index: v0, Table: 101, Encap: &rtnetlink.BPFEncap{Xmit: prog[x]}}
		if err := c.AppendRoute(ctx, r); err != nil {
			t.Fatalf("append %+v: %v", r, err)
		}
	}
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET, Table: 101}) {
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := r.Encap.(*rtnetlink.BPFEncap); ok && b.Xmit.Name == "lwt_xmit2" {
			b.Xmit.FD = prog["xmit2"].FD
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Fatalf("deleting %+v as listed: %v", r, err)
			}
		}
	}
	left := arJSON(t, ns, "-d", "route", "show", "table", "101")
	if len(left) != 1 || left[0]["xmit"] != "lwt_xmit" {
		t.Errorf("after deleting the route of lwt_xmit2 as listed with its fd, ip lists %v; want the route of lwt_xmit alone", left)
	}

	// Every route of table 100 deleted as listed.
	for _, fam := range []struct {
		flag   string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		var listed []rtnetlink.Route
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: fam.family, Table: 100}) {
			if err != nil {
				t.Fatal(err)
			}
			listed = append(listed, r)
		}
		for _, r := range listed {
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Errorf("deleting %+v as listed: %v", r, err)
			}
		}
		if left, err := ns.Try("-j", fam.flag, "route", "show", "table", "100"); err != nil || strings.TrimSpace(left) != "[]" {
			t.Errorf("after deleting, ip %s lists %s (%v)", fam.flag, left, err)
		}
	}
}

// withoutFDs returns enc as the kernel lists it: a BPFEncap's programs by
// name alone, without the headroom.
func withoutFDs(enc rtnetlink.Encap) rtnetlink.Encap {
	b, ok := enc.(*rtnetlink.BPFEncap)
	if !ok {
		return enc
	}
	return &rtnetlink.BPFEncap{In: rtnetlink.BPFProgram{Name: b.In.Name}, Out: rtnetlink.BPFProgram{Name: b.Out.Name}, Xmit: rtnetlink.BPFProgram{Name: b.Xmit.Name}}
}

// pathMTU connects a UDP socket to dst in ns and returns the path MTU the
// kernel gives it (IP_MTU, IPV6_MTU): the route's, less its encapsulation's
// headroom.
func pathMTU(ns *nstest.NS, dst netip.Addr) (int, error) {
	var mtu int
	err := ns.Do(func() error {
		family, level, opt := unix.AF_INET6, unix.IPPROTO_IPV6, unix.IPV6_MTU
		var sa unix.Sockaddr = &unix.SockaddrInet6{Port: 9, Addr: dst.As16()}
		if dst.Is4() {
			family, level, opt = unix.AF_INET, unix.IPPROTO_IP, unix.IP_MTU
			sa = &unix.SockaddrInet4{Port: 9, Addr: dst.As4()}
		}
		fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Connect(fd, sa); err != nil {
			return fmt.Errorf("connect to %v: %w", dst, err)
		}
		mtu, err = unix.GetsockoptInt(fd, level, opt)
		return err
	})
	return mtu, err
}
