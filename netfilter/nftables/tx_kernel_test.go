//go:build linux

package nftables_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter/nftables"
)

// TestLargeTransaction flushes a verdict map, refills it with 10,000
// elements and replaces 500 rules in one transaction; then does it again
// with a last message the kernel refuses, and checks that nothing of that
// second transaction was applied.
func TestLargeTransaction(t *testing.T) {
	ns := newNS(t)
	var b strings.Builder
	b.WriteString("table ip t {\n map m { type ipv4_addr : verdict; }\n chain d { }\n chain c {\n")
	for i := range 500 {
		fmt.Fprintf(&b, "  ip saddr 198.18.%d.%d counter accept\n", i/256, i%256)
	}
	b.WriteString(" }\n}\n")
	ns.nft(b.String(), "-f", "-")
	c := ns.dial()
	ctx := context.Background()
	rules, err := c.Rules(ctx, nftables.FamilyIPv4, "t", "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 500 {
		t.Fatalf("%d rules, want 500", len(rules))
	}
	m := &nftables.Set{Family: nftables.FamilyIPv4, Table: "t", Name: "m"}

	change := func(verdict *nftables.Immediate, third byte) *nftables.Tx {
		tx := new(nftables.Tx)
		tx.Flush(m)
		elems := make([]nftables.Element, 10000)
		for i := range elems {
			elems[i] = nftables.Element{Key: []byte{198, 19, byte(i >> 8), byte(i)}, Verdict: &nftables.Verdict{Code: nftables.VerdictJump, Chain: "d"}}
			if i%2 == 0 {
				elems[i].Key[0] = third
				elems[i].Verdict = &nftables.Verdict{Code: nftables.VerdictDrop}
			}
		}
		tx.AddElements(m, elems...)
		for _, r := range rules {
			r2 := *r
			r2.Exprs = append(append([]nftables.Expr{}, r.Exprs[:len(r.Exprs)-1]...), verdict)
			tx.Replace(&r2)
		}
		return tx
	}
	tx := change(nftables.Drop(), 10)
	if tx.Len() < 2+500 {
		t.Fatalf("%d messages: the elements should need several", tx.Len())
	}
	if err := c.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	check := func(wantVerdict string, wantFirst byte) {
		t.Helper()
		elems, err := c.Elements(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(elems) != 10000 {
			t.Fatalf("%d elements, want 10000", len(elems))
		}
		for _, e := range elems {
			if e.Verdict != nil && e.Verdict.Code == nftables.VerdictDrop && e.Key[0] != wantFirst {
				t.Fatalf("element %v: want first byte %d", e.Key, wantFirst)
			}
		}
		out := ns.nft("", "list", "chain", "ip", "t", "c")
		if n := strings.Count(out, wantVerdict); n != 500 {
			t.Fatalf("%d rules with %q, want 500:\n%.500s", n, wantVerdict, out)
		}
	}
	check("counter packets 0 bytes 0 drop", 10)

	// The same change the other way, and a rule in a chain that does not
	// exist last: refused, nothing applied.
	tx = change(nftables.Accept(), 11)
	tx.Add(&nftables.Rule{Family: nftables.FamilyIPv4, Table: "t", Chain: "nope", Exprs: []nftables.Expr{nftables.Accept()}})
	err = c.Commit(ctx, tx)
	var te *nftables.TxError
	if !errors.As(err, &te) || te.Index != tx.Len()-1 || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("err = %v, want a TxError for the last message (%d) wrapping ENOENT", err, tx.Len()-1)
	}
	if want := "(add rule ip t nope)"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the change %s", err, want)
	}
	// The kernel's extended ACK points at the chain's name in that
	// message, and the error says so.
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.ExtAck.AttrType != uapi.NFTA_RULE_CHAIN || !strings.Contains(err.Error(), fmt.Sprintf("(attribute %d)", uapi.NFTA_RULE_CHAIN)) {
		t.Errorf("error %q (extended ACK %+v): want it to name the bad attribute, NFTA_RULE_CHAIN", err, oe)
	}
	check("counter packets 0 bytes 0 drop", 10)
}

// TestTooLargeElement checks that an element, or a rule's expressions,
// past the 64 KiB of an attribute is refused before anything is sent,
// and that the transaction's earlier changes are not sent either.
func TestTooLargeElement(t *testing.T) {
	var tx nftables.Tx
	s := &nftables.Set{Family: nftables.FamilyIPv4, Table: "t", Name: "s"}
	tx.AddElements(s, nftables.Element{Key: make([]byte, 70000)})
	if tx.Err() == nil || tx.Len() != 0 {
		t.Fatalf("Err = %v, Len = %d; want an error and no message", tx.Err(), tx.Len())
	}

	// 1,200 cmp expressions of 64 bytes of data each: past 64 KiB.
	ns := nstest.New(t)
	c, err := nftables.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var big []nftables.Expr
	for range 1200 {
		big = append(big, &nftables.Cmp{Sreg: nftables.Reg1, Data: make([]byte, 64)})
	}
	tx = nftables.Tx{}
	tx.Add(&nftables.Table{Family: nftables.FamilyIPv4, Name: "t"})
	tx.Add(&nftables.Chain{Family: nftables.FamilyIPv4, Table: "t", Name: "c"})
	tx.Add(&nftables.Rule{Family: nftables.FamilyIPv4, Table: "t", Chain: "c", Exprs: big})
	if tx.Err() == nil || tx.Len() != 2 {
		t.Fatalf("Err = %v, Len = %d; want an error, and the two messages before the rule", tx.Err(), tx.Len())
	}
	if err := c.Commit(context.Background(), &tx); err == nil || err.Error() != tx.Err().Error() {
		t.Fatalf("Commit = %v, want the transaction's error %v", err, tx.Err())
	}
	if ts, err := c.Tables(context.Background(), nftables.FamilyUnspec); err != nil || len(ts) != 0 {
		t.Errorf("after a refused commit: tables %v, %v; want none", ts, err)
	}
}

// TestCommitCanceled commits with a context already done, in a namespace
// of its own, and checks the error names the commit and wraps ctx's error.
func TestCommitCanceled(t *testing.T) {
	ns := nstest.New(t)
	c, err := nftables.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var tx nftables.Tx
	tx.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "t"})
	err = c.Commit(ctx, &tx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit: %v, want context.Canceled", err)
	}
	if want := "nftables: commit of 1 message: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	if ts, err := c.Tables(context.Background(), nftables.FamilyINet); err != nil || len(ts) != 0 {
		t.Errorf("after a canceled commit: tables %v, %v", ts, err)
	}
}
