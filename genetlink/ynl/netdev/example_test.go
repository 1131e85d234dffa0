package netdev_test

import (
	"context"
	"fmt"

	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl/netdev"
)

// List the network devices with their XDP features, as the generated
// client's dump of dev-get yields them.
func Example() {
	g, err := genetlink.Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	ctx := context.Background()
	c, err := netdev.New(ctx, g)
	if err != nil {
		fmt.Println(err)
		return
	}
	for d, err := range c.DevGetDump(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(d.Ifindex.V, d.XDPFeatures.V)
	}
}
