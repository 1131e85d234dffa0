//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink/rtnetlink"
)

// Make eth0 a port of an 802.3ad bond, put VLAN 100 on the bond, and
// raise the bond's miimon: ip link add bond0 type bond mode 802.3ad
// miimon 100 xmit_hash_policy layer3+4; ip link set eth0 master bond0; ip
// link add link bond0 name bond0.100 type vlan id 100; ip link set bond0
// type bond miimon 200.
func ExampleConn_SetLinkData() {
	ctx := context.Background()
	rt, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	bond, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "bond0", Data: &rtnetlink.Bond{
		Mode: rtnetlink.Bond8023AD, MIIMon: 100, XmitHashPolicy: rtnetlink.BondXmitLayer34,
	}})
	if err != nil {
		log.Fatal(err) // "Unknown device type" without the bonding module
	}
	eth0, err := rt.LinkByName(ctx, "eth0")
	if err != nil {
		log.Fatal(err)
	}
	if err := rt.SetLinkMaster(ctx, eth0.Index, bond.Index); err != nil {
		log.Fatal(err)
	}
	vlan, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "bond0.100", ParentIndex: bond.Index, Data: &rtnetlink.Vlan{ID: 100}})
	if err != nil {
		log.Fatal(err)
	}
	// Only the fields set are sent: the mode, which a bond with ports
	// cannot change, is left alone.
	if err := rt.SetLinkData(ctx, bond.Index, &rtnetlink.Bond{MIIMon: 200}); err != nil {
		log.Fatal(err)
	}
	eth0, err = rt.Link(ctx, eth0.Index)
	if err != nil {
		log.Fatal(err)
	}
	port := eth0.Port.(*rtnetlink.BondPort)
	fmt.Println(vlan.Name, port.Status.MIIStatus, port.Status.AggregatorID)
}

// A GRE tunnel sends its whole configuration, as ip does: to change one,
// read it, change its Data, and send it back.
func ExampleGRE() {
	ctx := context.Background()
	rt, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	gre, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "gre1", Data: &rtnetlink.GRE{
		Local: netip.MustParseAddr("198.18.0.1"), Remote: netip.MustParseAddr("198.18.0.2"),
		IFlags: rtnetlink.GREKey, OFlags: rtnetlink.GREKey, IKey: 42, OKey: 42, TTL: 64,
	}})
	if err != nil {
		log.Fatal(err)
	}
	t := gre.Data.(*rtnetlink.GRE)
	t.Remote = netip.MustParseAddr("198.18.0.3")
	if err := rt.SetLinkData(ctx, gre.Index, t); err != nil {
		log.Fatal(err)
	}
}
