//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"

	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// List the IPv4 neighbour cache, as ip -4 neigh show does.
func ExampleConn_Neighbors() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for n, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{Family: unix.AF_INET}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%v dev %d lladdr %v %v\n", n.IP, n.Index, n.HardwareAddr, n.State) // 10.0.0.2 dev 2 lladdr 02:00:00:00:00:02 REACHABLE
	}
}

// Pin a gateway's MAC address in the cache, as ip neigh replace 10.0.0.1
// lladdr 02:00:00:00:00:01 dev eth0 nud permanent does.
func ExampleConn_ReplaceNeighbor() {
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
	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	err = c.ReplaceNeighbor(ctx, rtnetlink.Neighbor{
		Index:        link.Index,
		IP:           netip.MustParseAddr("10.0.0.1"),
		HardwareAddr: mac,
		State:        rtnetlink.NeighPermanent,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// List the policy routing rules of both families, as ip rule show and ip
// -6 rule show do.
func ExampleConn_Rules() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d: from %v %v %d\n", r.Priority, r.Src, r.Action, r.Table) // 32766: from invalid Prefix lookup 254
	}
}

// Send the packets marked 0x1 to table 100, and route them there through
// a gateway, as ip rule add fwmark 0x1 table 100 pref 1000 and ip route
// add default via 10.0.0.254 table 100 do.
func ExampleConn_AddRule() {
	ctx := context.Background()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.AddRule(ctx, rtnetlink.Rule{Family: unix.AF_INET, Priority: 1000, Mark: 0x1, Table: 100})
	if err != nil {
		log.Fatal(err)
	}
	err = c.AddRoute(ctx, rtnetlink.Route{
		Dst:     netip.MustParsePrefix("0.0.0.0/0"),
		Gateway: netip.MustParseAddr("10.0.0.254"),
		Table:   100,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Route through a group of two nexthop objects, weighted 2 to 1, as ip
// nexthop add and ip route add ... nhid do.
func ExampleConn_AddNextHopObject() {
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
	for i, gw := range []string{"10.0.0.1", "10.0.0.2"} {
		nh := rtnetlink.NextHopObject{ID: uint32(i + 1), Gateway: netip.MustParseAddr(gw), Index: link.Index}
		if _, err := c.AddNextHopObject(ctx, nh); err != nil {
			log.Fatal(err)
		}
	}
	group, err := c.AddNextHopObject(ctx, rtnetlink.NextHopObject{Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 2}, {ID: 2}}})
	if err != nil {
		log.Fatal(err)
	}
	err = c.AddRoute(ctx, rtnetlink.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), NextHopID: group})
	if err != nil {
		log.Fatal(err)
	}
}
