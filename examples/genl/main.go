// Command genl lists the generic netlink families the kernel offers, with
// their IDs, commands and multicast groups, like `genl ctrl list`:
//
//	go run ./examples/genl
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/nlkit/netlink/genetlink"
)

func main() {
	c, err := genetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for f, err := range c.Families(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: ID %#x, version %d, header size %d, max attribute %d\n", f.Name, f.ID, f.Version, f.HeaderSize, f.MaxAttr)
		for _, op := range f.Ops {
			fmt.Printf("\tcommand %d: %v\n", op.Command, op.Flags)
		}
		for _, g := range f.Groups {
			fmt.Printf("\tgroup %s: %#x\n", g.Name, g.ID)
		}
	}
}
