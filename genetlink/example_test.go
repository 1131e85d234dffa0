//go:build linux

package genetlink_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// Resolve a family by name, then make one request of it: ask the netdev
// family about the loopback device (NETDEV_CMD_DEV_GET with
// NETDEV_A_DEV_IFINDEX 1) and decode the reply's attributes. The Family
// value is kept for later requests: genetlink caches nothing.
//
// (No output is checked: the example would run in the test's own network
// namespace, which the tests never touch.)
func Example() {
	ctx := context.Background()
	c, err := genetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	f, err := c.Family(ctx, "netdev")
	if err != nil {
		log.Fatal(err) // errors.Is(err, unix.ENOENT): no such family
	}
	const (
		cmdDevGet       = 1 // NETDEV_CMD_DEV_GET
		attrIfindex     = 1 // NETDEV_A_DEV_IFINDEX
		attrXDPFeatures = 3 // NETDEV_A_DEV_XDP_FEATURES
	)
	var e netlink.AttrEncoder
	e.Uint32(attrIfindex, 1)
	attrs, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	msgs, err := c.Execute(ctx, &f, cmdDevGet, attrs)
	if err != nil {
		log.Fatal(err) // "netlink generic netdev command 1: ..."
	}
	for _, m := range msgs {
		var ifindex uint32
		var xdp uint64
		d := m.AttrDecoder(genetlink.HeaderLen + int(f.HeaderSize))
		for d.Next() {
			switch d.Type() {
			case attrIfindex:
				ifindex = d.Uint32()
			case attrXDPFeatures:
				xdp = d.Uint64()
			}
		}
		if err := d.Err(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("family %s (ID %d): device %d, XDP features %#x\n", f.Name, f.ID, ifindex, xdp)
	}
}
