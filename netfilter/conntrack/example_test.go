package conntrack_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// List the TCP connections to port 443 with a mark of 0x10 under 0xff:
// the kernel runs the filter.
func Example_list() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	f := conntrack.Filter{
		Family: 2, // AF_INET
		Mark:   0x10, MarkMask: 0xff,
		Orig: conntrack.TupleFilter{
			Tuple: conntrack.Tuple{Proto: 6, DstPort: 443},
			Match: conntrack.MatchProto | conntrack.MatchDstPort,
		},
	}
	for fl, err := range c.Flows(ctx, f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(fl.Orig, fl.TCP.State, fl.Status, fl.CountersOrig.Bytes)
	}
}

// Delete every entry of a backend that went away: from Linux 6.12 on in
// one request, the kernel walking its table; on older kernels entry by
// entry, as listed.
func Example_deleteMatching() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	backend := netip.MustParseAddr("198.18.0.20")
	err = c.DeleteMatching(ctx, conntrack.Filter{
		Family: 2,
		Reply:  conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: backend}, Match: conntrack.MatchSrc},
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Follow the table's events: an overrun is reported in the stream, which
// goes on.
func Example_events() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	for ev, err := range c.Events(ctx, conntrack.GroupNew, conntrack.GroupDestroy) {
		if errors.Is(err, netlink.ErrOverrun) {
			log.Print("events lost: list the table again")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		if ev.Flow != nil {
			fmt.Println(ev.Type, ev.Flow.Orig, ev.Flow.CountersOrig.Packets)
		}
	}
}

// Keep a copy of the table in memory, in step with the kernel through
// overruns.
func Example_mirror() {
	m, err := conntrack.NewMirror(nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	go m.Run(context.Background())
	<-m.Ready()
	for _, f := range m.Snapshot() {
		fmt.Println(f.Orig, f.Mark)
	}
	fmt.Printf("%+v\n", m.Stats()) // listings, overruns, events applied
}

// Encode an entry as a request carries it, and decode it back, without a
// kernel.
func ExampleFlow_Decode() {
	f := conntrack.Flow{
		Family:  2,
		Orig:    conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: 6, SrcPort: 40000, DstPort: 443},
		Status:  conntrack.StatusSeenReply | conntrack.StatusAssured,
		Timeout: 120,
		Mark:    0x10,
		TCP:     conntrack.TCPInfo{State: conntrack.TCPEstablished},
	}
	b, err := f.Append(nil)
	if err != nil {
		log.Fatal(err)
	}
	var g conntrack.Flow
	if err := g.Decode(b); err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Orig)
	fmt.Println(g.Status, g.TCP.State, g.Timeout, g.Mark)
	// Output:
	// src=198.18.0.1 dst=198.18.0.2 sport=40000 dport=443
	// SEEN_REPLY|ASSURED ESTABLISHED 120 16
}
