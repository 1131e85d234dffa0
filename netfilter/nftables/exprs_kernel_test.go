//go:build linux

package nftables_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter/nftables"
)

// innerExpr is the inner expression (nft_inner, Linux 6.2), which the
// package does not model: a meta l4proto load from the packet a VXLAN
// header of 8 bytes carries. Its attributes (enum nft_inner_attributes)
// are written out here as the kernel dumps them (its nests without
// NLA_F_NESTED), as a caller of a newer kernel's expression would.
func innerExpr() *nftables.RawExpr {
	attr := func(typ uint16, payload ...[]byte) []byte {
		b := binary.NativeEndian.AppendUint16(nil, 0)
		b = binary.NativeEndian.AppendUint16(b, typ)
		for _, p := range payload {
			b = append(b, p...)
		}
		binary.NativeEndian.PutUint16(b, uint16(len(b)))
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	be32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	meta := attr(5, // NFTA_INNER_EXPR
		attr(uapi.NFTA_EXPR_NAME, []byte("meta\x00")),
		attr(uapi.NFTA_EXPR_DATA,
			attr(2, be32(16)), // NFTA_META_KEY: NFT_META_L4PROTO
			attr(1, be32(1)),  // NFTA_META_DREG: NFT_REG_1
		))
	var b []byte
	b = append(b, attr(1, be32(0))...)   // NFTA_INNER_NUM: the only one the kernel takes
	b = append(b, attr(2, be32(1))...)   // NFTA_INNER_TYPE: NFT_INNER_VXLAN
	b = append(b, attr(3, be32(0xf))...) // NFTA_INNER_FLAGS: HDRSIZE | LL | NH | TH
	b = append(b, attr(4, be32(8))...)   // NFTA_INNER_HDRSIZE
	return &nftables.RawExpr{Name: "inner", Data: append(b, meta...)}
}

// TestExprsNftCannotWrite: rules with the expressions nft 1.0.6 has no
// words for (tunnel, last) and with one the package does not model
// (inner, kept as a RawExpr), added through the package, read back as
// added, expression by expression, and then read, flushed and re-created
// as roundTrip does: the kernel holds the same bytes after. Each is left
// out, saying so, where the kernel refuses it (an older kernel, or one
// built without it).
func TestExprsNftCannotWrite(t *testing.T) {
	ns := newNS(t)
	c := ns.dial()
	ctx := context.Background()
	var base nftables.Tx
	base.Add(&nftables.Table{Family: nftables.FamilyNetdev, Name: "x"})
	base.Add(&nftables.Chain{Family: nftables.FamilyNetdev, Table: "x", Name: "c"})
	if err := c.Commit(ctx, &base); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		exprs []nftables.Expr
	}{
		{"tunnel", []nftables.Expr{
			&nftables.Tunnel{Key: nftables.TunnelKeyID, Dreg: nftables.Reg1, Mode: nftables.TunnelModeRx},
			&nftables.Cmp{Sreg: nftables.Reg1, Data: []byte{0, 0, 0, 7}},
			nftables.Accept(),
		}},
		{"last", []nftables.Expr{&nftables.Counter{}, &nftables.Last{}}},
		{"inner", []nftables.Expr{innerExpr(), &nftables.Cmp{Sreg: nftables.Reg1, Data: []byte{17}}, nftables.Drop()}},
	}
	var added []string
	for _, tc := range cases {
		var tx nftables.Tx
		tx.Add(&nftables.Rule{Family: nftables.FamilyNetdev, Table: "x", Chain: "c", Exprs: tc.exprs, UserData: nftables.CommentUserData(tc.name)})
		err := c.Commit(ctx, &tx)
		var te *nftables.TxError
		switch {
		case errors.As(err, &te) && (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EOPNOTSUPP)):
			t.Logf("this kernel has no %s expression: %v", tc.name, err)
			continue
		case err != nil:
			t.Fatalf("add a rule with %s: %v", tc.name, err)
		}
		added = append(added, tc.name)
	}
	if len(added) == 0 {
		t.Skip("this kernel has none of the expressions")
	}
	rules, err := c.Rules(ctx, nftables.FamilyNetdev, "x", "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != len(added) {
		t.Fatalf("%d rules listed, %d added (%q)", len(rules), len(added), added)
	}
	for i, r := range rules {
		var want []nftables.Expr
		for _, tc := range cases {
			if tc.name == added[i] {
				want = tc.exprs
			}
		}
		if r.Comment() != added[i] || !reflect.DeepEqual(r.Exprs, want) {
			t.Errorf("rule %d (%s) reads back as %q %s, want %s", i, added[i], r.Comment(), exprsText(r.Exprs), exprsText(want))
		}
	}
	t.Logf("round trip of the rules with %q", added)
	ns.roundTripNoList()
}

// exprsText prints expressions with their kinds, for errors.
func exprsText(xs []nftables.Expr) string {
	s := ""
	for _, x := range xs {
		s += fmt.Sprintf(" %s:%+v", x.Kind(), x)
	}
	return s
}

// roundTripNoList is roundTrip without nft's listing, for rules nft 1.0.6
// cannot print: the ruleset read, flushed and re-created from what was
// read is read back the same, expression by expression, and the kernel
// holds the same bytes.
func (ns *nftNS) roundTripNoList() {
	t := ns.t
	t.Helper()
	c := ns.dial()
	ctx := context.Background()
	wantBytes := ruleBytes(t, c)
	rs, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	ns.nft("", "flush", "ruleset")
	var tx nftables.Tx
	rs.AddTo(&tx)
	if err := c.Commit(ctx, &tx); err != nil {
		t.Fatal(err)
	}
	rs2, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs2.Rules) != len(rs.Rules) {
		t.Fatalf("%d rules read back, want %d", len(rs2.Rules), len(rs.Rules))
	}
	for i, r := range rs.Rules {
		if r2 := rs2.Rules[i]; !reflect.DeepEqual(r.Exprs, r2.Exprs) || string(r.UserData) != string(r2.UserData) {
			t.Errorf("rule %d (%s): read back differs:\n got %s\nwant %s", i, r, exprsText(r2.Exprs), exprsText(r.Exprs))
		}
	}
	gotBytes := ruleBytes(t, c)
	if len(gotBytes) != len(wantBytes) {
		t.Fatalf("the kernel dumps %d rules after re-creating, %d before", len(gotBytes), len(wantBytes))
	}
	for i := range wantBytes {
		if gotBytes[i] != wantBytes[i] {
			t.Errorf("rule %d: the kernel's bytes differ after re-creating:\n got % x\nwant % x", i, gotBytes[i], wantBytes[i])
		}
	}
}
