//go:build linux

package rtnetlink_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

// Some kernel tests run against two backends through backends: the
// kernel, in a network namespace of the test's, and rtnltest's fake
// kernel. TestX is then backends(t, testX), and testX gets its Conns and
// its links from the backend it is given. Without root the kernel's half
// skips and the fake's still runs. They are TestLinkErrors,
// TestLinkFilters, TestAddressErrors, TestRouteErrors, TestRouteFilters,
// TestNeighborErrors, TestNeighborFilters, TestRuleErrors,
// TestRuleSelectorsBackends and TestRouteRealmsEncapBackends.
//
// The others stay kernel-only, as the fake cannot show what they test:
//   - the oracle tests (TestCreateLinksMatchIP, TestReadIPLinks,
//     TestChangeLink, TestAddressesOracle, TestAddressFilters,
//     TestRoutesOracle, TestNeighborsOracle, TestFDBOracle, TestRulesOracle,
//     TestNextHopsOracle, the Mirror tests, the *AsListed tests,
//     TestGetRouteTable) compare with what ip and
//     bridge print, and ip runs on the kernel only; rtnltest's own
//     TestSameAsKernel compares the fake with the kernel instead;
//   - namespaces, PIDs, traffic counters, route lookups (TestGetRoute),
//     nexthop objects, FDB entries and link kinds the fake does not model;
//   - the small-buffer, overrun and Watch tests, which are about the
//     kernel's socket (nltest's own tests cover the Conn on the fake);
//   - the corpus writers, which record the kernel's bytes.

// backend is where a test runs: ns is set for the kernel, fake for rtnltest.
type backend struct {
	ns   *nstest.NS
	fake *rtnltest.Kernel
}

// backends runs test against the kernel and against the fake, as the
// subtests "kernel" and "rtnltest".
func backends(t *testing.T, test func(t *testing.T, b *backend)) {
	t.Run("kernel", func(t *testing.T) { test(t, &backend{ns: nstest.New(t)}) })
	t.Run("rtnltest", func(t *testing.T) { test(t, &backend{fake: rtnltest.New()}) })
}

// dial opens an rtnetlink Conn as rtnetlink.Dial does, closed when the
// test ends.
func (b *backend) dial(t testing.TB, cfg netlink.Config) *rtnetlink.Conn {
	t.Helper()
	if b.ns != nil {
		cfg.NetNS = b.ns.Path
		c, err := rtnetlink.Dial(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	c, err := b.fake.Dial(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialLoose opens a Conn without strict checking. The fake checks
// strictly whatever the Conn asked.
func (b *backend) dialLoose(t testing.TB) *rtnetlink.Conn {
	t.Helper()
	if b.fake != nil {
		return b.dial(t, netlink.Config{})
	}
	nl, err := netlink.Dial(0, &netlink.Config{NetNS: b.ns.Path}) // NETLINK_ROUTE
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	return rtnetlink.New(nl)
}

// setup changes the namespace: with ip on the kernel (lines of ip
// arguments, as nstest.NS.Batch takes them), with do on the fake, where c
// is a Conn to it.
func (b *backend) setup(t testing.TB, lines []string, do func(c *rtnetlink.Conn) error) {
	t.Helper()
	if b.ns != nil {
		b.ns.Batch(t, lines)
		return
	}
	if err := do(b.dial(t, netlink.Config{})); err != nil {
		t.Fatal(err)
	}
}

// arNS is the package's arNS on the backend: a veth pair v0/v1, both up,
// and a Conn made with cfg.
func (b *backend) arNS(t testing.TB, cfg *netlink.Config) (c *rtnetlink.Conn, v0, v1 int) {
	t.Helper()
	if b.ns != nil {
		var conf netlink.Config
		if cfg != nil {
			conf = *cfg
		}
		b.setup(t, []string{"link add v0 type veth peer name v1", "link set v0 up", "link set v1 up"}, nil)
		c = b.dial(t, conf)
		for i, n := range arLinkNames(t, b.ns) {
			switch n {
			case "v0":
				v0 = i
			case "v1":
				v1 = i
			}
		}
		return c, v0, v1
	}
	l, err := b.fake.AddLink(rtnetlink.Link{Name: "v0", Flags: rtnetlink.LinkUp, Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	var conf netlink.Config
	if cfg != nil {
		conf = *cfg
	}
	c = b.dial(t, conf)
	if err := c.SetLinkUp(context.Background(), l.ParentIndex); err != nil {
		t.Fatal(err)
	}
	return c, l.Index, l.ParentIndex
}

// arRouteNS is the package's arRouteNS on the backend: arNS with
// addresses of both families on v0 and v1.
func (b *backend) arRouteNS(t testing.TB, cfg *netlink.Config) (*rtnetlink.Conn, int, int) {
	t.Helper()
	c, v0, v1 := b.arNS(t, cfg)
	pfx := netip.MustParsePrefix
	b.setup(t, []string{
		"addr add 10.0.0.1/24 dev v0", "addr add 2001:db8::1/64 dev v0 nodad",
		"addr add 10.0.1.1/24 dev v1", "addr add 2001:db8:1::1/64 dev v1 nodad",
	}, func(*rtnetlink.Conn) error {
		for _, a := range []rtnetlink.Address{
			{Index: v0, Prefix: pfx("10.0.0.1/24")}, {Index: v0, Prefix: pfx("2001:db8::1/64"), Flags: rtnetlink.AddrNoDAD},
			{Index: v1, Prefix: pfx("10.0.1.1/24")}, {Index: v1, Prefix: pfx("2001:db8:1::1/64"), Flags: rtnetlink.AddrNoDAD},
		} {
			if err := c.AddAddress(context.Background(), a); err != nil {
				return err
			}
		}
		return nil
	})
	return c, v0, v1
}

// linkNames returns the names of the links by index.
func (b *backend) linkNames(t testing.TB) map[int]string {
	t.Helper()
	if b.ns != nil {
		return arLinkNames(t, b.ns)
	}
	names := make(map[int]string)
	for _, l := range b.fake.Links() {
		names[l.Index] = l.Name
	}
	return names
}
