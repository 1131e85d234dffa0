// Command veth creates a veth pair, sets both ends up and one end's MTU to
// 9000, adds 10.0.0.1/24 and a route to 10.1.0.0/16 via 10.0.0.2, then lists
// the links with their MTU and state and the routes, with rtnetlink. It does
// all of this in a network namespace of its own, which goes away when it
// exits, so the host is left as it was:
//
//	go run ./examples/veth
package main

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink/rtnetlink"
)

func main() {
	// A new network namespace for this thread, where the socket is made.
	if err := newNetNS(); err != nil {
		log.Fatalf("unshare (run as root): %v", err)
	}

	// The scenario: from here on, about 40 lines.
	ctx := context.Background()
	rt, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()
	v0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, index := range []int{v0.Index, v0.ParentIndex} { // a veth's parent is its peer
		if err := rt.SetLinkUp(ctx, index); err != nil {
			log.Fatal(err)
		}
	}
	if err := rt.SetLinkMTU(ctx, v0.Index, 9000); err != nil {
		log.Fatal(err)
	}
	err = rt.AddAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: netip.MustParsePrefix("10.0.0.1/24")})
	if err != nil {
		log.Fatal(err)
	}
	err = rt.AddRoute(ctx, rtnetlink.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gateway: netip.MustParseAddr("10.0.0.2")})
	if err != nil {
		log.Fatal(err)
	}
	names := map[int]string{}
	for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		names[l.Index] = l.Name
		fmt.Printf("%-4s mtu %-5d %v\n", l.Name, l.MTU, l.OperState)
	}
	for r, err := range rt.Routes(ctx, rtnetlink.RouteFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		gw := "-"
		if r.Gateway.IsValid() {
			gw = r.Gateway.String()
		}
		fmt.Printf("%-16v via %-9s dev %-3s table %d\n", r.Dst, gw, names[r.Index], r.Table)
	}
}
