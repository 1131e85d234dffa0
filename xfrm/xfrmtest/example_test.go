package xfrmtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/nlkit/netlink/xfrm"
	"github.com/nlkit/netlink/xfrm/xfrmtest"
)

// A test of code that adds a policy, on the fake kernel: no root, no
// Linux.
func ExampleNew() {
	k := xfrmtest.New()
	c, _ := k.Dial(nil)
	defer c.Close()
	ctx := context.Background()

	p := xfrm.Policy{
		Selector: xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")},
		Dir:      xfrm.DirOut,
		Lifetime: xfrm.NoLimits(),
		Templates: []xfrm.Template{{
			Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"),
			Proto: xfrm.ProtoESP, Mode: xfrm.ModeTunnel, ReqID: 1,
			AuthAlgos: xfrm.AllAlgorithms, CryptAlgos: xfrm.AllAlgorithms, CompAlgos: xfrm.AllAlgorithms,
		}},
	}
	fmt.Println(c.AddPolicy(ctx, &p))
	err := c.AddPolicy(ctx, &p)
	fmt.Println(errors.Is(err, syscall.EEXIST))
	for p, err := range c.Policies(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.String(), p.Templates[0].Dst)
	}
	fmt.Println(c.DeletePolicy(ctx, p.ID()), len(k.Policies()))
	// Output:
	// <nil>
	// true
	// policy out 198.18.0.0/24->198.18.1.0/24 index 9 198.18.0.2
	// <nil> 0
}
