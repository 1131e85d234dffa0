//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"unicode"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// doubledWord returns the first word of s that comes twice in a row
// ("invalid invalid", "link link 3"), ignoring case and the punctuation
// around words, or "". Numbers and addresses are not words.
func doubledWord(s string) string {
	prev := ""
	for _, f := range strings.Fields(s) {
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if !strings.ContainsFunc(w, unicode.IsLetter) {
			prev = ""
			continue
		}
		if strings.EqualFold(w, prev) {
			return w
		}
		prev = w
	}
	return ""
}

func TestDoubledWord(t *testing.T) {
	for s, want := range map[string]string{
		`rtnetlink: add address: invalid prefix invalid Prefix: invalid argument`: "",
		`netlink route RTM_GETLINK link "nosuch0": no such device`:                "",
		`invalid argument: invalid argument`:                                      "",
		`netlink route RTM_NEWADDR: invalid argument: Invalid prefix`:             "",
		`rtnetlink: add address: invalid invalid prefix`:                          "invalid",
		`netlink route route 10.0.0.0/8: no such process`:                         "route",
		`link: link 3: file exists`:                                               "link",
		`link name "a/b" has a '/', ':', space or NUL`:                            "",
	} {
		if got := doubledWord(s); got != want {
			t.Errorf("doubledWord(%q) = %q, want %q", s, got, want)
		}
	}
}

// checkErrorText checks err's text against want, and that it has no
// doubled word and no word "invalid" twice (the mark of a check that wraps
// a check).
func checkErrorText(t *testing.T, name string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %q", name, want)
		return
	}
	s := err.Error()
	if s != want {
		t.Errorf("%s:\n got %s\nwant %s", name, s, want)
	}
	if w := doubledWord(s); w != "" {
		t.Errorf("%s: %q doubles %q", name, s, w)
	}
	if strings.Count(strings.ToLower(s), "invalid") > 1 {
		t.Errorf("%s: %q says invalid twice", name, s)
	}
}

// checksOnly returns a Conn on a fake kernel that fails the test if it
// gets a request, for calls that must be refused before sending.
func checksOnly(t *testing.T) *rtnetlink.Conn {
	t.Helper()
	k := nltest.New(unix.NETLINK_ROUTE, func(req netlink.Message) ([]netlink.Message, error) {
		t.Errorf("request sent: %v", req.Header)
		return nil, nil
	})
	nl, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	return rtnetlink.New(nl)
}

