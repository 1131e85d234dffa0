package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// corpusMessages adds the corpus's rules, as this program makes them, to
// nftest's fake nf_tables, and returns the NFT_MSG_NEWRULE messages it
// lists them in.
func corpusMessages(tb testing.TB) [][]byte {
	k := nftest.New()
	c, err := k.Dial(nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var tx nftables.Tx
	fams := map[nftables.Family]bool{}
	for i := range ruleCorpus {
		f := strings.Fields(ruleCorpus[i].rule)[0]
		fam, _ := nftables.ParseFamily(f)
		if !fams[fam] {
			fams[fam] = true
			tx.Add(&nftables.Table{Family: fam, Name: "t"})
			for _, ch := range []string{"c", "d", "n", "p"} {
				tx.Add(&nftables.Chain{Family: fam, Table: "t", Name: ch})
			}
		}
	}
	for _, s := range skeletonSets("t") {
		tx.Add(s)
	}
	if err := c.Commit(ctx, &tx); err != nil {
		tb.Fatal(err)
	}
	for i := range ruleCorpus {
		fs := strings.Fields(ruleCorpus[i].rule)
		cmd, err := parse(append([]string{"add", "rule", fs[0], "t", fs[1]}, fs[2:]...))
		if err != nil {
			tb.Fatal(err)
		}
		if err := cmd(ctx, c, nil, options{}); err != nil {
			tb.Fatalf("%s: %v", ruleCorpus[i].rule, err)
		}
	}
	var out [][]byte
	for f := range fams {
		req := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysNFTables, uapi.NFT_MSG_GETRULE), Flags: netlink.Request | netlink.Dump},
			Data: []byte{byte(f), 0, 0, 0}}
		ms, err := c.Netlink().DumpAll(ctx, req)
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range ms {
			out = append(out, m.Data)
		}
	}
	if len(out) != len(ruleCorpus) {
		tb.Fatalf("%d rules listed, %d added", len(out), len(ruleCorpus))
	}
	return out
}

// FuzzDecodeRule writes any rule nftables decodes, as text and as JSON,
// seeded with the corpus's rules as the fake nf_tables lists them: no
// panic, and the JSON is JSON.
func FuzzDecodeRule(f *testing.F) {
	for _, b := range corpusMessages(f) {
		f.Add(b)
	}
	rs := &nftables.Ruleset{}
	for _, s := range skeletonSets("t") {
		rs.Sets = append(rs.Sets, s)
		rs.Elements = append(rs.Elements, []nftables.Element{{Key: make([]byte, s.KeyLen)}})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := nftables.ParseEvent(netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysNFTables, uapi.NFT_MSG_NEWRULE)}, Data: data})
		r, ok := ev.Object.(*nftables.Rule)
		if err != nil || !ok {
			return
		}
		r.Table = "t"
		_ = ruleText(r, rs)
		var b strings.Builder
		if err := writeJSON(&b, &nftables.Ruleset{Tables: []*nftables.Table{{Family: r.Family, Name: "t"}}, Rules: []*nftables.Rule{r}, Sets: rs.Sets, Elements: rs.Elements}, scopeAll); err != nil {
			t.Fatal(err)
		}
		if !json.Valid([]byte(b.String())) {
			t.Fatalf("not JSON: %s", b.String())
		}
	})
}

// TestDecodeUnknown checks that expressions this program has no words
// for are written as they are, and that what they load is not taken for
// what a register held before.
func TestDecodeUnknown(t *testing.T) {
	r := &nftables.Rule{Family: nftables.FamilyINet, Exprs: []nftables.Expr{
		&nftables.Meta{Key: nftables.MetaKeyL4Proto, Dreg: nftables.Reg1},
		&nftables.Cmp{Sreg: nftables.Reg1, Data: []byte{protoTCP}},
		// tcp flags syn
		&nftables.Payload{Dreg: nftables.Reg1, Base: nftables.PayloadBaseTransportHeader, Offset: 13, Len: 1},
		&nftables.Bitwise{Sreg: nftables.Reg1, Dreg: nftables.Reg1, Len: 1, Mask: []byte{2}, Xor: []byte{0}},
		&nftables.Cmp{Sreg: nftables.Reg1, Op: nftables.CmpNeq, Data: []byte{0}},
		// meta nftrace set 1
		&nftables.Immediate{Dreg: nftables.Reg1, Data: []byte{1}},
		&nftables.Meta{Key: nftables.MetaKeyNFTrace, Sreg: nftables.Reg1},
		&nftables.RawExpr{Name: "frob", Data: []byte{1, 2}},
		nftables.Drop(),
	}}
	// The kernel's enums are written by name (their String methods).
	want := "meta l4proto tcp [ payload dreg=1 base=transport offset=13 len=1 ] [ bitwise sreg=1 dreg=1 len=1 mask=0x02 xor=0x00 ] " +
		"[ cmp sreg=1 op=neq data=0x00 ] [ immediate dreg=1 data=0x01 ] [ meta key=nftrace sreg=1 ] [ frob 0x0102 ] drop"
	if got := ruleText(r, nil); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
