package nflog_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/nflog"
)

// Read the packets an nftables rule logs to group 5
// (`log prefix "dropped" group 5`), 128 bytes of each.
func Example() {
	ctx := context.Background()
	c, err := nflog.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if err := c.Bind(ctx, 5, nflog.Config{Mode: nflog.CopyPacket, Range: 128}); err != nil {
		log.Fatal(err) // EPERM: another socket has the group
	}
	for p, err := range c.Packets(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			log.Print("packets lost")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Prefix, p.Hook, p.InDev, p.Mark, len(p.Payload))
	}
}
