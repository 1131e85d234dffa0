//go:build linux

package nftables_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// TestCreateMatchesNft builds a ruleset with the package and the same
// ruleset with nft -f, in two namespaces, and compares nft -j list ruleset.
func TestCreateMatchesNft(t *testing.T) {
	want := newNS(t)
	want.nft(`table inet f {
	comment "filter"
	set allowed {
		type ipv4_addr
		elements = { 198.18.0.1, 198.18.0.2 }
	}
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept comment "ssh"
		ip saddr @allowed counter jump allowed-in
	}
	chain allowed-in {
		meta mark set 0x00000007 return
	}
}
`, "-f", "-")

	ns := newNS(t)
	c := ns.dial()
	drop := nftables.VerdictDrop
	reg := nftables.Reg1
	const (
		metaNFProto = 15 // NFT_META_NFPROTO
		metaL4Proto = 16 // NFT_META_L4PROTO
		metaMark    = 3  // NFT_META_MARK
		network     = 1  // NFT_PAYLOAD_NETWORK_HEADER
		transport   = 2  // NFT_PAYLOAD_TRANSPORT_HEADER
	)
	var tx nftables.Tx
	tx.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "f", UserData: nftables.CommentUserData("filter")})
	tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "f", Name: "input", Type: "filter",
		Hook: &nftables.Hook{Num: nftables.HookInput}, Policy: &drop})
	tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "f", Name: "allowed-in"})
	allowed := &nftables.Set{Family: nftables.FamilyINet, Table: "f", Name: "allowed", KeyType: 7, KeyLen: 4}
	tx.Add(allowed)
	tx.AddElements(allowed, nftables.Element{Key: []byte{198, 18, 0, 1}}, nftables.Element{Key: []byte{198, 18, 0, 2}})
	tx.Add(&nftables.Rule{Family: nftables.FamilyINet, Table: "f", Chain: "input", UserData: nftables.CommentUserData("ssh"), Exprs: []nftables.Expr{
		&nftables.Meta{Key: metaL4Proto, Dreg: reg},
		&nftables.Cmp{Sreg: reg, Data: []byte{6}},
		&nftables.Payload{Dreg: reg, Base: transport, Offset: 2, Len: 2},
		&nftables.Cmp{Sreg: reg, Data: []byte{0, 22}},
		nftables.Accept(),
	}})
	tx.Add(&nftables.Rule{Family: nftables.FamilyINet, Table: "f", Chain: "input", Exprs: []nftables.Expr{
		&nftables.Meta{Key: metaNFProto, Dreg: reg},
		&nftables.Cmp{Sreg: reg, Data: []byte{2}},
		&nftables.Payload{Dreg: reg, Base: network, Offset: 12, Len: 4},
		&nftables.Lookup{Set: "allowed", Sreg: reg},
		&nftables.Counter{},
		nftables.Jump("allowed-in"),
	}})
	tx.Add(&nftables.Rule{Family: nftables.FamilyINet, Table: "f", Chain: "allowed-in", Exprs: []nftables.Expr{
		&nftables.Immediate{Dreg: reg, Data: binary.NativeEndian.AppendUint32(nil, 7)}, // the mark, in host order
		&nftables.Meta{Key: metaMark, Sreg: reg},
		nftables.Return(),
	}})
	if err := c.Commit(context.Background(), &tx); err != nil {
		t.Fatal(err)
	}
	diffJSON(t, ns.listJSON(), want.listJSON())
}
