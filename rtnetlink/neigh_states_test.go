//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// TestNeighborStatesOracle adds neighbour entries of every state a caller
// sets, with and without a link-layer address, managed and externally
// learned entries, IPv6 routers, and proxy entries of one link and of
// every link, through the package and through ip with the same arguments
// (and ip's defaults); and checks that the package lists what ip -j -d
// neigh shows, both ways, and what the kernel made of each.
func TestNeighborStatesOracle(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	noLinkProxies(t, ns, "198.18.1.71", "198.18.2.71")
	ctx := context.Background()
	ip := netip.MustParseAddr
	mac := func(b byte) net.HardwareAddr { return net.HardwareAddr{2, 0, 0, 0, 0, b} }
	states := []struct {
		name  string
		state rtnetlink.NeighborState
	}{
		{"none", rtnetlink.NeighNone}, {"incomplete", rtnetlink.NeighIncomplete}, {"reachable", rtnetlink.NeighReachable},
		{"stale", rtnetlink.NeighStale}, {"failed", rtnetlink.NeighFailed}, {"noarp", rtnetlink.NeighNoARP},
		{"permanent", rtnetlink.NeighPermanent},
	}
	// Ours at 198.18.1.x and 2001:db8:1::x, ip's at 198.18.2.x and
	// 2001:db8:2::x, on v0; x is 16 + the state's position, and 32 + it
	// without an address, for the states that take none.
	ns.Batch(t, []string{"addr add 198.18.1.1/24 dev v0", "addr add 198.18.2.1/24 dev v0"})
	var lines []string
	for i, st := range states {
		x := byte(16 + i)
		for _, a := range []netip.Addr{netip.AddrFrom4([4]byte{198, 18, 1, x}), netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 15: x})} {
			hw := mac(x)
			if st.state == rtnetlink.NeighNone {
				hw = nil // none with an address is permanent, ip's default; the kernel drops the address of none
			}
			if err := c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0, IP: a, HardwareAddr: hw, State: st.state}); err != nil {
				t.Errorf("add %v %v: %v", a, st.name, err)
			}
		}
		lines = append(lines,
			"neigh add 198.18.2."+itoa(int(x))+" lladdr "+mac(x).String()+" dev v0 nud "+st.name,
			"neigh add 2001:db8:2::"+hex(x)+" lladdr "+mac(x).String()+" dev v0 nud "+st.name)
		switch st.state {
		case rtnetlink.NeighNone, rtnetlink.NeighIncomplete, rtnetlink.NeighFailed:
			x += 16
			if err := c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0, IP: netip.AddrFrom4([4]byte{198, 18, 1, x}), State: st.state}); err != nil {
				t.Errorf("add %v without an address: %v", st.name, err)
			}
			lines = append(lines, "neigh add 198.18.2."+itoa(int(x))+" dev v0 nud "+st.name)
		}
	}
	for _, n := range []rtnetlink.Neighbor{
		{Index: v0, IP: ip("198.18.1.64"), Flags: rtnetlink.NeighManaged},
		{Index: v0, IP: ip("198.18.1.65"), HardwareAddr: mac(65), Flags: rtnetlink.NeighManaged},
		{Index: v0, IP: ip("198.18.1.66"), HardwareAddr: mac(66), Flags: rtnetlink.NeighExtLearned},
		{Index: v0, IP: ip("198.18.1.67"), HardwareAddr: mac(67)}, // ip's default: permanent
		{Index: v0, IP: ip("198.18.1.68")},                        // no address: none, where ip's permanent fails
		{Index: v0, IP: ip("2001:db8:1::69"), HardwareAddr: mac(69), Flags: rtnetlink.NeighRouter | rtnetlink.NeighExtLearned, State: rtnetlink.NeighStale},
		{Index: v0, IP: ip("198.18.1.70"), Flags: rtnetlink.NeighProxy},
		{IP: ip("198.18.1.71"), Flags: rtnetlink.NeighProxy},
		{Index: v1, IP: ip("2001:db8:1::72"), Flags: rtnetlink.NeighProxy | rtnetlink.NeighRouter},
	} {
		if err := c.AddNeighbor(ctx, n); err != nil {
			t.Errorf("add %+v: %v", n, err)
		}
	}
	lines = append(lines,
		"neigh add 198.18.2.64 dev v0 managed",
		"neigh add 198.18.2.65 lladdr 02:00:00:00:00:41 dev v0 managed",
		"neigh add 198.18.2.66 lladdr 02:00:00:00:00:42 dev v0 extern_learn",
		"neigh add 198.18.2.67 lladdr 02:00:00:00:00:43 dev v0",
		"neigh add 2001:db8:2::69 lladdr 02:00:00:00:00:45 dev v0 router extern_learn nud stale",
		"neigh add proxy 198.18.2.70 dev v0",
		"neigh add proxy 198.18.2.71",
		"neigh add proxy 2001:db8:2::72 dev v1 router",
	)
	ns.Batch(t, lines)
	// ip's default state, permanent, needs an address: the kernel refuses
	// it, but keeps the entry it made meanwhile, of no state, which is
	// what the package adds.
	if _, err := ns.Try("neigh", "add", "198.18.2.68", "dev", "v0"); err == nil {
		t.Error("ip added an entry with no address and its default state, permanent; the kernel refused that before")
	}

	all := nbCompare(t, ns, c)
	// Ours and ip's, side by side: the same but for the network.
	ours, theirs := map[string]bool{}, map[string]bool{}
	for _, l := range all {
		switch {
		case strings.HasPrefix(l, "198.18.1."), strings.HasPrefix(l, "2001:db8:1::"):
			ours[strings.Replace(strings.Replace(l, "198.18.1.", "198.18.X.", 1), "2001:db8:1::", "2001:db8:X::", 1)] = true
		case strings.HasPrefix(l, "198.18.2."), strings.HasPrefix(l, "2001:db8:2::"):
			theirs[strings.Replace(strings.Replace(l, "198.18.2.", "198.18.X.", 1), "2001:db8:2::", "2001:db8:X::", 1)] = true
		}
	}
	for l := range ours {
		if !theirs[l] {
			t.Errorf("the package made %s; ip, with the same arguments, not", l)
		}
	}
	for l := range theirs {
		if !ours[l] {
			t.Errorf("ip made %s; the package, with the same fields, not", l)
		}
	}
	for _, w := range []string{
		"198.18.X.16 dev=v0 lladdr= state= flags= proto=",
		"198.18.X.32 dev=v0 lladdr= state= flags= proto=",
		"198.18.X.33 dev=v0 lladdr= state=INCOMPLETE flags= proto=",
		"198.18.X.36 dev=v0 lladdr= state=FAILED flags= proto=",
		"198.18.X.68 dev=v0 lladdr= state= flags= proto=",
		"198.18.X.17 dev=v0 lladdr= state=INCOMPLETE flags= proto=",
		"198.18.X.18 dev=v0 lladdr=02:00:00:00:00:12 state=REACHABLE flags= proto=",
		"198.18.X.19 dev=v0 lladdr=02:00:00:00:00:13 state=STALE flags= proto=",
		"198.18.X.20 dev=v0 lladdr= state=FAILED flags= proto=",
		"198.18.X.21 dev=v0 lladdr=02:00:00:00:00:15 state=NOARP flags= proto=",
		"198.18.X.22 dev=v0 lladdr=02:00:00:00:00:16 state=PERMANENT flags= proto=",
		"2001:db8:X::10 dev=v0 lladdr= state= flags= proto=",
		"2001:db8:X::13 dev=v0 lladdr=02:00:00:00:00:13 state=STALE flags= proto=",
		"198.18.X.64 dev=v0 lladdr= state=INCOMPLETE flags=managed proto=",
		"198.18.X.65 dev=v0 lladdr= state=INCOMPLETE flags=managed proto=",
		"198.18.X.66 dev=v0 lladdr=02:00:00:00:00:42 state=PERMANENT flags=extern_learn proto=",
		"198.18.X.67 dev=v0 lladdr=02:00:00:00:00:43 state=PERMANENT flags= proto=",
		"2001:db8:X::69 dev=v0 lladdr=02:00:00:00:00:45 state=STALE flags=router,extern_learn proto=",
		"198.18.X.70 dev=v0 lladdr= state= flags=proxy proto=",
		"198.18.X.71 dev= lladdr= state= flags=proxy proto=",
		"2001:db8:X::72 dev=v1 lladdr= state= flags=router,proxy proto=",
	} {
		if !theirs[w] {
			t.Errorf("ip does not list %s", w)
		}
	}
}