// TestCheckErrorStrings runs typed calls with arguments that cannot be
// right on a fake kernel that fails the test if it gets a request: each is
// refused before sending, as a check's *netlink.OpError whose cause is
// both unix.EINVAL and os.ErrInvalid, with a clear text that names the
// object as the kernel's refusals do.
func TestCheckErrorStrings(t *testing.T) {
	rt := checksOnly(t)
	ctx := context.Background()
	p := netip.MustParsePrefix
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"LinkByName empty", func() error { _, err := rt.LinkByName(ctx, ""); return err },
			`netlink route RTM_GETLINK link "": invalid argument: link name is empty`},
		{"LinkByName too long", func() error { _, err := rt.LinkByName(ctx, "a-name-far-too-long"); return err },
			`netlink route RTM_GETLINK link "a-name-far-too-long": invalid argument: link name "a-name-far-too-long" is 19 bytes, longer than 15`},
		{"Link 0", func() error { _, err := rt.Link(ctx, 0); return err },
			`netlink route RTM_GETLINK link 0: invalid argument: link index 0 is out of range`},
		{"SetLinkMTU -1", func() error { return rt.SetLinkMTU(ctx, -1, 1500) },
			`netlink route RTM_SETLINK link -1: invalid argument: link index -1 is out of range`},
		{"SetLinkName slash", func() error { return rt.SetLinkName(ctx, 3, "a/b") },
			`netlink route RTM_SETLINK link 3: invalid argument: link name "a/b" has a '/', ':', space or NUL`},
		{"SetLinkHardwareAddr empty", func() error { return rt.SetLinkHardwareAddr(ctx, 3, nil) },
			`netlink route RTM_SETLINK link 3: invalid argument: empty hardware address`},
		{"CreateLink no kind", func() error { _, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "x0"}); return err },
			`netlink route RTM_NEWLINK link "x0": invalid argument: no kind (set Kind or Data)`},
		{"AddAddress invalid prefix", func() error { return rt.AddAddress(ctx, rtnetlink.Address{Index: 3}) },
			`netlink route RTM_NEWADDR address on link 3: invalid argument: Prefix is zero or not valid`},
		{"AddAddress no link", func() error { return rt.AddAddress(ctx, rtnetlink.Address{Prefix: p("198.18.0.1/24")}) },
			`netlink route RTM_NEWADDR address 198.18.0.1/24 on link 0: invalid argument: link index 0 is out of range`},
		{"DeleteAddress IPv4-mapped", func() error {
			return rt.DeleteAddress(ctx, rtnetlink.Address{Index: 3, Prefix: p("::ffff:198.18.0.1/120")})
		}, `netlink route RTM_DELADDR address ::ffff:198.18.0.1/120 on link 3: invalid argument: prefix ::ffff:198.18.0.1/120 is an IPv4-mapped IPv6 address; use the IPv4 form`},
		{"AddRoute invalid destination", func() error { return rt.AddRoute(ctx, rtnetlink.Route{}) },
			`netlink route RTM_NEWROUTE route: invalid argument: Dst is zero or not valid (use 0.0.0.0/0 or ::/0 for a default route)`},
		{"AddRoute bits past the length", func() error { return rt.AddRoute(ctx, rtnetlink.Route{Dst: p("198.18.1.1/24")}) },
			`netlink route RTM_NEWROUTE route 198.18.1.1/24: invalid argument: destination 198.18.1.1/24 has bits set past its prefix length (did you mean 198.18.1.0/24?)`},
		{"GetRoute zero", func() error { _, err := rt.GetRoute(ctx, rtnetlink.RouteQuery{}); return err },
			`netlink route RTM_GETROUTE route lookup: invalid argument: Dst is not set, or is an IPv4-mapped IPv6 address, or has a zone`},
		{"AddNeighbor no address", func() error { return rt.AddNeighbor(ctx, rtnetlink.Neighbor{Index: 3}) },
			`netlink route RTM_NEWNEIGH neighbour on link 3: invalid argument: no neighbour address`},
		{"GetNeighbor link 0", func() error {
			_, err := rt.GetNeighbor(ctx, 0, netip.MustParseAddr("198.18.0.2"))
			return err
		}, `netlink route RTM_GETNEIGH neighbour 198.18.0.2 on link 0: invalid argument: link index 0 is out of range`},
		{"AddFDBEntry no address", func() error { return rt.AddFDBEntry(ctx, rtnetlink.FDBEntry{Index: 3}) },
			`netlink route RTM_NEWNEIGH FDB entry on link 3: invalid argument: no hardware address`},
		{"DeleteNextHopObject 0", func() error { return rt.DeleteNextHopObject(ctx, 0) },
			`netlink route RTM_DELNEXTHOP nexthop 0: invalid argument: the nexthop id is 0`},
		{"AddRule family", func() error { return rt.AddRule(ctx, rtnetlink.Rule{Family: 99, Table: 100}) },
			`netlink route RTM_NEWRULE rule table 100: invalid argument: family 99 is neither AF_INET nor AF_INET6`},
	} {
		err := tc.call()
		checkErrorText(t, tc.name, err, tc.want)
		var oe *netlink.OpError
		if !errors.Is(err, unix.EINVAL) || !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Op != "check" || oe.Object == "" {
			t.Errorf("%s: %v is not a check's *OpError naming its object and matching EINVAL and os.ErrInvalid", tc.name, err)
		}
	}
}

