//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink/rtnetlink"
)

// Like the root package's examples that talk to the kernel, these are
// compiled by go test but not run; each needs root (CAP_NET_ADMIN).

// Create a veth pair, set both ends up with an MTU of 9000 on one end, add
// 10.0.0.1/24 and a route to 10.1.0.0/16 via 10.0.0.2, and list the links
// with their MTU and operational state. examples/veth does the same in a
// namespace of its own.
func Example_vethPair() {
	ctx := context.Background()
	rt, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	v0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		log.Fatal(err) // e.g. netlink route RTM_NEWLINK link "v0": file exists
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
	for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.Name, l.MTU, l.OperState) // v0 9000 UP
	}
}

// List the ports of a bridge: the kernel filters the dump.
func ExampleConn_Links() {
	ctx := context.Background()
	rt, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	br, err := rt.LinkByName(ctx, "br0")
	if err != nil {
		log.Fatal(err) // ENODEV: no such link
	}
	for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{MasterIndex: br.Index}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.Name, l.Kind, l.Flags)
	}
}
