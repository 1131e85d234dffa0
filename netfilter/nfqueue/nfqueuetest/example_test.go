package nfqueuetest_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/nlkit/netlink/netfilter/nfqueue"
	"github.com/nlkit/netlink/netfilter/nfqueue/nfqueuetest"
)

// filter is the code under test: it binds queue 1 and drops the packets
// whose payload holds "evil", accepting the rest, until ctx is done.
func filter(ctx context.Context, c *nfqueue.Conn) error {
	if err := c.Bind(ctx, 1, nfqueue.Config{Mode: nfqueue.CopyPacket}); err != nil {
		return err
	}
	for p, err := range c.Packets(ctx) {
		if err != nil {
			return err
		}
		v := nfqueue.Accept
		if strings.Contains(string(p.Payload), "evil") {
			v = nfqueue.Drop
		}
		if err := c.SetVerdict(ctx, 1, p.ID, nfqueue.Decision{Verdict: v}); err != nil {
			return err
		}
	}
	return nil
}

// Test a packet filter without root and on any OS: queue packets, and
// read the verdicts it gave.
func ExampleKernel_Queue() {
	k := nfqueuetest.New()
	c, _ := k.Dial(nil)
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- filter(ctx, c) }()

	// The filter binds the queue before anything can be queued to it.
	if _, err := k.WaitReady(ctx, 1); err != nil {
		fmt.Println(err)
	}
	for _, payload := range []string{"hello", "evil bytes"} {
		id, err := k.Queue(1, nfqueue.Packet{Family: 2, Payload: []byte(payload)})
		if err != nil {
			fmt.Println(err)
			continue
		}
		v, _ := k.Verdict(ctx, 1, id)
		fmt.Printf("%s: %v\n", payload, v.Verdict == nfqueue.Accept)
	}
	cancel()
	<-done
	// Output:
	// hello: true
	// evil bytes: false
}