// TestKernelErrorStrings checks the text of the kernel's refusals of typed
// calls: the request, the object, the errno and the kernel's message; and
// that errors.Is finds the errno and errors.As the *netlink.OpError.
func TestKernelErrorStrings(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	v0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkUp(ctx, v0.Index); err != nil {
		t.Fatal(err)
	}
	a := rtnetlink.Address{Index: v0.Index, Prefix: netip.MustParsePrefix("198.18.0.1/24")}
	if err := rt.AddAddress(ctx, a); err != nil {
		t.Fatal(err)
	}
	n := v0.Index
	p := netip.MustParsePrefix
	ip := netip.MustParseAddr
	// What older kernels say instead: before 6.2 a link that is up
	// cannot be renamed at all, so taking a name in use is busy before
	// it exists; before 6.6 IPv4 addresses had no extended messages.
	renameErrno, renameErr := unix.EEXIST, "file exists"
	if !kernelAtLeast(t, 6, 2) {
		renameErrno, renameErr = unix.EBUSY, "device or resource busy"
	}
	addrMsg := func(s string) string {
		if !kernelAtLeast(t, 6, 6) {
			return ""
		}
		return ": ipv4: " + s
	}
	for _, tc := range []struct {
		name  string
		call  func() error
		errno syscall.Errno
		want  string
	}{
		{"LinkByName", func() error { _, err := rt.LinkByName(ctx, "nosuch0"); return err }, unix.ENODEV,
			`netlink route RTM_GETLINK link "nosuch0": no such device`},
		{"Link", func() error { _, err := rt.Link(ctx, 9999); return err }, unix.ENODEV,
			`netlink route RTM_GETLINK link 9999: no such device`},
		{"CreateLink", func() error {
			_, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v2"}})
			return err
		}, unix.EEXIST, `netlink route RTM_NEWLINK link "v0": file exists`},
		{"DeleteLink", func() error { return rt.DeleteLink(ctx, 9999) }, unix.ENODEV,
			`netlink route RTM_DELLINK link 9999: no such device`},
		{"SetLinkMTU", func() error { return rt.SetLinkMTU(ctx, n, 10) }, unix.EINVAL,
			fmt.Sprintf(`netlink route RTM_SETLINK link %d: invalid argument: mtu less than device minimum`, n)},
		{"SetLinkName", func() error { return rt.SetLinkName(ctx, n, "lo") }, renameErrno,
			fmt.Sprintf(`netlink route RTM_SETLINK link %d: %s`, n, renameErr)},
		{"SetLinkHardwareAddr", func() error { return rt.SetLinkHardwareAddr(ctx, 9999, net.HardwareAddr{2, 0, 0, 0, 0, 1}) }, unix.ENODEV,
			`netlink route RTM_SETLINK link 9999: no such device`},
		{"AddAddress", func() error { return rt.AddAddress(ctx, a) }, unix.EEXIST,
			fmt.Sprintf(`netlink route RTM_NEWADDR address 198.18.0.1/24 on link %d: file exists%s`, n, addrMsg("Address already assigned"))},
		{"DeleteAddress", func() error {
			return rt.DeleteAddress(ctx, rtnetlink.Address{Index: n, Prefix: p("198.18.0.9/24")})
		}, unix.EADDRNOTAVAIL, fmt.Sprintf(`netlink route RTM_DELADDR address 198.18.0.9/24 on link %d: cannot assign requested address%s`, n, addrMsg("Address not found"))},
		{"AddRoute", func() error {
			return rt.AddRoute(ctx, rtnetlink.Route{Dst: p("198.18.1.0/24"), Table: 100, Gateway: ip("198.19.0.1")})
		}, unix.ENETUNREACH, `netlink route RTM_NEWROUTE route 198.18.1.0/24 table 100: network is unreachable: Nexthop has invalid gateway`},
		{"DeleteRoute", func() error { return rt.DeleteRoute(ctx, rtnetlink.Route{Dst: p("198.18.1.0/24")}) }, unix.ESRCH,
			`netlink route RTM_DELROUTE route 198.18.1.0/24: no such process`},
		{"GetRoute", func() error { _, err := rt.GetRoute(ctx, rtnetlink.RouteQuery{Dst: ip("2001:db8::1")}); return err }, unix.ENETUNREACH,
			`netlink route RTM_GETROUTE route to 2001:db8::1: network is unreachable`},
		{"GetNeighbor", func() error { _, err := rt.GetNeighbor(ctx, n, ip("198.18.0.9")); return err }, unix.ENOENT,
			fmt.Sprintf(`netlink route RTM_GETNEIGH neighbour 198.18.0.9 on link %d: no such file or directory: Neighbour entry not found`, n)},
		{"DeleteNeighbor", func() error {
			return rt.DeleteNeighbor(ctx, rtnetlink.Neighbor{Index: n, IP: ip("198.18.0.9")})
		}, unix.ENOENT, fmt.Sprintf(`netlink route RTM_DELNEIGH neighbour 198.18.0.9 on link %d: no such file or directory`, n)},
		{"NextHopObject", func() error { _, err := rt.NextHopObject(ctx, 77); return err }, unix.ENOENT,
			`netlink route RTM_GETNEXTHOP nexthop 77: no such file or directory`},
		{"DeleteNextHopObject", func() error { return rt.DeleteNextHopObject(ctx, 77) }, unix.ENOENT,
			`netlink route RTM_DELNEXTHOP nexthop 77: no such file or directory`},
		{"Addresses", func() error {
			for _, err := range rt.Addresses(ctx, rtnetlink.AddressFilter{Index: 9999}) {
				return err
			}
			return nil
		}, unix.ENODEV, `netlink route RTM_GETADDR link 9999: no such device`},
		{"Routes", func() error {
			for _, err := range rt.Routes(ctx, rtnetlink.RouteFilter{Index: 9999}) {
				return err
			}
			return nil
		}, unix.ENODEV, `netlink route RTM_GETROUTE link 9999: no such device`},
		{"DeleteRule", func() error {
			return rt.DeleteRule(ctx, rtnetlink.Rule{Family: unix.AF_INET, Priority: 5000, Table: 100})
		}, unix.ENOENT, `netlink route RTM_DELRULE rule priority 5000 table 100: no such file or directory`},
	} {
		err := tc.call()
		checkErrorText(t, tc.name, err, tc.want)
		var oe *netlink.OpError
		if !errors.Is(err, tc.errno) || !errors.As(err, &oe) || oe.Object == "" {
			t.Errorf("%s: %v does not wrap %v, or is not an *OpError naming its object", tc.name, err, tc.errno)
		}
	}
}

