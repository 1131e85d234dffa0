//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// The helpers of the address and route tests have names of their own, so
// that they do not clash with the link tests' in this package.

// arNS makes a namespace with a veth pair v0/v1, both up, and returns it
// with a Conn in it and the pair's indexes.
func arNS(t testing.TB, cfg *netlink.Config) (ns *nstest.NS, c *rtnetlink.Conn, v0, v1 int) {
	t.Helper()
	ns = nstest.New(t)
	// Duplicate address detection would end at a moment of the kernel's
	// timers, between ip's listing and ours on a slow machine; with an
	// hour between its probes, an address it checks stays tentative for
	// the whole test, and both listings agree. So would a neighbour
	// entry's state: a managed entry the kernel resolves is INCOMPLETE
	// until its probes (a second apart by default) run out, then FAILED;
	// a reachable one goes stale after 15-45 s. With an hour between
	// probes and an hour of reachability, each keeps the state it was
	// given or took first (the first probe still goes at once), which the
	// tests compare: under TCG in the VM, the package's managed entries
	// were FAILED, ip's, added seconds later, still INCOMPLETE.
	ns.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	var sysctls []string
	for _, dev := range []string{"v0", "v1"} {
		for _, fam := range []string{"ipv4", "ipv6"} {
			sysctls = append(sysctls,
				"net."+fam+".neigh."+dev+".retrans_time_ms=3600000",
				"net."+fam+".neigh."+dev+".base_reachable_time_ms=3600000")
		}
	}
	if out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "sysctl", "-qw"}, sysctls...)...).CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v: %s", err, out)
	}
	ns.Run(t, "link", "set", "v0", "up")
	ns.Run(t, "link", "set", "v1", "up")
	var conf netlink.Config
	if cfg != nil {
		conf = *cfg
	}
	conf.NetNS = ns.Path
	c, err := rtnetlink.Dial(&conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	names := arLinkNames(t, ns)
	for i, n := range names {
		switch n {
		case "v0":
			v0 = i
		case "v1":
			v1 = i
		}
	}
	return ns, c, v0, v1
}

// arJSON runs ip -j with args in ns and decodes its output.
func arJSON(t testing.TB, ns *nstest.NS, args ...string) []map[string]any {
	t.Helper()
	out := ns.Run(t, append([]string{"-j"}, args...)...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("ip -j %v: %v: %s", args, err, out)
	}
	return v
}

// arLinkNames maps interface indexes to names, as ip link show says.
func arLinkNames(t testing.TB, ns *nstest.NS) map[int]string {
	t.Helper()
	names := map[int]string{}
	for _, l := range arJSON(t, ns, "link", "show") {
		names[int(l["ifindex"].(float64))] = l["ifname"].(string)
	}
	return names
}

// arStr formats a JSON value from ip: numbers as integers.
func arStr(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// arDiff fails t when got and want differ as sets of lines.
func arDiff(t testing.TB, what string, got, want []string) {
	t.Helper()
	slices.Sort(got)
	slices.Sort(want)
	if slices.Equal(got, want) {
		return
	}
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "\n  ip only:      %s", l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "\n  rtnetlink only: %s", l)
		}
	}
	t.Errorf("%s: rtnetlink and ip disagree:%s", what, b.String())
}

// arLifetime formats a lifetime: a finite one only as "finite", since it
// ticks between two listings (checked against the time that passed, apart)
// so that the two listings agree though a second may pass between them.
func arLifetime(v string) string {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == rtnetlink.Forever {
		return v
	}
	return "finite"
}

// ipAddressFlagKeys are the flags ip -j prints as booleans, by name.
var ipAddressFlagKeys = []string{
	"secondary", "temporary", "nodad", "optimistic", "dadfailed", "home",
	"deprecated", "tentative", "dynamic", "mngtmpaddr", "noprefixroute",
	"autojoin", "stable-privacy",
}

