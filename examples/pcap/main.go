// Command pcap captures a short exchange with the kernel into a pcap file
// that Wireshark and tshark decode (link type LINKTYPE_NETLINK): a dump of
// the links, a generic netlink family lookup, and, with -addr, the adding
// and removal of an address on the loopback link.
//
//	go run ./examples/pcap -o nl.pcap
//	tshark -r nl.pcap -V
//
// With -netns /var/run/netns/NAME it runs in that network namespace. Each
// Conn writes its own capture (Config.Capture); they go to one file here
// by capturing into two buffers, then writing one after the other's
// records. To trace instead, set Config.Trace, or run with NLKIT_DEBUG=1.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/rtnetlink"
)

func main() {
	out := flag.String("o", "netlink.pcap", "the pcap file to write")
	netns := flag.String("netns", "", "the network namespace to run in, as /var/run/netns/NAME")
	addr := flag.String("addr", "", "an address to add to lo and remove again, such as 192.0.2.1/32 (changes the namespace: use with -netns)")
	family := flag.String("family", "nlctrl", "the generic netlink family to look up")
	flag.Parse()
	var prefix netip.Prefix
	if *addr != "" {
		var err error
		if prefix, err = netip.ParsePrefix(*addr); err != nil {
			log.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := capture(&b, *netns, *family, prefix); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d bytes to %s\n", b.Len(), *out)
}

// capture runs the exchanges and writes them to w as one pcap file.
func capture(w *bytes.Buffer, netns, family string, addr netip.Prefix) error {
	ctx := context.Background()
	var route, generic bytes.Buffer

	rt, err := rtnetlink.Dial(&netlink.Config{NetNS: netns, Capture: &route})
	if err != nil {
		return err
	}
	defer rt.Close()
	lo := 0
	for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			return err
		}
		if l.Name == "lo" {
			lo = l.Index
		}
	}
	if addr.IsValid() && lo != 0 {
		a := rtnetlink.Address{Index: lo, Prefix: addr}
		if err := rt.AddAddress(ctx, a); err != nil {
			return err
		}
		if err := rt.DeleteAddress(ctx, a); err != nil {
			return err
		}
	}

	gc, err := genetlink.Dial(&netlink.Config{NetNS: netns, Capture: &generic})
	if err != nil {
		return err
	}
	defer gc.Close()
	if _, err := gc.Family(ctx, family); err != nil {
		return err
	}

	// Both are whole pcap files: keep the first's header, drop the
	// second's (24 bytes).
	w.Write(route.Bytes())
	if generic.Len() > 24 {
		w.Write(generic.Bytes()[24:])
	}
	return nil
}