// TestFakeKernelErrorNamesObject runs LinkByName and AddAddress against a
// fake kernel that refuses everything, so that the object in the kernel's
// refusals is tested without root.
func TestFakeKernelErrorNamesObject(t *testing.T) {
	k := nltest.New(unix.NETLINK_ROUTE, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type == unix.RTM_NEWADDR {
			return nil, &nltest.Error{Errno: unix.EEXIST, Message: "ipv4: Address already assigned"}
		}
		return nil, unix.ENODEV
	})
	nl, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	rt := rtnetlink.New(nl)
	ctx := context.Background()
	_, err = rt.LinkByName(ctx, "nosuch0")
	checkErrorText(t, "LinkByName", err, `netlink route RTM_GETLINK link "nosuch0": no such device`)
	if !errors.Is(err, unix.ENODEV) {
		t.Errorf("LinkByName: %v does not wrap ENODEV", err)
	}
	err = rt.AddAddress(ctx, rtnetlink.Address{Index: 3, Prefix: netip.MustParsePrefix("198.18.0.1/24")})
	checkErrorText(t, "AddAddress", err, `netlink route RTM_NEWADDR address 198.18.0.1/24 on link 3: file exists: ipv4: Address already assigned`)
	if !errors.Is(err, unix.EEXIST) {
		t.Errorf("AddAddress: %v does not wrap EEXIST", err)
	}
}

