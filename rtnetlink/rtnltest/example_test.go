package rtnltest_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

// setJumbo is the code under test: it sets a link's MTU to 9000.
func setJumbo(ctx context.Context, c *rtnetlink.Conn, name string) error {
	l, err := c.LinkByName(ctx, name)
	if err != nil {
		return err
	}
	if l.MTU == 9000 {
		return nil
	}
	return c.SetLinkMTU(ctx, l.Index, 9000)
}

// A test of setJumbo: a fake namespace with a veth pair, the function run
// on a Conn to it, and the link read back from the fake.
func ExampleNew() {
	k := rtnltest.New()
	k.AddLink(rtnetlink.Link{Name: "eth0", Data: &rtnetlink.Veth{PeerName: "eth1"}})
	c, _ := k.Dial(nil)
	defer c.Close()

	err := setJumbo(context.Background(), c, "eth0")
	l, _ := k.LinkByName("eth0")
	fmt.Println(err, l.MTU)
	err = setJumbo(context.Background(), c, "eth9")
	fmt.Println(errors.Is(err, syscall.ENODEV))
	// Output:
	// <nil> 9000
	// true
}
