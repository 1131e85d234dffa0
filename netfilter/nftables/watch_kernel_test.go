//go:build linux

package nftables_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/nftables"
)

// TestWatch sees nft's transaction as typed events, ending with the new
// generation.
func TestWatch(t *testing.T) {
	ns := newNS(t)
	c := ns.dial()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events := make(chan nftables.Event, 64)
	errs := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		defer close(events)
		// Join first, then let the test run nft.
		if err := c.Netlink().JoinGroup(nftables.GroupNFTables); err != nil {
			errs <- err
			close(ready)
			return
		}
		close(ready)
		for ev, err := range c.Watch(ctx) {
			if err != nil {
				errs <- err
				return
			}
			events <- ev
			if ev.Gen != nil {
				return
			}
		}
	}()
	<-ready
	ns.nft("table ip w { chain c { ip saddr 198.18.0.1 drop; }; }", "-f", "-")
	var got []string
	for ev := range events {
		switch {
		case ev.Gen != nil:
			got = append(got, "generation")
		case ev.Object != nil:
			got = append(got, ev.Object.String())
		}
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	want := []string{"table ip w", "chain ip w c", "rule ip w c handle 2", "generation"}
	if !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// TestWatchOverrun fills a small receive queue with the notifications of a
// large transaction: Watch reports netlink.ErrOverrun in the stream and
// goes on with the notifications that come after.
func TestWatchOverrun(t *testing.T) {
	ns := newNS(t)
	c, err := nftables.Dial(&netlink.Config{NetNS: ns.Path, ReadBuffer: 4096, Groups: []uint32{nftables.GroupNFTables}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b strings.Builder
	b.WriteString("table ip big {\n chain c {\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  ip saddr 198.18.%d.%d drop\n", i/256, i%256)
	}
	b.WriteString(" }\n}\n")
	ns.nft(b.String(), "-f", "-")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	overrun := false
	for ev, err := range c.Watch(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			// The queue was read empty: what comes now arrives.
			if !overrun {
				ns.nft("", "add", "table", "ip", "after")
			}
			overrun = true
			continue
		}
		if err != nil {
			t.Fatalf("overrun seen: %v; then %v", overrun, err)
		}
		if tb, ok := ev.Object.(*nftables.Table); ok && tb.Name == "after" {
			break
		}
	}
	if !overrun {
		t.Fatal("no ErrOverrun in the stream")
	}
}
