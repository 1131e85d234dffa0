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
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// ipNeighFlagKeys are the flags ip -j neigh prints as keys, by the names
// NeighborFlags.String gives them.
var ipNeighFlagKeys = []string{"router", "proxy", "extern_learn", "offload", "managed"}

// ipNeighbors lists the entries of ns as ip -j neigh show nud all and ip
// -j neigh show proxy do, one line each in the form ourNeighbor uses.
func ipNeighbors(t testing.TB, ns *nstest.NS) []string {
	t.Helper()
	var lines []string
	for _, proxy := range []bool{false, true} {
		args := []string{"-d", "neigh", "show", "nud", "all"}
		if proxy {
			args = []string{"-d", "neigh", "show", "proxy"}
		}
		for _, n := range arJSON(t, ns, args...) {
			if netip.MustParseAddr(arStr(n["dst"])).IsMulticast() {
				continue // made by the kernel at its own pace, as MLD reports go out
			}
			var flags []string
			for _, k := range ipNeighFlagKeys {
				if _, ok := n[k]; ok {
					flags = append(flags, k)
				}
			}
			var state []string
			if s, ok := n["state"].([]any); ok {
				for _, v := range s {
					state = append(state, arStr(v))
				}
			}
			lines = append(lines, fmt.Sprintf("%s dev=%s lladdr=%s state=%s flags=%s proto=%s",
				arStr(n["dst"]), arStr(n["dev"]), arStr(n["lladdr"]), strings.Join(state, ","),
				strings.Join(flags, ","), arStr(n["protocol"])))
		}
	}
	return lines
}

// ourNeighbor formats n as ipNeighbors does.
func ourNeighbor(n rtnetlink.Neighbor, names map[int]string) string {
	var flags []string
	for _, k := range ipNeighFlagKeys {
		if slices.Contains(strings.Split(n.Flags.String(), "|"), k) {
			flags = append(flags, k)
		}
	}
	state, proto := "", ""
	if n.State != 0 {
		state = n.State.String()
	}
	if n.Protocol != 0 {
		proto = n.Protocol.String()
	}
	return fmt.Sprintf("%s dev=%s lladdr=%s state=%s flags=%s proto=%s",
		n.IP, names[n.Index], n.HardwareAddr, state, strings.Join(flags, ","), proto)
}

// ourNeighbors lists the entries f selects through c, one line each.
func ourNeighbors(t testing.TB, c *rtnetlink.Conn, f rtnetlink.NeighborFilter, names map[int]string) []string {
	t.Helper()
	var lines []string
	for n, err := range c.Neighbors(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		if !n.IP.IsMulticast() {
			lines = append(lines, ourNeighbor(n, names))
		}
	}
	return lines
}

// nbCompare compares the cache and the proxy entries as the package and
// ip list them, and returns ip's lines.
func nbCompare(t testing.TB, ns *nstest.NS, c *rtnetlink.Conn) []string {
	t.Helper()
	names := arLinkNames(t, ns)
	want := ipNeighbors(t, ns)
	got := append(ourNeighbors(t, c, rtnetlink.NeighborFilter{}, names), ourNeighbors(t, c, rtnetlink.NeighborFilter{Proxy: true}, names)...)
	arDiff(t, "neighbours", got, slices.Clone(want))
	return want
}