// ipAddresses lists the addresses of ns as ip -j -d addr show does, one
// line each in the form ourAddresses uses.
func ipAddresses(t testing.TB, ns *nstest.NS, family string) []string {
	t.Helper()
	var lines []string
	for _, l := range arJSON(t, ns, family, "-d", "addr", "show") {
		for _, ai := range l["addr_info"].([]any) {
			a := ai.(map[string]any)
			var flags []string
			for _, k := range ipAddressFlagKeys {
				if a[k] == true {
					flags = append(flags, k)
				}
			}
			lines = append(lines, fmt.Sprintf("%s %v %s/%s peer=%s brd=%s label=%s scope=%s flags=%s valid=%s preferred=%s metric=%s",
				a["family"], l["ifindex"], a["local"], arStr(a["prefixlen"]), arStr(a["address"]), arStr(a["broadcast"]),
				arStr(a["label"]), a["scope"], strings.Join(flags, ","),
				arLifetime(arStr(a["valid_life_time"])), arLifetime(arStr(a["preferred_life_time"])), arStr(a["metric"])))
		}
	}
	return lines
}

// ipFlagNames names a's flags as ip -j prints them.
func ipFlagNames(a rtnetlink.Address) string {
	v6 := a.Prefix.Addr().Is6()
	var names []string
	f := a.Flags
	if f&rtnetlink.AddrSecondary != 0 {
		if v6 {
			names = append(names, "temporary")
		} else {
			names = append(names, "secondary")
		}
	}
	for _, fl := range []struct {
		f      rtnetlink.AddressFlags
		name   string
		v6only bool
	}{
		{rtnetlink.AddrNoDAD, "nodad", true}, {rtnetlink.AddrOptimistic, "optimistic", true},
		{rtnetlink.AddrDADFailed, "dadfailed", true}, {rtnetlink.AddrHome, "home", true},
		{rtnetlink.AddrDeprecated, "deprecated", false}, {rtnetlink.AddrTentative, "tentative", true},
	} {
		if f&fl.f != 0 && (v6 || !fl.v6only) {
			names = append(names, fl.name)
		}
	}
	if f&rtnetlink.AddrPermanent == 0 {
		names = append(names, "dynamic")
	}
	for _, fl := range []struct {
		f      rtnetlink.AddressFlags
		name   string
		v6only bool
	}{
		{rtnetlink.AddrManageTempAddr, "mngtmpaddr", true}, {rtnetlink.AddrNoPrefixRoute, "noprefixroute", false},
		{rtnetlink.AddrMCAutoJoin, "autojoin", false}, {rtnetlink.AddrStablePrivacy, "stable-privacy", true},
	} {
		if f&fl.f != 0 && (v6 || !fl.v6only) {
			names = append(names, fl.name)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int {
		return slices.Index(ipAddressFlagKeys, a) - slices.Index(ipAddressFlagKeys, b)
	})
	return strings.Join(names, ",")
}

// ourAddresses lists the addresses f selects through the package, one
// line each.
func ourAddresses(t testing.TB, c *rtnetlink.Conn, f rtnetlink.AddressFilter) []string {
	t.Helper()
	var lines []string
	for a, err := range c.Addresses(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		family := "inet"
		if a.Prefix.Addr().Is6() {
			family = "inet6"
		}
		peer, brd, metric := "", "", ""
		if a.Peer.IsValid() {
			peer = a.Peer.String()
		}
		if a.Broadcast.IsValid() {
			brd = a.Broadcast.String()
		}
		if a.Metric != 0 {
			metric = strconv.FormatUint(uint64(a.Metric), 10)
		}
		lines = append(lines, fmt.Sprintf("%s %d %s/%d peer=%s brd=%s label=%s scope=%s flags=%s valid=%s preferred=%s metric=%s",
			family, a.Index, a.Prefix.Addr(), a.Prefix.Bits(), peer, brd, a.Label, a.Scope, ipFlagNames(a),
			arLifetime(strconv.FormatUint(uint64(a.ValidLifetime), 10)),
			arLifetime(strconv.FormatUint(uint64(a.PreferredLifetime), 10)), metric))
	}
	return lines
}

// TestAddressesOracle adds, replaces and deletes addresses through the
// package and through ip, and checks that the package lists what ip -j -d
// addr show lists, field by field: index, address, prefix length, peer,
// broadcast, label, scope, flags, lifetimes and metric.
func TestAddressesOracle(t *testing.T) {
	ns, c, v0, v1 := arNS(t, nil)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	adds := []rtnetlink.Address{
		{Index: v0, Prefix: pfx("10.0.0.1/24"), Broadcast: ip("10.0.0.255"), Label: "v0:web"},
		{Index: v0, Prefix: pfx("10.0.0.2/24"), Flags: rtnetlink.AddrNoPrefixRoute},                                   // secondary
		{Index: v0, Prefix: pfx("10.9.0.1/32"), Peer: ip("10.9.0.2"), Metric: 7},                                      // point to point
		{Index: v1, Prefix: pfx("10.5.0.1/16"), Scope: rtnetlink.ScopeLink, ValidLifetime: 300, PreferredLifetime: 0}, // deprecated
		{Index: v1, Prefix: pfx("10.6.0.1/16"), Scope: rtnetlink.ScopeHost, Metric: 50},
		{Index: v0, Prefix: pfx("2001:db8::1/64"), Flags: rtnetlink.AddrNoDAD | rtnetlink.AddrNoPrefixRoute, ValidLifetime: 600, PreferredLifetime: 300},
		{Index: v0, Prefix: pfx("2001:db8:1::1/64"), Flags: rtnetlink.AddrNoDAD, Metric: 99},
		{Index: v1, Prefix: pfx("fd00::1/64"), Flags: rtnetlink.AddrNoDAD | rtnetlink.AddrManageTempAddr},
		{Index: v1, Prefix: pfx("fd00:1::1/64"), Flags: rtnetlink.AddrNoDAD, Scope: rtnetlink.ScopeSite}, // IPv6 scopes come from the address
		{Index: v1, Prefix: pfx("fd00:2::1/64")},                                                         // tentative until DAD is done
	}
	added := time.Now()
	for _, a := range adds {
		if err := c.AddAddress(ctx, a); err != nil {
			t.Fatalf("add %v: %v", a.Prefix, err)
		}
	}
	// Adding again is EEXIST; replacing changes lifetimes and flags.
	if err := c.AddAddress(ctx, adds[0]); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %v twice: %v, want EEXIST", adds[0].Prefix, err)
	}
	r := adds[6]
	r.ValidLifetime, r.PreferredLifetime, r.Flags = 900, 800, rtnetlink.AddrNoDAD|rtnetlink.AddrNoPrefixRoute
	if err := c.ReplaceAddress(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAddress(ctx, rtnetlink.Address{Index: v1, Prefix: pfx("10.6.0.1/16")}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAddress(ctx, rtnetlink.Address{Index: v1, Prefix: pfx("10.6.0.1/16")}); !errors.Is(err, unix.EADDRNOTAVAIL) {
		t.Errorf("deleting twice: %v, want EADDRNOTAVAIL", err)
	}
	// What ip adds, the package must read back the same.
	ns.Batch(t, []string{
		"addr add 172.16.0.1/12 brd + dev v1 label v1:x valid_lft 1000 preferred_lft 500",
		"addr add 172.16.0.9/12 dev v1 noprefixroute",
		"addr add 192.168.7.1 peer 192.168.7.2/30 dev v0 scope 77",
		"addr add 2001:db8:9::1/56 dev v1 nodad metric 5 valid_lft 700 preferred_lft 0",
		"addr add 2001:db8:a::1/64 dev v0 mngtmpaddr nodad",
		"addr add fe80::99/64 dev v0 nodad",
		"addr add fd10::1 peer fd10::2/128 dev v1 nodad",
	})
	for _, fam := range []struct {
		ip     string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		got := ourAddresses(t, c, rtnetlink.AddressFilter{Family: fam.family})
		arDiff(t, "addresses "+fam.ip, got, ipAddresses(t, ns, fam.ip))
	}
	all := ourAddresses(t, c, rtnetlink.AddressFilter{})
	arDiff(t, "every address", all, append(ipAddresses(t, ns, "-4"), ipAddresses(t, ns, "-6")...))

	// Spot checks that the package wrote what it was asked to.
	want := []string{
		fmt.Sprintf("inet %d 10.0.0.1/24 peer= brd=10.0.0.255 label=v0:web scope=global flags= valid=4294967295 preferred=4294967295 metric=", v0),
		fmt.Sprintf("inet %d 10.0.0.2/24 peer= brd= label=v0 scope=global flags=secondary,noprefixroute valid=4294967295 preferred=4294967295 metric=", v0),
		fmt.Sprintf("inet %d 10.9.0.1/32 peer=10.9.0.2 brd= label=v0 scope=global flags= valid=4294967295 preferred=4294967295 metric=7", v0),
		fmt.Sprintf("inet %d 10.5.0.1/16 peer= brd= label=v1 scope=link flags=deprecated,dynamic valid=finite preferred=finite metric=", v1),
		fmt.Sprintf("inet6 %d 2001:db8::1/64 peer= brd= label= scope=global flags=nodad,dynamic,noprefixroute valid=finite preferred=finite metric=", v0),
		fmt.Sprintf("inet6 %d 2001:db8:1::1/64 peer= brd= label= scope=global flags=nodad,dynamic,noprefixroute valid=finite preferred=finite metric=99", v0),
		fmt.Sprintf("inet6 %d fd00::1/64 peer= brd= label= scope=global flags=nodad,mngtmpaddr valid=4294967295 preferred=4294967295 metric=", v1),
		fmt.Sprintf("inet6 %d fd00:1::1/64 peer= brd= label= scope=global flags=nodad valid=4294967295 preferred=4294967295 metric=", v1),
	}
	for _, w := range want {
		// Lifetimes may cross a multiple of ten between the add and the
		// listing; compare without them when they are finite.
		if !slices.ContainsFunc(all, func(l string) bool { return arSameAddr(l, w) }) {
			t.Errorf("missing %s\nhave:\n%s", w, strings.Join(all, "\n"))
		}
	}
	// The finite lifetimes count down from what was set, by no more than
	// the seconds since the addresses were added (or replaced, later).
	lifetimes := map[netip.Prefix][2]uint32{
		pfx("10.5.0.1/16"): {300, 0}, pfx("2001:db8::1/64"): {600, 300}, pfx("2001:db8:1::1/64"): {900, 800},
	}
	for a, err := range c.Addresses(ctx, rtnetlink.AddressFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		set, ok := lifetimes[a.Prefix]
		if !ok {
			continue
		}
		passed := uint32(time.Since(added)/time.Second) + 1
		for i, got := range []uint32{a.ValidLifetime, a.PreferredLifetime} {
			if got > set[i] || set[i]-got > passed {
				t.Errorf("%v: lifetime %d is %d, want %d less at most %d s", a.Prefix, i, got, set[i], passed)
			}
		}
	}
	for _, l := range all {
		if strings.Contains(l, "10.6.0.1/16") {
			t.Errorf("deleted address still listed: %s", l)
		}
	}
}

// arSameAddr compares two address lines, allowing finite lifetimes to
// differ by one step of ten seconds.
func arSameAddr(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] == fb[i] {
			continue
		}
		ka, va, _ := strings.Cut(fa[i], "=~")
		kb, vb, _ := strings.Cut(fb[i], "=~")
		na, ea := strconv.Atoi(va)
		nb, eb := strconv.Atoi(vb)
		if ka != kb || ea != nil || eb != nil || na-nb > 10 || nb-na > 10 {
			return false
		}
	}
	return true
}

