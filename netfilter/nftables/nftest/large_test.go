package nftest_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// TestLargeTransaction is nftables' TestLargeTransaction on the fake:
// flush a verdict map, refill it with 10,000 elements (several messages)
// and replace 500 rules in one transaction; then the same with a last
// message that fails, of which nothing may be applied.
func TestLargeTransaction(t *testing.T) {
	c, err := nftest.New().Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	m := &nftables.Set{Family: nftables.FamilyIPv4, Table: "t", Name: "m", Flags: nftables.SetMap,
		KeyType: 7, KeyLen: 4, DataType: nftables.DataVerdict}
	var load nftables.Tx
	load.Add(&nftables.Table{Family: nftables.FamilyIPv4, Name: "t"})
	load.Add(m)
	load.Add(&nftables.Chain{Family: nftables.FamilyIPv4, Table: "t", Name: "d"})
	load.Add(&nftables.Chain{Family: nftables.FamilyIPv4, Table: "t", Name: "c"})
	for i := range 500 {
		load.Add(&nftables.Rule{Family: nftables.FamilyIPv4, Table: "t", Chain: "c", Exprs: []nftables.Expr{
			&nftables.Payload{Dreg: nftables.Reg1, Base: 1, Offset: 12, Len: 4},
			&nftables.Cmp{Sreg: nftables.Reg1, Data: []byte{198, 18, byte(i >> 8), byte(i)}},
			&nftables.Counter{}, nftables.Accept(),
		}})
	}
	if err := c.Commit(ctx, &load); err != nil {
		t.Fatal(err)
	}
	rules, err := c.Rules(ctx, nftables.FamilyIPv4, "t", "c")
	if err != nil || len(rules) != 500 {
		t.Fatalf("%d rules, %v; want 500", len(rules), err)
	}
	change := func(verdict *nftables.Immediate, first byte) *nftables.Tx {
		tx := new(nftables.Tx)
		tx.Flush(m)
		elems := make([]nftables.Element, 10000)
		for i := range elems {
			elems[i] = nftables.Element{Key: []byte{198, 19, byte(i >> 8), byte(i)}, Verdict: &nftables.Verdict{Code: nftables.VerdictJump, Chain: "d"}}
			if i%2 == 0 {
				elems[i].Key[0] = first
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
	check := func(want nftables.VerdictCode, wantFirst byte) {
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
		rs, err := c.Rules(ctx, nftables.FamilyIPv4, "t", "c")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, r := range rs {
			if v, ok := r.Exprs[len(r.Exprs)-1].(*nftables.Immediate); ok && v.Verdict != nil && v.Verdict.Code == want {
				n++
			}
			if r.Handle != rules[i].Handle {
				t.Fatalf("rule %d has handle %d, want %d: a replaced rule keeps its handle", i, r.Handle, rules[i].Handle)
			}
		}
		if n != 500 {
			t.Fatalf("%d rules end with %v, want 500", n, want)
		}
	}
	tx := change(nftables.Drop(), 10)
	if tx.Len() < 2+500 {
		t.Fatalf("%d messages: the elements should need several", tx.Len())
	}
	if err := c.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	check(nftables.VerdictDrop, 10)

	tx = change(nftables.Accept(), 11)
	tx.Add(&nftables.Rule{Family: nftables.FamilyIPv4, Table: "t", Chain: "nope", Exprs: []nftables.Expr{nftables.Accept()}})
	err = c.Commit(ctx, tx)
	var te *nftables.TxError
	if !errors.As(err, &te) || te.Index != tx.Len()-1 || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("err = %v, want a TxError for the last message (%d) wrapping ENOENT", err, tx.Len()-1)
	}
	check(nftables.VerdictDrop, 10)
}