// TestNeighborsOracle adds, replaces and deletes neighbour entries through
// the package and through ip, and checks that the package lists what ip
// -j -d neigh show nud all and ip -j neigh show proxy list, field by
// field: address, link, link-layer address, state, flags (router, proxy,
// extern_learn) and protocol.
func TestNeighborsOracle(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	mac := func(s string) net.HardwareAddr {
		hw, err := net.ParseMAC(s)
		if err != nil {
			t.Fatal(err)
		}
		return hw
	}
	adds := []rtnetlink.Neighbor{
		{Index: v0, IP: ip("10.0.0.2"), HardwareAddr: mac("02:00:00:00:00:02")},
		{Index: v0, IP: ip("10.0.0.3"), HardwareAddr: mac("02:00:00:00:00:03"), State: rtnetlink.NeighStale},
		{Index: v0, IP: ip("10.0.0.4"), HardwareAddr: mac("02:00:00:00:00:04"), State: rtnetlink.NeighNoARP, Protocol: rtnetlink.ProtoStatic},
		{Index: v1, IP: ip("10.0.1.5"), HardwareAddr: mac("02:00:00:00:00:05"), State: rtnetlink.NeighReachable, Flags: rtnetlink.NeighExtLearned},
		{Index: v0, IP: ip("2001:db8::2"), HardwareAddr: mac("02:00:00:00:00:06"), State: rtnetlink.NeighStale, Flags: rtnetlink.NeighRouter},
		{Index: v1, IP: ip("2001:db8:1::7"), HardwareAddr: mac("02:00:00:00:00:07"), Protocol: 99},
		{Index: v0, IP: ip("10.0.0.9"), Flags: rtnetlink.NeighProxy},
		{Index: v1, IP: ip("2001:db8:1::9"), Flags: rtnetlink.NeighProxy},
		{Index: v0, IP: ip("10.0.0.10"), HardwareAddr: mac("02:00:00:00:00:10")},    // deleted below
		{Index: v0, IP: ip("10.0.0.11"), Flags: rtnetlink.NeighProxy},               // deleted below
		{Index: v1, IP: ip("10.0.1.12"), HardwareAddr: mac("02:00:00:00:00:12")},    // replaced below
		{Index: v0, IP: ip("2001:db8::13"), HardwareAddr: mac("02:00:00:00:00:13")}, // deleted below as listed
	}
	for _, n := range adds {
		if err := c.AddNeighbor(ctx, n); err != nil {
			t.Fatalf("add %+v: %v", n, err)
		}
	}
	if err := c.AddNeighbor(ctx, adds[0]); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %v twice: %v, want EEXIST", adds[0].IP, err)
	}
	if err := c.ReplaceNeighbor(ctx, rtnetlink.Neighbor{Index: v1, IP: ip("10.0.1.12"), HardwareAddr: mac("02:00:00:00:01:12"), State: rtnetlink.NeighStale}); err != nil {
		t.Fatal(err)
	}
	for _, n := range adds[8:10] {
		if err := c.DeleteNeighbor(ctx, n); err != nil {
			t.Errorf("delete %v: %v", n.IP, err)
		}
	}
	for n, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{Family: unix.AF_INET6, Index: v0}) {
		if err == nil && n.IP == ip("2001:db8::13") {
			err = c.DeleteNeighbor(ctx, n)
		}
		if err != nil {
			t.Error(err)
		}
	}
	if err := c.DeleteNeighbor(ctx, adds[8]); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting twice: %v, want ENOENT", err)
	}

	// What ip adds, the package must read back the same.
	ns.Batch(t, []string{
		"neigh add 10.0.0.20 lladdr 02:00:00:00:00:20 dev v0 nud reachable",
		"neigh add 10.0.1.21 lladdr 02:00:00:00:00:21 dev v1 nud permanent proto dhcp",
		"neigh add 2001:db8::22 lladdr 02:00:00:00:00:22 dev v0 router nud stale",
		"neigh add 2001:db8:1::23 lladdr 02:00:00:00:00:23 dev v1 extern_learn",
		"neigh add proxy 2001:db8::24 dev v0",
		"neigh add 10.0.0.25 dev v0 nud incomplete",
	})
	all := nbCompare(t, ns, c)
	for _, w := range []string{
		"10.0.0.2 dev=v0 lladdr=02:00:00:00:00:02 state=PERMANENT flags= proto=",
		"10.0.0.3 dev=v0 lladdr=02:00:00:00:00:03 state=STALE flags= proto=",
		"10.0.0.4 dev=v0 lladdr=02:00:00:00:00:04 state=NOARP flags= proto=static",
		"10.0.1.5 dev=v1 lladdr=02:00:00:00:00:05 state=REACHABLE flags=extern_learn proto=",
		"2001:db8::2 dev=v0 lladdr=02:00:00:00:00:06 state=STALE flags=router proto=",
		"2001:db8:1::7 dev=v1 lladdr=02:00:00:00:00:07 state=PERMANENT flags= proto=openr",
		"10.0.0.9 dev=v0 lladdr= state= flags=proxy proto=",
		"2001:db8:1::9 dev=v1 lladdr= state= flags=proxy proto=",
		"10.0.1.12 dev=v1 lladdr=02:00:00:00:01:12 state=STALE flags= proto=",
	} {
		if !slices.Contains(all, w) {
			t.Errorf("ip does not list %s", w)
		}
	}
	for _, l := range all {
		if strings.HasPrefix(l, "10.0.0.10 ") || strings.HasPrefix(l, "10.0.0.11 ") || strings.HasPrefix(l, "2001:db8::13 ") {
			t.Errorf("deleted entry still listed: %s", l)
		}
	}

	// GetNeighbor, as ip neigh get.
	got, err := c.GetNeighbor(ctx, v0, ip("2001:db8::22"))
	if err != nil || got.HardwareAddr.String() != "02:00:00:00:00:22" || got.Flags&rtnetlink.NeighRouter == 0 || got.State != rtnetlink.NeighStale {
		t.Errorf("GetNeighbor: %+v, %v", got, err)
	}
	if _, err := c.GetNeighbor(ctx, v0, ip("10.0.0.99")); !errors.Is(err, unix.ENOENT) {
		t.Errorf("GetNeighbor of a missing entry: %v, want ENOENT", err)
	}
}