// TestAddressFilters lists per link and per family, with strict checking
// (the kernel filters) and without it (the iterator does), and checks
// that the kernel marks the filtered dump.
func TestAddressFilters(t *testing.T) {
	ns, c, v0, v1 := arNS(t, nil)
	ns.Batch(t, []string{
		"addr add 10.0.0.1/24 dev v0", "addr add 10.1.0.1/24 dev v1",
		"addr add 2001:db8::1/64 dev v0 nodad", "addr add 2001:db8:1::1/64 dev v1 nodad",
	})
	loose, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer loose.Close()
	for _, conn := range []struct {
		name string
		c    *rtnetlink.Conn
	}{{"strict", c}, {"loose", rtnetlink.New(loose)}} {
		for _, f := range []rtnetlink.AddressFilter{
			{}, {Family: unix.AF_INET}, {Family: unix.AF_INET6},
			{Index: v0}, {Index: v1}, {Family: unix.AF_INET, Index: v1}, {Family: unix.AF_INET6, Index: v0},
		} {
			var want []string
			for _, fam := range []string{"-4", "-6"} {
				if f.Family == unix.AF_INET && fam == "-6" || f.Family == unix.AF_INET6 && fam == "-4" {
					continue
				}
				for _, l := range ipAddresses(t, ns, fam) {
					if f.Index == 0 || strings.Fields(l)[1] == strconv.Itoa(f.Index) {
						want = append(want, l)
					}
				}
			}
			arDiff(t, fmt.Sprintf("%s %+v", conn.name, f), ourAddresses(t, conn.c, f), want)
		}
	}
	// With strict checking, the kernel filters by link itself and says so.
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETADDR}, Data: make([]byte, unix.SizeofIfAddrmsg)}
	binary.NativeEndian.PutUint32(req.Data[4:], uint32(v1)) // ifa_index
	n := 0
	for m, err := range c.NL.Dump(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Flags&netlink.DumpFiltered == 0 {
			t.Errorf("address dump by link: reply without NLM_F_DUMP_FILTERED")
		}
		if idx := int(binary.NativeEndian.Uint32(m.Data[4:])); idx != v1 {
			t.Errorf("address dump by link %d: kernel sent an address of link %d", v1, idx)
		}
		n++
	}
	if n == 0 {
		t.Error("address dump by link: no addresses")
	}
}

