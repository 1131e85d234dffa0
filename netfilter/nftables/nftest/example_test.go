package nftest_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// Example tests code that adds a table, a base chain and a rule through
// nftables.Conn, with no kernel: the fake answers as nf_tables does,
// refusing a batch whole when one of its messages fails.
func Example() {
	k := nftest.New()
	c, err := k.Dial(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()

	accept := nftables.VerdictAccept
	var tx nftables.Tx
	tx.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "filter"})
	tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "filter", Name: "input", Type: "filter",
		Hook: &nftables.Hook{Num: nftables.HookInput}, Policy: &accept})
	tx.Add(&nftables.Rule{Family: nftables.FamilyINet, Table: "filter", Chain: "input",
		Exprs: []nftables.Expr{&nftables.Counter{}, nftables.Accept()}})
	fmt.Println("commit:", c.Commit(ctx, &tx))

	// A rule for a chain that does not exist fails the whole batch.
	var bad nftables.Tx
	bad.Add(&nftables.Table{Family: nftables.FamilyIPv4, Name: "other"})
	bad.Add(&nftables.Rule{Family: nftables.FamilyINet, Table: "filter", Chain: "nope",
		Exprs: []nftables.Expr{nftables.Drop()}})
	err = c.Commit(ctx, &bad)
	fmt.Println("ENOENT:", errors.Is(err, syscall.ENOENT))

	tables, _ := c.Tables(ctx, nftables.FamilyUnspec)
	for _, t := range tables {
		fmt.Println(t, "handle", t.Handle)
	}
	rules, _ := c.Rules(ctx, nftables.FamilyINet, "filter", "input")
	for _, r := range rules {
		fmt.Println(r, len(r.Exprs), "expressions")
	}
	fmt.Println("generation", k.Gen())
	// Output:
	// commit: <nil>
	// ENOENT: true
	// table inet filter handle 1
	// rule inet filter input handle 2 2 expressions
	// generation 2
}
