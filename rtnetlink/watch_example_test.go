//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// Print the changes to links, addresses, routes, neighbours, FDB entries,
// rules and nexthop objects as they happen, as ip monitor does, until
// interrupted.
func ExampleConn_Watch() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for ev, err := range c.Watch(ctx, rtnetlink.GroupLink, rtnetlink.GroupIPv4Addr, rtnetlink.GroupIPv6Addr,
		rtnetlink.GroupIPv4Route, rtnetlink.GroupIPv6Route, rtnetlink.GroupNeighbor,
		rtnetlink.GroupIPv4Rule, rtnetlink.GroupIPv6Rule, rtnetlink.GroupNextHop) {
		switch {
		case errors.Is(err, netlink.ErrOverrun):
			fmt.Println("notifications were lost; list again for the current state")
			continue
		case err != nil:
			log.Print(err) // ctx done: interrupted
			return
		}
		verb := "new"
		if ev.Deleted() {
			verb = "deleted"
		}
		switch {
		case ev.Link != nil:
			fmt.Printf("%s link %d %s %v\n", verb, ev.Link.Index, ev.Link.Name, ev.Link.Flags)
		case ev.Address != nil:
			fmt.Printf("%s address %v on link %d\n", verb, ev.Address.Prefix, ev.Address.Index)
		case ev.Route != nil:
			fmt.Printf("%s route %v via %v table %d\n", verb, ev.Route.Dst, ev.Route.Gateway, ev.Route.Table)
		case ev.Neighbor != nil:
			fmt.Printf("%s neighbour %v lladdr %v on link %d %v\n", verb, ev.Neighbor.IP, ev.Neighbor.HardwareAddr, ev.Neighbor.Index, ev.Neighbor.State)
		case ev.FDB != nil:
			fmt.Printf("%s FDB entry %v on link %d dst %v\n", verb, ev.FDB.HardwareAddr, ev.FDB.Index, ev.FDB.Dst)
		case ev.Rule != nil:
			fmt.Printf("%s rule %d table %d\n", verb, ev.Rule.Priority, ev.Rule.Table)
		case ev.NextHop != nil:
			fmt.Printf("%s nexthop %d\n", verb, ev.NextHop.ID)
		}
	}
}

// Keep a copy of the main routing table, and print how many routes it
// holds every second.
func ExampleNewRouteMirror() {
	m, err := rtnetlink.NewRouteMirror(nil, rtnetlink.RouteFilter{Table: rtnetlink.TableMain})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		if err := m.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			log.Print(err)
		}
	}()
	select {
	case <-m.Ready():
	case <-ctx.Done():
		return
	}
	for range time.Tick(time.Second) {
		if ctx.Err() != nil {
			break
		}
		routes := m.Snapshot()
		defaults := slices.IndexFunc(routes, func(r rtnetlink.Route) bool { return r.Dst.Bits() == 0 })
		s := m.Stats()
		fmt.Printf("%d routes (a default route: %v); %d listings, %d notifications applied\n",
			len(routes), defaults >= 0, s.Listings, s.Events)
	}
}