// TestAddressErrors checks the errors found before sending and those the
// kernel reports with its extended ACK.
func TestAddressErrors(t *testing.T) { backends(t, testAddressErrors) }

func testAddressErrors(t *testing.T, b *backend) {
	c, v0, _ := b.arNS(t, nil)
	ctx := context.Background()
	for _, a := range []rtnetlink.Address{
		{Index: v0},
		{Index: v0, Prefix: netip.PrefixFrom(netip.MustParseAddr("198.18.0.1"), 33)},
		{Index: 0, Prefix: netip.MustParsePrefix("198.18.0.1/24")},
		{Index: v0, Prefix: netip.MustParsePrefix("::ffff:198.18.0.1/120")},
		{Index: v0, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Broadcast: netip.MustParseAddr("198.18.0.255")},
		{Index: v0, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Label: "v0:x"},
		{Index: v0, Prefix: netip.MustParsePrefix("198.18.0.1/24"), Peer: netip.MustParseAddr("2001:db8::2")},
		{Index: v0, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Peer: netip.MustParseAddr("2001:db8::2%v0")},
		{Index: v0, Prefix: netip.MustParsePrefix("198.18.0.1/24"), Label: "a-label-far-too-long"},
		{Index: v0, Prefix: netip.MustParsePrefix("198.18.0.1/24"), ValidLifetime: 10, PreferredLifetime: 20},
	} {
		err := c.AddAddress(ctx, a)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddAddress(%+v) = %v, want a check's *OpError wrapping os.ErrInvalid and EINVAL before sending", a, err)
		}
	}
	// The kernel's refusals come back as *netlink.OpError with its errno
	// and extended ACK message.
	err := c.AddAddress(ctx, rtnetlink.Address{Index: 9999, Prefix: netip.MustParsePrefix("198.18.0.1/24")})
	var oe *netlink.OpError
	// Linux 6.1 says ENODEV alone; 6.12 adds "ipv4: Device not found".
	wantMsg := b.fake != nil || kernelAtLeast(t, 6, 2)
	if !errors.Is(err, unix.ENODEV) || !errors.As(err, &oe) || wantMsg && oe.Message == "" {
		t.Errorf("address on a missing link: %v, want ENODEV with an extended ACK message", err)
	} else {
		t.Logf("address on a missing link: %v", err)
	}
	// Under strict checking, listing the addresses of a missing link is
	// ENODEV, whatever the family.
	for _, fam := range []int{0, unix.AF_INET, unix.AF_INET6} {
		n := 0
		for _, err := range c.Addresses(ctx, rtnetlink.AddressFilter{Family: fam, Index: 9999}) {
			if !errors.Is(err, unix.ENODEV) {
				t.Errorf("family %d, missing link: %v, want ENODEV", fam, err)
			}
			n++
		}
		if n != 1 {
			t.Errorf("family %d, missing link: %d values, want one error", fam, n)
		}
	}
}
