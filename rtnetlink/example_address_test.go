//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink/rtnetlink"
)

// Add an address to a link and read the link's addresses back, as
// `ip address add 198.18.0.1/24 dev lo` and `ip address show dev lo` do.
// The README's first example. Compiled by go test but not run: it needs
// root, and would change the host.
func Example_addAddress() {
	ctx := context.Background()
	rt, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	lo, err := rt.LinkByName(ctx, "lo")
	if err != nil {
		log.Fatal(err) // netlink route RTM_GETLINK link "lo": no such device
	}
	a := rtnetlink.Address{Index: lo.Index, Prefix: netip.MustParsePrefix("198.18.0.1/24")}
	if err := rt.AddAddress(ctx, a); err != nil {
		log.Fatal(err) // netlink route RTM_NEWADDR address 198.18.0.1/24 on link 1: file exists: ...
	}
	for a, err := range rt.Addresses(ctx, rtnetlink.AddressFilter{Index: lo.Index}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(lo.Name, a.Prefix, a.Scope) // lo 127.0.0.1/8 host, lo 198.18.0.1/24 global, lo ::1/128 host
	}
}
