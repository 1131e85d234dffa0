package nftables

import (
	"bytes"
	"github.com/nlkit/netlink/internal/uapi"
	"testing"

	"github.com/nlkit/netlink"
)

// A numeric attribute of an object of the wrong size is kept raw and sent
// back as it came, not read as 0 (or as its first bytes) and lost.
func TestWrongSizeNumbersKeptReview28(t *testing.T) {
	for _, tc := range []struct {
		name string
		obj  interface {
			decode([]byte) error
			encode(*netlink.AttrEncoder, op)
		}
		head func(e *netlink.AttrEncoder)
		odd  func(e *netlink.AttrEncoder)
	}{
		{"table flags of 2 bytes", &Table{},
			func(e *netlink.AttrEncoder) { e.String(uapi.NFTA_TABLE_NAME, "t") },
			func(e *netlink.AttrEncoder) { e.Uint16BE(uapi.NFTA_TABLE_FLAGS, 1) }},
		{"table flags of 8 bytes", &Table{},
			func(e *netlink.AttrEncoder) { e.String(uapi.NFTA_TABLE_NAME, "t") },
			func(e *netlink.AttrEncoder) { e.Uint64BE(uapi.NFTA_TABLE_FLAGS, 1<<40|1) }},
		{"rule handle of 4 bytes", &Rule{},
			func(e *netlink.AttrEncoder) { e.String(uapi.NFTA_RULE_TABLE, "t"); e.String(uapi.NFTA_RULE_CHAIN, "c") },
			func(e *netlink.AttrEncoder) { e.Uint32BE(uapi.NFTA_RULE_HANDLE, 7) }},
		{"chain policy of 1 byte", &Chain{},
			func(e *netlink.AttrEncoder) {
				e.String(uapi.NFTA_CHAIN_TABLE, "t")
				e.String(uapi.NFTA_CHAIN_NAME, "c")
			},
			func(e *netlink.AttrEncoder) { e.Uint8(uapi.NFTA_CHAIN_POLICY, 1) }},
		{"set key length of 2 bytes", &Set{},
			func(e *netlink.AttrEncoder) { e.String(uapi.NFTA_SET_TABLE, "t"); e.String(uapi.NFTA_SET_NAME, "s") },
			func(e *netlink.AttrEncoder) { e.Uint16BE(uapi.NFTA_SET_KEY_LEN, 4) }},
	} {
		e := netlink.NewAttrEncoder(nil)
		tc.head(e)
		tc.odd(e)
		in, _ := e.Finish()
		o := netlink.NewAttrEncoder(nil)
		tc.odd(o)
		odd, _ := o.Finish()
		if err := tc.obj.decode(in); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		e = netlink.NewAttrEncoder(nil)
		tc.obj.encode(e, opNew)
		out, _ := e.Finish()
		if !bytes.Contains(out, odd) {
			t.Errorf("%s: decoded %+v, re-encoded\n% x\nwithout the attribute % x", tc.name, tc.obj, out, odd)
		}
	}
}