// TestCheckErrorNamesObject refuses, before sending, one bad value of
// each kind of object, and checks that the error names the object as the
// kernel's refusal of the same request would: by its name, index,
// prefix, address, id or label.
func TestCheckErrorNamesObject(t *testing.T) {
	rt := checksOnly(t)
	ctx := context.Background()
	p := netip.MustParsePrefix
	ip := netip.MustParseAddr
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for _, tc := range []struct {
		kind   string
		call   func() error
		object string
	}{
		{"link", func() error {
			_, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "d0", Kind: "dummy", Alias: "a"})
			return err
		}, `link "d0"`},
		{"link by index", func() error { return rt.SetLinkMaster(ctx, 3, -1) }, "link 3"},
		{"address", func() error {
			return rt.AddAddress(ctx, rtnetlink.Address{Index: 3, Prefix: p("::ffff:198.18.0.1/120")})
		}, "address ::ffff:198.18.0.1/120 on link 3"},
		{"route", func() error {
			return rt.AddRoute(ctx, rtnetlink.Route{Dst: p("198.18.1.1/24"), Table: 100})
		}, "route 198.18.1.1/24 table 100"},
		{"rule", func() error {
			return rt.AddRule(ctx, rtnetlink.Rule{Family: 99, Priority: 100, Table: 200})
		}, "rule priority 100 table 200"},
		{"neighbour", func() error {
			return rt.AddNeighbor(ctx, rtnetlink.Neighbor{Index: 3, IP: ip("::ffff:198.18.0.2")})
		}, "neighbour ::ffff:198.18.0.2 on link 3"},
		{"FDB entry", func() error {
			return rt.AddFDBEntry(ctx, rtnetlink.FDBEntry{Index: 3, HardwareAddr: mac, VLAN: 5000})
		}, "FDB entry 02:00:00:00:00:01 on link 3"},
		{"nexthop object", func() error {
			_, err := rt.AddNextHopObject(ctx, rtnetlink.NextHopObject{ID: 5, Index: -1})
			return err
		}, "nexthop 5"},
		{"new nexthop object", func() error {
			_, err := rt.AddNextHopObject(ctx, rtnetlink.NextHopObject{Index: -1})
			return err
		}, "new nexthop"},
		{"MPLS route", func() error { return rt.AddMPLSRoute(ctx, rtnetlink.MPLSRoute{Label: 1 << 20}) },
			"MPLS route 1048576"},
		{"link altname", func() error { _, err := rt.LinkByAltName(ctx, "a/b"); return err }, `link altname "a/b"`},
		{"dump of a link's routes", func() error {
			for _, err := range rt.Routes(ctx, rtnetlink.RouteFilter{Index: -1}) {
				return err
			}
			return nil
		}, "link -1"},
		{"dump of a link's addresses", func() error {
			for _, err := range rt.Addresses(ctx, rtnetlink.AddressFilter{Index: -1}) {
				return err
			}
			return nil
		}, "link -1"},
		{"dump of a link's neighbours", func() error {
			for _, err := range rt.Neighbors(ctx, rtnetlink.NeighborFilter{Index: -1}) {
				return err
			}
			return nil
		}, "link -1"},
	} {
		err := tc.call()
		var oe *netlink.OpError
		switch {
		case err == nil:
			t.Errorf("%s: no error", tc.kind)
		case !errors.As(err, &oe) || oe.Op != "check" || !errors.Is(err, os.ErrInvalid):
			t.Errorf("%s: %v is not a check's *OpError matching os.ErrInvalid", tc.kind, err)
		case oe.Object != tc.object:
			t.Errorf("%s: %v names %q, want %q", tc.kind, err, oe.Object, tc.object)
		case !strings.Contains(err.Error(), " "+tc.object+": "):
			t.Errorf("%s: %q does not say %q", tc.kind, err, tc.object)
		}
	}
}
