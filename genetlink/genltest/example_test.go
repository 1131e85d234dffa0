//go:build linux

package genltest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ethtool"
	"github.com/nlkit/netlink/genetlink/genltest"
	"github.com/nlkit/netlink/genetlink/netdev"
	"github.com/nlkit/netlink/nltest"
)

// A family of the test's own, with one command that adds two numbers, is
// resolved by name and called as on the kernel; what it refuses comes back
// as the kernel's extended ACK would.
func Example() {
	const (
		cmdAdd  = 1
		attrA   = 1
		attrB   = 2
		attrSum = 3
	)
	k := genltest.New()
	err := k.Register(&genltest.Family{
		Name: "adder", Version: 1, MaxAttr: 3,
		Ops: []genltest.Op{{Command: cmdAdd, Do: func(req *genltest.Request) ([]genltest.Message, error) {
			var a, b uint32
			d := netlink.NewAttrDecoder(req.Attrs)
			for d.Next() {
				switch d.Type() {
				case attrA:
					a = d.Uint32()
				case attrB:
					b = d.Uint32()
				}
			}
			if err := d.Err(); err != nil {
				return nil, &nltest.Error{Errno: syscall.EINVAL, Message: err.Error()}
			}
			if a+b < a {
				return nil, &nltest.Error{Errno: syscall.ERANGE, Message: "sum overflows", Offset: req.Offset(attrB)}
			}
			var e netlink.AttrEncoder
			e.Uint32(attrSum, a+b)
			sum, err := e.Finish()
			return []genltest.Message{{Command: cmdAdd, Data: sum}}, err
		}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := k.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()
	f, err := c.Family(ctx, "adder")
	if err != nil {
		log.Fatal(err)
	}
	f.CommandNames = map[uint8]string{cmdAdd: "ADD"}
	add := func(a, b uint32) {
		var e netlink.AttrEncoder
		e.Uint32(attrA, a)
		e.Uint32(attrB, b)
		attrs, _ := e.Finish()
		msgs, err := c.Execute(ctx, &f, cmdAdd, attrs)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, m := range msgs {
			d := m.AttrDecoder(genetlink.HeaderLen)
			for d.Next() {
				fmt.Println("sum", d.Uint32())
			}
		}
	}
	fmt.Printf("family %s, ID %#x, ops %v\n", f.Name, f.ID, f.Ops)
	add(2, 3)
	add(1<<31, 1<<31)
	// Output:
	// family adder, ID 0x13, ops [{1 do}]
	// sum 5
	// netlink generic adder ADD: numerical result out of range: sum overflows (attribute 2 at offset 28)
}

// netdev's typed calls, answered by a handler registered on the fake: the
// test decides what the devices are.
func Example_netdev() {
	const (
		cmdDevGet       = 1 // NETDEV_CMD_DEV_GET
		attrIfindex     = 1 // NETDEV_A_DEV_IFINDEX
		attrXDPFeatures = 3 // NETDEV_A_DEV_XDP_FEATURES
	)
	features := map[uint32]netdev.XDPAct{1: 0, 2: netdev.XDPBasic | netdev.XDPRedirect}
	dev := func(index uint32) genltest.Message {
		var e netlink.AttrEncoder
		e.Uint32(attrIfindex, index)
		e.Uint64(attrXDPFeatures, uint64(features[index]))
		b, _ := e.Finish()
		return genltest.Message{Command: cmdDevGet, Data: b}
	}
	k := genltest.New()
	err := k.Register(&genltest.Family{
		Name: "netdev", Version: 1, Groups: []string{"mgmt", "page-pool"},
		Ops: []genltest.Op{{
			Command: cmdDevGet,
			Do: func(req *genltest.Request) ([]genltest.Message, error) {
				d := netlink.NewAttrDecoder(req.Attrs)
				for d.Next() {
					if d.Type() == attrIfindex {
						if index := d.Uint32(); features[index] != 0 || index == 1 {
							return []genltest.Message{dev(index)}, nil
						}
						return nil, &nltest.Error{Errno: syscall.ENODEV, Offset: req.Offset(attrIfindex)}
					}
				}
				return nil, &nltest.Error{Errno: syscall.EINVAL, Message: "missing attribute: .ifindex"}
			},
			Dump: func(*genltest.Request) ([]genltest.Message, error) {
				return []genltest.Message{dev(1), dev(2)}, nil
			},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	g, err := k.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	ctx := context.Background()
	c, err := netdev.New(ctx, g)
	if err != nil {
		log.Fatal(err)
	}
	d, err := c.Dev(ctx, 2)
	fmt.Println(d.Index, d.XDPFeatures, err)
	for d, err := range c.Devs(ctx) {
		fmt.Println("listed:", d.Index, d.XDPFeatures, err)
	}
	_, err = c.Dev(ctx, 7)
	fmt.Println(errors.Is(err, syscall.ENODEV), err)
	// Output:
	// 2 basic|redirect <nil>
	// listed: 1 0 <nil>
	// listed: 2 basic|redirect <nil>
	// true netlink generic netdev DEV_GET device 7: no such device (attribute 1 at offset 20)
}

// ethtool's typed call, answered by a handler that knows one device.
func Example_ethtool() {
	const (
		msgLinkInfoGet   = 2 // ETHTOOL_MSG_LINKINFO_GET, and ETHTOOL_MSG_LINKINFO_GET_REPLY
		attrHeader       = 1 // ETHTOOL_A_LINKINFO_HEADER
		attrPort         = 2 // ETHTOOL_A_LINKINFO_PORT
		attrHeaderIndex  = 1 // ETHTOOL_A_HEADER_DEV_INDEX
		attrHeaderName   = 2 // ETHTOOL_A_HEADER_DEV_NAME
		attrTransceiver  = 6 // ETHTOOL_A_LINKINFO_TRANSCEIVER
		portTP           = 0 // PORT_TP
		transceiverInner = 0 // XCVR_INTERNAL
	)
	linkInfo := func(req *genltest.Request) ([]genltest.Message, error) {
		var name string
		d := netlink.NewAttrDecoder(req.Attrs)
		for d.Next() {
			if d.Type() == attrHeader {
				outer := d.Enter()
				for d.Next() {
					if d.Type() == attrHeaderName {
						name = d.String()
					}
				}
				d.Exit(outer)
			}
		}
		if name != "eth0" {
			return nil, &nltest.Error{Errno: syscall.ENODEV, Message: "no device matches name", Offset: req.Offset(attrHeader)}
		}
		var e netlink.AttrEncoder
		h := e.Nest(attrHeader)
		e.Uint32(attrHeaderIndex, 2)
		e.String(attrHeaderName, name)
		e.End(h)
		e.Uint8(attrPort, portTP)
		e.Uint8(attrTransceiver, transceiverInner)
		b, err := e.Finish()
		return []genltest.Message{{Command: msgLinkInfoGet, Data: b}}, err
	}
	k := genltest.New()
	if err := k.Register(&genltest.Family{
		Name: "ethtool", Version: 1, Groups: []string{"monitor"},
		Ops: []genltest.Op{{Command: msgLinkInfoGet, Do: linkInfo}},
	}); err != nil {
		log.Fatal(err)
	}
	g, err := k.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	ctx := context.Background()
	c, err := ethtool.New(ctx, g)
	if err != nil {
		log.Fatal(err)
	}
	li, err := c.LinkInfo(ctx, "eth0")
	fmt.Println(li.Index, li.Name, li.Port, err)
	_, err = c.LinkInfo(ctx, "eth9")
	fmt.Println(err)
	_, err = c.LinkModes(ctx, "eth0")
	fmt.Println(err)
	// Output:
	// 2 eth0 Twisted Pair <nil>
	// netlink generic ethtool LINKINFO_GET link "eth9": no such device: no device matches name (attribute 1 at offset 20)
	// netlink generic ethtool LINKMODES_GET link "eth0": operation not supported
}

// Notifications reach the Conns that joined the group by name.
func ExampleFamily_Notify() {
	const cmdEvent = 1
	k := genltest.New()
	f := &genltest.Family{Name: "demo", Version: 1, Groups: []string{"events"}}
	if err := k.Register(f); err != nil {
		log.Fatal(err)
	}
	c, err := k.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()
	id, err := c.JoinGroup(ctx, "demo", "events")
	if err != nil {
		log.Fatal(err)
	}
	if err := f.Notify("events", genltest.Message{Command: cmdEvent}); err != nil {
		log.Fatal(err)
	}
	d, err := c.NL.ReceiveDatagram(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for m, err := range d.Messages() {
		h, _ := genetlink.ParseHeader(m.Data)
		fmt.Printf("group %d (joined %d): family %#x, command %d, %v\n", d.Group, id, uint16(m.Header.Type), h.Command, err)
	}
	// Output:
	// group 2 (joined 2): family 0x13, command 1, <nil>
}

// A family that goes away: requests to its ID fail with ENOENT, as after
// its module is unloaded, and looking it up again says it is gone.
func ExampleKernel_Unregister() {
	k := genltest.New()
	f := &genltest.Family{Name: "demo", Version: 1, Ops: []genltest.Op{{
		Command: 1, Do: func(*genltest.Request) ([]genltest.Message, error) { return nil, nil },
	}}}
	if err := k.Register(f); err != nil {
		log.Fatal(err)
	}
	c, err := k.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()
	fam, err := c.Family(ctx, "demo")
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(ctx, &fam, 1, nil)
	fmt.Println(err)
	if err := k.Unregister(f); err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(ctx, &fam, 1, nil)
	fmt.Println(err)
	_, err = c.Family(ctx, "demo")
	fmt.Println(err)
	// Output:
	// <nil>
	// netlink generic demo command 1: no such file or directory
	// netlink generic nlctrl GETFAMILY family "demo": no such file or directory
}
