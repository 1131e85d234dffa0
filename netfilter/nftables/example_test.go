package nftables_test

import (
	"fmt"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// A transaction that makes a table, a base chain and a rule, and fills a
// set: Conn.Commit sends it as one batch, applied whole or not at all.
func ExampleTx() {
	drop := nftables.VerdictDrop
	var tx nftables.Tx
	tx.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "filter"})
	tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "filter", Name: "input",
		Type: "filter", Hook: &nftables.Hook{Num: nftables.HookInput}, Policy: &drop})
	blocked := &nftables.Set{Family: nftables.FamilyINet, Table: "filter", Name: "blocked", KeyType: 7, KeyLen: 4}
	tx.Add(blocked)
	tx.AddElements(blocked, nftables.Element{Key: []byte{198, 18, 0, 1}})
	tx.Add(&nftables.Rule{Family: nftables.FamilyINet, Table: "filter", Chain: "input", Exprs: []nftables.Expr{
		&nftables.Payload{Dreg: nftables.Reg1, Base: nftables.PayloadBaseNetworkHeader, Offset: 12, Len: 4}, // ip saddr
		&nftables.Lookup{Set: "blocked", Sreg: nftables.Reg1},
		nftables.Drop(),
	}})
	fmt.Println(tx.Len(), "messages;", tx.Err())
	// Output: 5 messages; <nil>
}
