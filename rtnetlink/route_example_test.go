//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// The examples are compiled by go test but not run: they change the
// machine's routes, or print what differs from machine to machine.

// List every IPv4 and IPv6 route of every table, as ip route show table
// all does.
func ExampleConn_Routes() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	names := map[int]string{}
	for l, err := range c.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		names[l.Index] = l.Name
	}
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-20v via %-16v dev %-8s table %d\n", r.Dst, r.Gateway, names[r.Index], r.Table)
	}
}

// Put 10.0.0.1/24 on a link, route 10.1.0.0/16 through 10.0.0.2 on it,
// and ask the kernel which way a packet to 10.1.2.3 goes.
func ExampleConn_AddRoute() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	link, err := c.LinkByName(ctx, "eth0")
	if err != nil {
		log.Fatal(err)
	}
	err = c.AddAddress(ctx, rtnetlink.Address{Index: link.Index, Prefix: netip.MustParsePrefix("10.0.0.1/24")})
	if err != nil {
		log.Fatal(err) // such as "netlink route RTM_NEWADDR address 10.0.0.1/24 on link 2: file exists: ipv4: Address already assigned"
	}
	err = c.AddRoute(ctx, rtnetlink.Route{
		Dst:     netip.MustParsePrefix("10.1.0.0/16"),
		Gateway: netip.MustParseAddr("10.0.0.2"),
	})
	if err != nil {
		log.Fatal(err)
	}
	r, err := c.GetRoute(ctx, rtnetlink.RouteQuery{Dst: netip.MustParseAddr("10.1.2.3")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Gateway, r.Index == link.Index, r.PrefSrc) // 10.0.0.2 true 10.0.0.1
}

// List the IPv6 addresses of one link with their lifetimes.
func ExampleConn_Addresses() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	link, err := c.LinkByName(ctx, "eth0")
	if err != nil {
		log.Fatal(err)
	}
	for a, err := range c.Addresses(ctx, rtnetlink.AddressFilter{Family: unix.AF_INET6, Index: link.Index}) {
		if err != nil {
			log.Fatal(err)
		}
		valid := "forever"
		if a.ValidLifetime != rtnetlink.Forever {
			valid = fmt.Sprint(a.ValidLifetime, "s")
		}
		fmt.Println(a.Prefix, a.Scope, a.Flags, "valid", valid)
	}
}

// Spread traffic to 10.2.0.0/16 over two gateways, two parts to one for
// one part to the other, with a path MTU of 1400.
func ExampleConn_ReplaceRoute() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.ReplaceRoute(ctx, rtnetlink.Route{
		Dst: netip.MustParsePrefix("10.2.0.0/16"),
		MultiPath: []rtnetlink.NextHop{
			{Gateway: netip.MustParseAddr("10.0.0.2"), Weight: 2},
			{Gateway: netip.MustParseAddr("10.0.0.3"), Weight: 1},
		},
		Metrics: rtnetlink.Metrics{MTU: 1400},
	})
	if err != nil {
		log.Fatal(err)
	}
}
