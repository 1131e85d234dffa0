package tctest_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink/tc"
	"github.com/nlkit/netlink/tc/tctest"
)

// A test of code that sets up htb, on the fake kernel: no root, no Linux.
func ExampleNew() {
	k := tctest.New()
	k.AddLink(2, "eth0")
	c, err := k.Dial(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()

	root := tc.Qdisc{Ifindex: 2, Handle: tc.MakeHandle(1, 0), Parent: tc.HandleRoot, Options: &tc.HTB{Default: 0x10}}
	fmt.Println(c.AddQdisc(ctx, &root))
	err = c.AddQdisc(ctx, &root)
	fmt.Println(errors.Is(err, syscall.EEXIST))
	fmt.Println(err)
	class := tc.Class{Ifindex: 2, Handle: tc.MakeHandle(1, 0x10), Parent: root.Handle, Options: &tc.HTBClass{Rate: tc.RateSpec{Rate: 125000}}}
	fmt.Println(c.AddClass(ctx, &class))
	leaf := tc.Qdisc{Ifindex: 2, Parent: class.Handle, Options: &tc.FIFO{KindName: "pfifo", Limit: 100}}
	fmt.Println(c.AddQdisc(ctx, &leaf))

	for q, err := range c.Qdiscs(ctx, 2) {
		if err != nil {
			panic(err)
		}
		fmt.Println("qdisc", q.Kind, q.Handle, "parent", q.Parent)
	}
	for cl, err := range c.Classes(ctx, 2, root.Handle) {
		if err != nil {
			panic(err)
		}
		fmt.Println("class", cl.Kind, cl.Handle, "parent", cl.Parent, "leaf", cl.Leaf)
	}
	// Output:
	// <nil>
	// true
	// tc: add qdisc htb 1: dev "eth0": file exists: Exclusivity flag on, cannot modify
	// <nil>
	// <nil>
	// qdisc htb 1: parent root
	// qdisc pfifo 8001: parent 1:10
	// class htb 1:10 parent root leaf 8001:
}