// TestNeighborFilters checks the filtered listings against the full one,
// with and without strict checking.
func TestNeighborFilters(t *testing.T) { backends(t, testNeighborFilters) }

func testNeighborFilters(t *testing.T, b *backend) {
	c, v0, v1 := b.arRouteNS(t, nil)
	ctx := context.Background()
	b.setup(t, []string{
		"link add br0 type bridge", "link set v1 master br0",
		"neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0",
		"neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev v0 nud stale",
		"neigh add 10.0.1.2 lladdr 02:00:00:00:00:04 dev v1",
		"neigh add 2001:db8::2 lladdr 02:00:00:00:00:05 dev v0 nud stale",
		"neigh add proxy 10.0.0.9 dev v0",
	}, func(c *rtnetlink.Conn) error {
		br, err := c.CreateLink(ctx, rtnetlink.Link{Name: "br0", Kind: "bridge"})
		if err != nil {
			return err
		}
		if err := c.SetLinkMaster(ctx, v1, br.Index); err != nil {
			return err
		}
		ip := netip.MustParseAddr
		mac := func(b byte) net.HardwareAddr { return net.HardwareAddr{2, 0, 0, 0, 0, b} }
		for _, n := range []rtnetlink.Neighbor{
			{Index: v0, IP: ip("10.0.0.2"), HardwareAddr: mac(2)},
			{Index: v0, IP: ip("10.0.0.3"), HardwareAddr: mac(3), State: rtnetlink.NeighStale},
			{Index: v1, IP: ip("10.0.1.2"), HardwareAddr: mac(4)},
			{Index: v0, IP: ip("2001:db8::2"), HardwareAddr: mac(5), State: rtnetlink.NeighStale},
			{Index: v0, IP: ip("10.0.0.9"), Flags: rtnetlink.NeighProxy},
		} {
			if err := c.AddNeighbor(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	names := b.linkNames(t)
	br := 0
	for i, n := range names {
		if n == "br0" {
			br = i
		}
	}
	lc := b.dialLoose(t)
	all := ourNeighbors(t, c, rtnetlink.NeighborFilter{}, names)
	for _, tc := range []struct {
		f    rtnetlink.NeighborFilter
		want func(l string) bool
	}{
		{rtnetlink.NeighborFilter{Family: unix.AF_INET}, func(l string) bool { return !strings.Contains(l[:strings.Index(l, " ")], ":") }},
		{rtnetlink.NeighborFilter{Index: v1}, func(l string) bool { return strings.Contains(l, " dev=v1 ") }},
		{rtnetlink.NeighborFilter{MasterIndex: br}, func(l string) bool { return strings.Contains(l, " dev=v1 ") }},
		{rtnetlink.NeighborFilter{Index: v0, State: rtnetlink.NeighStale}, func(l string) bool {
			return strings.Contains(l, " dev=v0 ") && strings.Contains(l, " state=STALE ")
		}},
	} {
		want := slices.DeleteFunc(slices.Clone(all), func(l string) bool { return !tc.want(l) })
		if len(want) == 0 {
			t.Errorf("%+v: nothing to list", tc.f)
		}
		arDiff(t, fmt.Sprintf("strict %+v", tc.f), ourNeighbors(t, c, tc.f, names), slices.Clone(want))
		arDiff(t, fmt.Sprintf("loose %+v", tc.f), ourNeighbors(t, lc, tc.f, names), want)
	}
	proxy := ourNeighbors(t, c, rtnetlink.NeighborFilter{Proxy: true, Family: unix.AF_INET}, names)
	if len(proxy) != 1 || !strings.HasPrefix(proxy[0], "10.0.0.9 ") {
		t.Errorf("proxy entries: %q", proxy)
	}
}

// TestNeighborErrors checks the errors found before sending and those the
// kernel reports.
func TestNeighborErrors(t *testing.T) { backends(t, testNeighborErrors) }

func testNeighborErrors(t *testing.T, b *backend) {
	c, v0, _ := b.arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	for _, n := range []rtnetlink.Neighbor{
		{},
		{Index: v0},
		{IP: ip("10.0.0.2")},
		{Index: -1, IP: ip("10.0.0.2")},
		{Index: v0, IP: ip("::ffff:10.0.0.2")},
		{Index: v0, IP: ip("fe80::1%v0")},
		{Index: v0, IP: ip("10.0.0.2"), Flags: 1 << 20},
	} {
		err := c.AddNeighbor(ctx, n)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddNeighbor(%+v) = %v, want a check error matching EINVAL and os.ErrInvalid", n, err)
		}
	}
	for _, tc := range []struct {
		n      rtnetlink.Neighbor
		errno  error
		extack bool
	}{
		{rtnetlink.Neighbor{Index: 9999, IP: ip("10.0.0.2")}, unix.ENODEV, false},
		{rtnetlink.Neighbor{Index: v0, IP: ip("10.0.0.2"), State: rtnetlink.NeighPermanent}, unix.EINVAL, true}, // no link-layer address
	} {
		err := c.AddNeighbor(ctx, tc.n)
		var oe *netlink.OpError
		if !errors.Is(err, tc.errno) || !errors.As(err, &oe) || oe.Op == "check" || tc.extack && oe.Message == "" {
			t.Errorf("AddNeighbor(%+v) = %v, want %v from the kernel (with an extended ACK message: %v)", tc.n, err, tc.errno, tc.extack)
		} else {
			t.Logf("%v: %v", tc.n.IP, err)
		}
	}
}

// bridgeJSON runs bridge -j with args in ns and decodes its output.
func bridgeJSON(t testing.TB, ns *nstest.NS, args ...string) []map[string]any {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "bridge", "-j"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("bridge %v: %v: %s", args, err, out)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("bridge -j %v: %v: %s", args, err, out)
	}
	return v
}

// bridgeFDB lists the entries of ns as bridge -j fdb show does, one line
// each in the form ourFDB uses.
func bridgeFDB(t testing.TB, ns *nstest.NS, args ...string) []string {
	t.Helper()
	var lines []string
	for _, e := range bridgeJSON(t, ns, append([]string{"fdb", "show"}, args...)...) {
		var flags []string
		if fl, ok := e["flags"].([]any); ok {
			for _, f := range fl {
				flags = append(flags, arStr(f))
			}
		}
		slices.Sort(flags)
		if learned(arStr(e["mac"]), arStr(e["state"])) {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s dev=%s vlan=%s dst=%s master=%s state=%s flags=%s%s",
			arStr(e["mac"]), arStr(e["ifname"]), arStr(e["vlan"]), arStr(e["dst"]), arStr(e["master"]), arStr(e["state"]), strings.Join(flags, ","),
			fdbRemote(arStr(e["port"]), arStr(e["vni"]), arStr(e["src_vni"]), arStr(e["viaIf"]), arStr(e["nhid"]))))
	}
	return lines
}

// fdbRemote formats the fields of a VXLAN entry that bridge prints only
// when set, "" when none is.
func fdbRemote(port, vni, srcVNI, via, nhid string) string {
	s := ""
	for _, f := range []struct{ k, v string }{{"port", port}, {"vni", vni}, {"src_vni", srcVNI}, {"via", via}, {"nhid", nhid}} {
		if f.v != "" {
			s += " " + f.k + "=" + f.v
		}
	}
	return s
}

// learned reports whether an entry was learned from the traffic of the
// test's links, which comes at its own pace: such entries are left out.
func learned(mac, state string) bool {
	return state == "" && !strings.HasPrefix(mac, "02:00:00:00:00:") && mac != "00:00:00:00:00:00"
}

// bridgeState names an FDB state as bridge does: by its first bit of
// permanent, static (NOARP), stale and reachable (""), else in hex.
func bridgeState(s rtnetlink.NeighborState) string {
	switch {
	case s&rtnetlink.NeighPermanent != 0:
		return "permanent"
	case s&rtnetlink.NeighNoARP != 0:
		return "static"
	case s&rtnetlink.NeighStale != 0:
		return "stale"
	case s&rtnetlink.NeighReachable != 0:
		return ""
	}
	return fmt.Sprintf("%#x", uint16(s))
}

// ourFDB formats e as bridgeFDB does.
func ourFDB(e rtnetlink.FDBEntry, names map[int]string) string {
	vlan, dst := "", ""
	if e.VLAN != 0 {
		vlan = fmt.Sprint(e.VLAN)
	}
	if e.Dst.IsValid() {
		dst = e.Dst.String()
	}
	var flags []string
	if e.Flags != 0 {
		flags = strings.Split(e.Flags.String(), "|")
	}
	// bridge names NTF_MASTER by the master's name alone.
	flags = slices.DeleteFunc(flags, func(f string) bool { return f == "master" })
	slices.Sort(flags)
	num := func(v uint32) string {
		if v == 0 {
			return ""
		}
		return fmt.Sprint(v)
	}
	vni := num(e.VNI)
	for at, err := range e.Other.All() {
		if err == nil && at.Type == unix.NDA_VNI {
			vni = "0" // a listed VNI of 0 stays in Other
		}
	}
	return fmt.Sprintf("%s dev=%s vlan=%s dst=%s master=%s state=%s flags=%s%s",
		e.HardwareAddr, names[e.Index], vlan, dst, names[e.MasterIndex], bridgeState(e.State), strings.Join(flags, ","),
		fdbRemote(num(uint32(e.Port)), vni, num(e.SrcVNI), names[e.ViaIndex], num(e.NextHopID)))
}

// ourFDBs lists the entries f selects through c, one line each.
func ourFDBs(t testing.TB, c *rtnetlink.Conn, f rtnetlink.FDBFilter, names map[int]string) []string {
	t.Helper()
	var lines []string
	for e, err := range c.FDB(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		if !learned(e.HardwareAddr.String(), bridgeState(e.State)) {
			lines = append(lines, ourFDB(e, names))
		}
	}
	return lines
}

// TestFDBOracle adds bridge FDB entries through the package and through
// bridge, and checks that the package lists what bridge -j fdb show lists,
// field by field: MAC address, device, VLAN, master, state and flags; also
// filtered by port and by bridge.
func TestFDBOracle(t *testing.T) {
	ns, c, v0, v1 := arNS(t, nil)
	ns.Batch(t, []string{"link add br0 type bridge", "link set v1 master br0", "link set br0 up"})
	names := arLinkNames(t, ns)
	br := 0
	for i, n := range names {
		if n == "br0" {
			br = i
		}
	}
	ctx := context.Background()
	mac := func(s string) net.HardwareAddr {
		hw, _ := net.ParseMAC(s)
		return hw
	}
	for _, e := range []rtnetlink.FDBEntry{
		{HardwareAddr: mac("02:00:00:00:00:01"), Index: v1, Flags: rtnetlink.NeighMaster},
		{HardwareAddr: mac("02:00:00:00:00:03"), Index: v1, Flags: rtnetlink.NeighMaster, State: rtnetlink.NeighReachable},
		{HardwareAddr: mac("02:00:00:00:00:04"), Index: v1, Flags: rtnetlink.NeighMaster | rtnetlink.NeighSticky, State: rtnetlink.NeighNoARP},
		{HardwareAddr: mac("02:00:00:00:00:05"), Index: v0}, // the device's own list (self)
		{HardwareAddr: mac("02:00:00:00:00:06"), Index: v1, Flags: rtnetlink.NeighMaster | rtnetlink.NeighExtLearned, State: rtnetlink.NeighReachable},
		{HardwareAddr: mac("02:00:00:00:00:07"), Index: v1, Flags: rtnetlink.NeighMaster}, // deleted below
	} {
		if err := c.AddFDBEntry(ctx, e); err != nil {
			t.Fatalf("add %+v: %v", e, err)
		}
	}
	if err := c.DeleteFDBEntry(ctx, rtnetlink.FDBEntry{HardwareAddr: mac("02:00:00:00:00:07"), Index: v1, Flags: rtnetlink.NeighMaster}); err != nil {
		t.Error(err)
	}
	for _, args := range [][]string{
		{"fdb", "add", "02:00:00:00:00:10", "dev", "v1", "master", "static"},
		{"fdb", "add", "02:00:00:00:00:11", "dev", "v1", "master", "permanent"},
		{"fdb", "add", "02:00:00:00:00:12", "dev", "v1", "master", "dynamic"},
		{"fdb", "add", "02:00:00:00:00:13", "dev", "v0", "self"},
	} {
		if out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "bridge"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("bridge %v: %v: %s", args, err, out)
		}
	}
	all := bridgeFDB(t, ns)
	arDiff(t, "fdb", ourFDBs(t, c, rtnetlink.FDBFilter{}, names), slices.Clone(all))
	arDiff(t, "fdb of br0", ourFDBs(t, c, rtnetlink.FDBFilter{MasterIndex: br}, names), bridgeFDB(t, ns, "br", "br0"))
	port := bridgeFDB(t, ns, "brport", "v1")
	for i, l := range port {
		port[i] = strings.Replace(l, " dev= ", " dev=v1 ", 1) // bridge leaves out the port it was asked for
	}
	arDiff(t, "fdb of v1", ourFDBs(t, c, rtnetlink.FDBFilter{Index: v1}, names), port)
	for _, w := range []string{
		"02:00:00:00:00:01 dev=v1 vlan= dst= master=br0 state=permanent flags=",
		"02:00:00:00:00:03 dev=v1 vlan= dst= master=br0 state= flags=",
		"02:00:00:00:00:04 dev=v1 vlan= dst= master=br0 state=static flags=sticky",
		"02:00:00:00:00:05 dev=v0 vlan= dst= master= state=permanent flags=self",
		"02:00:00:00:00:06 dev=v1 vlan= dst= master=br0 state= flags=extern_learn",
	} {
		if !slices.Contains(all, w) {
			t.Errorf("bridge does not list %s", w)
		}
	}
	if slices.ContainsFunc(all, func(l string) bool { return strings.HasPrefix(l, "02:00:00:00:00:07 ") }) {
		t.Error("deleted FDB entry still listed")
	}
	if err := c.AddFDBEntry(ctx, rtnetlink.FDBEntry{Index: v1}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("entry without an address: %v, want EINVAL", err)
	}
}

// TestNeighborsSmallBuffer lists a cache larger than a datagram through 4
// KiB reads, so that the dump goes on across many datagrams.
func TestNeighborsSmallBuffer(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, &netlink.Config{DatagramBuffer: 4096})
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("neigh add 10.0.%d.%d lladdr 02:00:00:00:%02x:%02x dev v0", i/200, 2+i%200, i/256, i%256))
	}
	ns.Run(t, "addr", "add", "10.0.1.254/23", "dev", "v0")
	ns.Batch(t, lines)
	n := 0
	for _, err := range c.Neighbors(context.Background(), rtnetlink.NeighborFilter{Family: unix.AF_INET, State: rtnetlink.NeighPermanent}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 400 {
		t.Errorf("listed %d entries, want 400", n)
	}
	nbCompare(t, ns, c)
}
