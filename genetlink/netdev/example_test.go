//go:build linux

package netdev_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/netdev"
)

// List the network devices and the XDP features of each, as `ynl --family
// netdev --dump dev-get` does: resolve the netdev family by name through
// nlctrl, then dump NETDEV_CMD_DEV_GET. Compiled by go test but not run.
func Example() {
	ctx := context.Background()
	g, err := genetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	nd, err := netdev.New(ctx, g) // looks the family up: one round trip
	if err != nil {
		log.Fatal(err) // netlink generic nlctrl GETFAMILY family "netdev": no such file or directory
	}
	for d, err := range nd.Devs(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Index, d.XDPFeatures) // 1 0, ...
	}
}
