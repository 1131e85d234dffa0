package nflogtest_test

import (
	"context"
	"fmt"

	"github.com/nlkit/netlink/netfilter/nflog"
	"github.com/nlkit/netlink/netfilter/nflog/nflogtest"
)

// countDrops is the code under test: it binds group 3 and counts the
// packets logged with prefix "drop", until it has read n packets.
func countDrops(ctx context.Context, c *nflog.Conn, n int) (int, error) {
	if err := c.Bind(ctx, 3, nflog.Config{Mode: nflog.CopyMeta}); err != nil {
		return 0, err
	}
	drops, seen := 0, 0
	for p, err := range c.Packets(ctx) {
		if err != nil {
			return drops, err
		}
		if p.Prefix == "drop" {
			drops++
		}
		if seen++; seen == n {
			break
		}
	}
	return drops, nil
}

// Test a log reader without root and on any OS: log packets to the group
// it bound, and check what it made of them.
func ExampleKernel_Log() {
	k := nflogtest.New()
	c, _ := k.Dial(nil)
	defer c.Close()
	ctx := context.Background()

	result := make(chan int)
	go func() {
		n, _ := countDrops(ctx, c, 3)
		result <- n
	}()
	// What is logged before the reader bound its group is lost, as with
	// the kernel: wait for it.
	if _, err := k.WaitBound(ctx, 3); err != nil {
		fmt.Println(err)
	}
	for _, prefix := range []string{"drop", "accept", "drop"} {
		k.Log(3, nflog.Packet{Family: 2, Prefix: prefix, Payload: []byte{0x45}})
	}
	fmt.Println(<-result)
	// Output:
	// 2
}
