package rtnetlink_test

import (
	"context"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

// Send the DNS queries of user 1000 through table 100 (ip rule add
// uidrange 1000-1000 ipproto udp dport 53 lookup 100), and route default
// lookups of other tables around a default route (ip rule add lookup main
// suppress_prefixlength 0). Runs on rtnltest's fake namespace; on a real
// one, dial with rtnetlink.Dial.
func ExampleConn_AddRule_selectors() {
	ctx := context.Background()
	c, _ := rtnltest.New().Dial(nil)
	defer c.Close()
	rules := []rtnetlink.Rule{
		{Family: syscall.AF_INET, Priority: 100, Table: 100, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1000, End: 1000},
			IPProto: 17, DPort: rtnetlink.PortRange{Start: 53, End: 53}},
		{Family: syscall.AF_INET, Priority: 101, Table: rtnetlink.TableMain, HasSuppressPrefixLen: true}, // suppress_prefixlength 0
	}
	for _, r := range rules {
		if err := c.AddRule(ctx, r); err != nil {
			fmt.Println(err)
		}
	}
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: syscall.AF_INET}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if r.Priority == 100 || r.Priority == 101 {
			fmt.Printf("%d: uid %v (%v) ipproto %d dport %v suppress %d (%v) lookup %d\n", r.Priority,
				r.UIDRange, r.HasUIDRange, r.IPProto, r.DPort, r.SuppressPrefixLen, r.HasSuppressPrefixLen, r.Table)
		}
	}
	// Output:
	// 100: uid {1000 1000} (true) ipproto 17 dport {53 53} suppress 0 (false) lookup 100
	// 101: uid {0 0} (false) ipproto 0 dport {0 0} suppress 0 (true) lookup 254
}

// Route 198.18.1.0/24 through a collect-metadata tunnel device with the
// tunnel id and remote each packet gets (ip route add 198.18.1.0/24 encap
// ip id 5 dst 198.18.0.9 dev vx0), and read the encapsulation back: an
// Encap is one of the typed encapsulations, or a RawEncap for the types
// this package does not read. Runs on rtnltest's fake namespace.
func ExampleConn_AddRoute_encap() {
	ctx := context.Background()
	k := rtnltest.New()
	vx, _ := k.AddLink(rtnetlink.Link{Name: "vx0", Flags: rtnetlink.LinkUp, Data: &rtnetlink.Veth{PeerName: "vx1"}})
	c, _ := k.Dial(nil)
	defer c.Close()
	err := c.AddRoute(ctx, rtnetlink.Route{
		Dst:   netip.MustParsePrefix("198.18.1.0/24"),
		Index: vx.Index,
		Encap: &rtnetlink.IPEncap{ID: 5, Dst: netip.MustParseAddr("198.18.0.9")},
	})
	if err != nil {
		fmt.Println(err)
	}
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: syscall.AF_INET, Table: rtnetlink.TableMain}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		switch e := r.Encap.(type) {
		case *rtnetlink.IPEncap:
			fmt.Printf("%v: encap %v id %d dst %v\n", r.Dst, e.EncapType(), e.ID, e.Dst)
		case *rtnetlink.RawEncap:
			fmt.Printf("%v: encap %v, %d bytes\n", r.Dst, e.Type, len(e.Data))
		}
	}
	// Output:
	// 198.18.1.0/24: encap ip id 5 dst 198.18.0.9
}
