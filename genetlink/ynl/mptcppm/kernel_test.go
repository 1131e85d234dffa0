//go:build linux

package mptcppm

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/internal/nstest"
)

// MPTCP_PM_ADDR_FLAG_* from <linux/mptcp.h>: the spec's address flags
// attribute has no enum.
const (
	flagSignal  = 1 << 0
	flagSubflow = 1 << 1
)

// endpoint is an entry of `ip -j mptcp endpoint show`.
type endpoint struct {
	Address string
	ID      uint8
	Signal  bool
	Subflow bool
}

func be(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// toEndpoint is what ip prints for an address the kernel sent.
func toEndpoint(a Address) endpoint {
	ep := endpoint{ID: a.ID.V, Signal: a.Flags.V&flagSignal != 0, Subflow: a.Flags.V&flagSubflow != 0}
	switch {
	case a.Addr4.Set:
		ep.Address = ynl.IPv4(a.Addr4.V).String()
	case a.Addr6 != nil:
		ep.Address = netip.AddrFrom16([16]byte(a.Addr6)).String()
	}
	return ep
}

// TestEndpointsAndLimitsMatchIP adds an endpoint and ip adds another; the
// dump, a do and `ip -j mptcp endpoint show` all list the same two. Then
// the same both ways for the limits.
func TestEndpointsAndLimitsMatchIP(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("198.18.0.1")
	if err := c.AddAddr(ctx, &Endpoint{Addr: ynl.Some(Address{
		Family: ynl.Some[uint16](2), ID: ynl.Some[uint8](1), Addr4: ynl.Some(be(a)), Flags: ynl.Some[uint32](flagSignal),
	})}); err != nil {
		t.Fatal(err)
	}
	ns.Run(t, "mptcp", "endpoint", "add", "2001:db8::1", "id", "2", "subflow")

	var want []endpoint
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "mptcp", "endpoint", "show")), &want); err != nil {
		t.Fatal(err)
	}
	var got []endpoint
	for at, err := range c.GetAddrDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, toEndpoint(at.Addr.V))
	}
	if len(want) != 2 || !slices.Equal(got, want) {
		t.Errorf("dump %+v, ip %+v", got, want)
	}
	one, err := c.GetAddr(ctx, &Attr{Addr: ynl.Some(Address{ID: ynl.Some[uint8](2)})})
	if err != nil {
		t.Fatal(err)
	}
	if ep := toEndpoint(one.Addr.V); ep != (endpoint{Address: "2001:db8::1", ID: 2, Subflow: true}) {
		t.Errorf("endpoint 2: %+v", ep)
	}
	if err := c.DelAddr(ctx, &Endpoint{Addr: ynl.Some(Address{ID: ynl.Some[uint8](1)})}); err != nil {
		t.Fatal(err)
	}
	if out := ns.Run(t, "mptcp", "endpoint", "show"); strings.Contains(out, "198.18.0.1") {
		t.Errorf("after DelAddr, ip shows %q", out)
	}

	// Limits: set here, read by ip; set by ip, read here.
	if err := c.SetLimits(ctx, &Attr{Subflows: ynl.Some[uint32](3), RcvAddAddrs: ynl.Some[uint32](2)}); err != nil {
		t.Fatal(err)
	}
	if out := strings.TrimSpace(ns.Run(t, "mptcp", "limits", "show")); out != "add_addr_accepted 2 subflows 3" {
		t.Errorf("after SetLimits, ip says %q", out)
	}
	ns.Run(t, "mptcp", "limits", "set", "subflows", "1", "add_addr_accepted", "4")
	l, err := c.GetLimits(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Subflows != ynl.Some[uint32](1) || l.RcvAddAddrs != ynl.Some[uint32](4) {
		t.Errorf("after ip mptcp limits set: subflows %v, add_addr_accepted %v", l.Subflows, l.RcvAddAddrs)
	}
}