// noLinkProxies deletes the IPv4 proxy entries of no link for addrs at the
// end of the test, if they are there, before its namespace goes: the
// kernel (6.18) keeps such entries after their namespace is gone, and
// lists them in a namespace made later, whichever gets the dead one's
// memory.
func noLinkProxies(t *testing.T, ns *nstest.NS, addrs ...string) {
	t.Cleanup(func() {
		for _, a := range addrs {
			ns.Try("neigh", "del", "proxy", a)
		}
	})
}

// itoa formats v in decimal.
func itoa(v int) string {
	return strings.TrimPrefix(netip.AddrFrom4([4]byte{0, 0, 0, byte(v)}).String(), "0.0.0.")
}

// hex formats v in hexadecimal, as the last group of an IPv6 address.
func hex(v byte) string { return strings.TrimPrefix(netip.AddrFrom16([16]byte{15: v}).String(), "::") }

// TestNeighborExtValidated adds an externally validated entry, where the
// kernel has the flag (Linux 6.17; before, it skips), and reads it back;
// the kernel's rules for it come back as its errors.
func TestNeighborExtValidated(t *testing.T) {
	_, c, v0, _ := arRouteNS(t, nil)
	ctx := context.Background()
	n := rtnetlink.Neighbor{Index: v0, IP: netip.MustParseAddr("10.0.0.50"), HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0x50},
		State: rtnetlink.NeighStale, Flags: rtnetlink.NeighExtLearned | rtnetlink.NeighExtValid}
	if err := c.AddNeighbor(ctx, n); err != nil {
		var oe *netlink.OpError
		if errors.As(err, &oe) && oe.Op != "check" && !kernelAtLeast(t, 6, 17) {
			t.Skipf("the kernel refuses it (a kernel before 6.17 ignores or refuses the flag): %v", err)
		}
		t.Fatal(err)
	}
	got, err := c.GetNeighbor(ctx, v0, n.IP)
	if err != nil {
		t.Fatal(err)
	}
	if got.Flags&rtnetlink.NeighExtValid == 0 && !kernelAtLeast(t, 6, 17) {
		t.Skipf("listed %+v: this kernel does not keep extern_valid (Linux 6.17)", got)
	}
	if got.Flags != n.Flags || got.State != n.State || got.HardwareAddr.String() != n.HardwareAddr.String() {
		t.Errorf("listed %+v, want %+v", got, n)
	}
	if got.Flags.String() != "extern_learn|extern_valid" {
		t.Errorf("flags print as %q", got.Flags)
	}
}

