package rtnetlink_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

// Change a bridge port's settings by reading them, changing what is
// needed and sending them back, then give the port a long alternative
// name and find it by that name. The example runs on rtnltest's fake
// kernel; rtnetlink.Dial(nil) gives a Conn on the real one.
func ExampleConn_SetLinkPort() {
	ctx := context.Background()
	rt, err := rtnltest.New().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()
	br, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "br0", Kind: "bridge"})
	if err != nil {
		log.Fatal(err)
	}
	v0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", MasterIndex: br.Index, Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		log.Fatal(err)
	}
	port := v0.Port.(*rtnetlink.BridgePort) // all the port's settings, as the kernel has them
	port.Cost, port.Learning, port.Isolated = 10, false, true
	if err := rt.SetLinkPort(ctx, v0.Index, port); err != nil {
		log.Fatal(err)
	}
	if err := rt.AddLinkAltName(ctx, v0.Index, "uplink-to-the-lab-switch"); err != nil {
		log.Fatal(err)
	}
	l, err := rt.LinkByAltName(ctx, "uplink-to-the-lab-switch")
	if err != nil {
		log.Fatal(err)
	}
	p := l.Port.(*rtnetlink.BridgePort)
	fmt.Println(l.Name, l.AltNames, p.Cost, p.Learning, p.Isolated, p.State)
	// Output: v0 [uplink-to-the-lab-switch] 10 false true disabled
}