// An expression the typed form cannot send back as it came (a required
// attribute missing, or of the wrong size, or twice; a verdict without
// its code) is kept whole: its bytes go back unchanged.
func TestExprBytesKeptReview28(t *testing.T) {
	attrs := func(fn func(e *netlink.AttrEncoder)) []byte {
		e := netlink.NewAttrEncoder(nil)
		fn(e)
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name, kind string
		data       []byte
	}{
		{"payload without its base", "payload", attrs(func(e *netlink.AttrEncoder) {
			e.Uint32BE(1, 1) // NFTA_PAYLOAD_DREG
			e.Uint32BE(3, 2) // NFTA_PAYLOAD_OFFSET
			e.Uint32BE(4, 2) // NFTA_PAYLOAD_LEN
		})},
		{"meta key of 2 bytes", "meta", attrs(func(e *netlink.AttrEncoder) {
			e.Uint16BE(2, 16) // NFTA_META_KEY
			e.Uint32BE(1, 1)  // NFTA_META_DREG
		})},
		{"cmp with two sregs", "cmp", attrs(func(e *netlink.AttrEncoder) {
			e.Uint32BE(1, 1) // NFTA_CMP_SREG
			e.Uint32BE(2, 0) // NFTA_CMP_OP
			d := e.Nest(3)   // NFTA_CMP_DATA
			e.Bytes(1, []byte{6})
			e.End(d)
			e.Uint32BE(1, 2) // NFTA_CMP_SREG again
		})},
		{"immediate without a register", "immediate", attrs(func(e *netlink.AttrEncoder) {
			d := e.Nest(2) // NFTA_IMMEDIATE_DATA
			e.Bytes(1, []byte{1, 2, 3, 4})
			e.End(d)
		})},
		{"immediate verdict without a code", "immediate", attrs(func(e *netlink.AttrEncoder) {
			e.Uint32BE(1, 0) // NFTA_IMMEDIATE_DREG
			d := e.Nest(2)   // NFTA_IMMEDIATE_DATA
			v := e.Nest(2)   // NFTA_DATA_VERDICT
			e.String(2, "c") // NFTA_VERDICT_CHAIN
			e.End(v)
			e.End(d)
		})},
	} {
		in := attrs(func(e *netlink.AttrEncoder) {
			n := e.Nest(uapi.NFTA_LIST_ELEM)
			e.String(uapi.NFTA_EXPR_NAME, tc.kind)
			d := e.Nest(uapi.NFTA_EXPR_DATA)
			e.Raw(tc.data)
			e.End(d)
			e.End(n)
		})
		xs, err := parseExprs(in)
		if err != nil || len(xs) != 1 {
			t.Errorf("%s: %v, %v", tc.name, xs, err)
			continue
		}
		out := attrs(func(e *netlink.AttrEncoder) { putExprs(e, uapi.NFTA_LIST_ELEM, xs) })
		// putExprs wraps the list in one more nest: compare what it holds.
		if !bytes.Equal(out[netlink.AttrHeaderLen:], in) {
			t.Errorf("%s: decoded %#v, re-encoded\n% x\nwant\n% x", tc.name, xs[0], out[netlink.AttrHeaderLen:], in)
		}
	}
}

// Queue 0, as the kernel lists it (NFTA_QUEUE_NUM 0, TOTAL 1, FLAGS 0),
// goes back with its number, which the kernel requires
// (nft_queue_select_ops: EINVAL without NUM or SREG_QNUM); a queue taken
// from a register goes without one.
func TestQueueZeroReview28(t *testing.T) {
	e := netlink.NewAttrEncoder(nil)
	e.Uint16BE(uapi.NFTA_QUEUE_NUM, 0)
	e.Uint16BE(uapi.NFTA_QUEUE_TOTAL, 1)
	e.Uint16BE(uapi.NFTA_QUEUE_FLAGS, 0)
	listed, _ := e.Finish()
	enc := func(x Expr) []byte {
		e := netlink.NewAttrEncoder(nil)
		putExpr(e, uapi.NFTA_LIST_ELEM, x)
		b, _ := e.Finish()
		return b
	}
	// The listed expression, as a rule's NFTA_LIST_ELEM holds it.
	e = netlink.NewAttrEncoder(nil)
	n := e.Nest(uapi.NFTA_LIST_ELEM)
	e.String(uapi.NFTA_EXPR_NAME, "queue")
	d := e.Nest(uapi.NFTA_EXPR_DATA)
	e.Raw(listed)
	e.End(d)
	e.End(n)
	in, _ := e.Finish()
	x, err := parseExpr(in[netlink.AttrHeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	// What goes back: the number and the total (a flags of 0 is the
	// kernel's default).
	want := func(num bool, total uint16, sreg Register) []byte {
		e := netlink.NewAttrEncoder(nil)
		n := e.Nest(uapi.NFTA_LIST_ELEM)
		e.String(uapi.NFTA_EXPR_NAME, "queue")
		d := e.Nest(uapi.NFTA_EXPR_DATA)
		if num {
			e.Uint16BE(uapi.NFTA_QUEUE_NUM, 0)
		}
		if total != 0 {
			e.Uint16BE(uapi.NFTA_QUEUE_TOTAL, total)
		}
		if sreg != 0 {
			e.Uint32BE(uapi.NFTA_QUEUE_SREG_QNUM, sreg)
		}
		e.End(d)
		e.End(n)
		b, _ := e.Finish()
		return b
	}
	if out := enc(x); !bytes.Equal(out, want(true, 1, 0)) {
		t.Errorf("queue 0 (%#v) encoded as % x, want % x", x, out, want(true, 1, 0))
	}
	if out := enc(&Queue{}); !bytes.Equal(out, want(true, 0, 0)) {
		t.Errorf("Queue{} encoded as % x, want % x", out, want(true, 0, 0))
	}
	if out := enc(&Queue{SregQnum: Reg1}); !bytes.Equal(out, want(false, 0, Reg1)) {
		t.Errorf("queue from a register encoded as % x, want % x", out, want(false, 0, Reg1))
	}
}
