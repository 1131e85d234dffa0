package nfqueue_test

import (
	"context"
	"errors"
	"log"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/nfqueue"
)

// Hold the packets an iptables rule queues to queue 3
// (`-j NFQUEUE --queue-num 3`), drop those with a payload under 100
// bytes, and accept the rest with the mark 7.
func Example() {
	ctx := context.Background()
	c, err := nfqueue.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	cfg := nfqueue.Config{Mode: nfqueue.CopyPacket, Range: 128, MaxLen: 4096, Flags: nfqueue.FlagFailOpen, FlagsMask: nfqueue.FlagFailOpen}
	if err := c.Bind(ctx, 3, cfg); err != nil {
		log.Fatal(err) // EPERM: another socket has the queue
	}
	for p, err := range c.Packets(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			log.Print("packets lost: dropped by the kernel, or accepted with FlagFailOpen")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		d := nfqueue.Decision{Verdict: nfqueue.Accept, Mark: 7, SetMark: true}
		if len(p.Payload) < 100 {
			d = nfqueue.Decision{Verdict: nfqueue.Drop}
		}
		if err := c.SetVerdict(ctx, p.Queue, p.ID, d); err != nil {
			log.Print(err) // ENOENT: the packet is gone (the queue was unbound)
		}
	}
}
