package main

import (
	"testing"

	nl "github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// TestDecodersAgree checks that every implementation of (1) decodes the
// capture into the same routes as the floor's hand walk: the equal work
// that run.sh's checks rely on, without a kernel.
func TestDecodersAgree(t *testing.T) {
	*data = "../../../testdata/rtm_newroute_100k.bin.gz"
	dgrams := captureDatagrams()
	run := func(f func(*decAcc, []byte)) decAcc {
		var acc decAcc
		for _, d := range dgrams {
			f(&acc, d)
		}
		return acc
	}
	want := run(routeDecoders["hand"])
	if want.count != 100015 {
		t.Fatalf("hand walk decoded %d routes, want 100015", want.count)
	}
	for name, f := range routeDecoders {
		if got := run(f); got != want {
			t.Errorf("%s: %d routes, checksum %x; hand walk: %d, %x", name, got.count, got.sum, want.count, want.sum)
		}
	}
}

// TestLinkDecodersAgree checks that the floor's hand walk and nlkit's
// AttrDecoder read the same index, name and MTU from an RTM_NEWLINK.
func TestLinkDecodersAgree(t *testing.T) {
	b := nl.AppendHeader(nil, nl.Header{Type: unix.RTM_NEWLINK})
	b = append(b, ifinfoLo...)
	var e nl.AttrEncoder
	e.Reset(b)
	e.Uint32(unix.IFLA_TXQLEN, 1000)
	e.String(unix.IFLA_IFNAME, "lo")
	e.Uint32(unix.IFLA_MTU, 65536)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b = nl.SetLength(b, 0)
	m, _, err := firstMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	var hand, lib linkAcc
	hand.add(handLink(b[unix.NLMSG_HDRLEN:]))
	lib.add(nlkitLink(m))
	if hand != (linkAcc{ok: 1, sum: 65538}) || lib != hand {
		t.Errorf("hand walk %+v, nlkit %+v; want {ok:1 sum:65538}", hand, lib)
	}
}