// TestDeleteNeighborsOneByOne: entries for one address on two links, a
// proxy entry for it on one link and one for every link, are deleted one
// at a time as listed, and ip then lists exactly the others.
func TestDeleteNeighborsOneByOne(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	noLinkProxies(t, ns, "198.18.0.9")
	ctx := context.Background()
	ns.Batch(t, []string{
		"neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev v0",
		"neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev v1",
		"neigh add proxy 198.18.0.9 dev v0",
		"neigh add proxy 198.18.0.9 dev v1",
		"neigh add proxy 198.18.0.9",
		"neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev v0 router",
		"neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev v1",
		"neigh add proxy 2001:db8::9 dev v0",
		"neigh add proxy 2001:db8::9 dev v1", // (an IPv6 proxy entry needs a link: ENOBUFS)
	})
	names := arLinkNames(t, ns)
	ours := func() []string {
		return slices.DeleteFunc(ipNeighbors(t, ns), func(l string) bool {
			return !strings.HasPrefix(l, "198.18.0.9 ") && !strings.HasPrefix(l, "2001:db8::9 ")
		})
	}
	before := ours()
	if len(before) != 9 {
		t.Fatalf("ip lists %q", before)
	}
	for len(before) > 0 {
		var victim *rtnetlink.Neighbor
		for _, proxy := range []bool{false, true} {
			for n, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{Proxy: proxy}) {
				if err != nil {
					t.Fatal(err)
				}
				if ourNeighbor(n, names) == before[0] {
					victim = &n
				}
			}
		}
		if victim == nil {
			t.Fatalf("ip lists %s, the package does not", before[0])
		}
		if err := c.DeleteNeighbor(ctx, *victim); err != nil {
			t.Fatalf("deleting %s (%+v) as listed: %v", before[0], *victim, err)
		}
		after := ours()
		arDiff(t, "after deleting "+before[0], after, slices.Clone(before[1:]))
		if t.Failed() {
			return
		}
		before = after
	}
	var oe *netlink.OpError
	if err := c.DeleteNeighbor(ctx, rtnetlink.Neighbor{IP: netip.MustParseAddr("198.18.0.9")}); !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Op != "check" {
		t.Errorf("deleting a cache entry of no link: %v, want a check error", err)
	}
	if err := c.DeleteNeighbor(ctx, rtnetlink.Neighbor{IP: netip.MustParseAddr("198.18.0.9"), Flags: rtnetlink.NeighProxy}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting a proxy entry twice: %v, want ENOENT", err)
	}
}

// TestNeighborKernelRefusals checks that flag combinations the kernel
// refuses come back as its errno and extended ACK message, naming the
// entry.
func TestNeighborKernelRefusals(t *testing.T) {
	_, c, v0, _ := arRouteNS(t, nil)
	ctx := context.Background()
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 0x50}
	for _, n := range []rtnetlink.Neighbor{
		{Index: v0, IP: netip.MustParseAddr("10.0.0.50"), Flags: rtnetlink.NeighProxy | rtnetlink.NeighManaged},
		{Index: v0, IP: netip.MustParseAddr("10.0.0.51"), HardwareAddr: mac, State: rtnetlink.NeighPermanent, Flags: rtnetlink.NeighManaged},
	} {
		err := c.AddNeighbor(ctx, n)
		var oe *netlink.OpError
		if !errors.Is(err, unix.EINVAL) || errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Message == "" || !strings.Contains(err.Error(), "neighbour "+n.IP.String()) {
			t.Errorf("AddNeighbor(%+v) = %v, want the kernel's EINVAL with its message, naming the entry", n, err)
		} else {
			t.Logf("%v", err)
		}
	}
}
