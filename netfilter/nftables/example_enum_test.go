package nftables_test

import (
	"context"
	"fmt"

	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// A rule built with the named constants of the kernel's enums, nft's
//
//	meta iifname "eth0" tcp dport 22 accept
//
// committed to nftest's fake nf_tables (a real one needs Dial and
// CAP_NET_ADMIN) and listed back; the constants print by name, as nft
// --debug=netlink writes them.
func ExampleCmpOp() {
	ifname := make([]byte, 16) // IFNAMSIZ, NUL-padded, as nft sends it
	copy(ifname, "eth0")
	rule := &nftables.Rule{Family: nftables.FamilyINet, Table: "filter", Chain: "input", Exprs: []nftables.Expr{
		&nftables.Meta{Key: nftables.MetaKeyIIFName, Dreg: nftables.Reg1},
		&nftables.Cmp{Op: nftables.CmpEq, Sreg: nftables.Reg1, Data: ifname},
		&nftables.Meta{Key: nftables.MetaKeyL4Proto, Dreg: nftables.Reg1},
		&nftables.Cmp{Op: nftables.CmpEq, Sreg: nftables.Reg1, Data: []byte{6}}, // IPPROTO_TCP
		&nftables.Payload{Dreg: nftables.Reg1, Base: nftables.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&nftables.Cmp{Op: nftables.CmpEq, Sreg: nftables.Reg1, Data: []byte{0, 22}},
		nftables.Accept(),
	}}

	k := nftest.New()
	c, err := k.Dial(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()
	var tx nftables.Tx
	tx.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "filter"})
	tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "filter", Name: "input", Type: "filter",
		Hook: &nftables.Hook{Num: nftables.HookInput}})
	tx.Add(rule)
	if err := c.Commit(ctx, &tx); err != nil {
		panic(err)
	}

	rules, err := c.Rules(ctx, nftables.FamilyINet, "filter", "input")
	if err != nil {
		panic(err)
	}
	for _, x := range rules[0].Exprs {
		switch x := x.(type) {
		case *nftables.Meta:
			fmt.Printf("meta load %v => reg %d\n", x.Key, x.Dreg)
		case *nftables.Payload:
			fmt.Printf("payload load %db @ %v header + %d => reg %d\n", x.Len, x.Base, x.Offset, x.Dreg)
		case *nftables.Cmp:
			fmt.Printf("cmp %v reg %d 0x%x\n", x.Op, x.Sreg, x.Data)
		case *nftables.Immediate:
			fmt.Printf("immediate reg %d %v\n", x.Dreg, x.Verdict)
		}
	}
	// Output:
	// meta load iifname => reg 1
	// cmp eq reg 1 0x65746830000000000000000000000000
	// meta load l4proto => reg 1
	// cmp eq reg 1 0x06
	// payload load 2b @ transport header + 2 => reg 1
	// cmp eq reg 1 0x0016
	// immediate reg 0 accept
}
