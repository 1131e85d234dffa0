//go:build linux

package tc_test

import (
	"testing"

	"github.com/nlkit/netlink/tc"
)

// ingressScript makes, with tc, the two kinds hostScript leaves out
// because they take the places of its htb and clsact: a pfifo_fast root
// and an ingress qdisc, with a u32 filter on the ingress qdisc.
const ingressScript = `
qdisc add dev v0 root handle 1: pfifo_fast
qdisc add dev v0 ingress
filter add dev v0 parent ffff: protocol ip prio 1 u32 match ip src 198.18.0.1/32 action mirred egress redirect dev v1
`

// TestIngressPFIFOFastHost is TestRecreateHost and TestMakeHost for
// ingressScript: what tc makes, Conn lists typed and re-creates as it
// was; what Conn makes, tc shows as what tc made.
func TestIngressPFIFOFastHost(t *testing.T) {
	w := newWorld(t)
	w.script(t, ingressScript)
	before := w.show(t, "mirred")
	l := w.list(t, "mirred")
	checkTyped(t, l)
	kinds := map[string]bool{}
	for _, q := range l.qdiscs {
		kinds[q.Kind] = true
	}
	if !kinds["pfifo_fast"] || !kinds["ingress"] || len(l.filters) == 0 {
		t.Fatalf("listed qdiscs %v and %d filters, want pfifo_fast, ingress and the u32 filter", kinds, len(l.filters))
	}
	w.clear(t, l)
	if after := w.show(t, "mirred"); after == before {
		t.Fatal("clear left everything in place")
	}
	w.create(t, l)
	if after := w.show(t, "mirred"); after != before {
		t.Errorf("tc shows, after re-creating the listing:\n%s\nbefore:\n%s", after, before)
	}

	// Compared with a world of its own: each show's action dump makes
	// the kernel report TCA_ACT_USED_HW_STATS in later filter dumps, so
	// the first shows of two worlds compare, not the first and the fourth.
	theirs := newWorld(t)
	theirs.script(t, ingressScript)
	ours := newWorld(t)
	ours.create(t, listing{
		qdiscs: []tc.Qdisc{
			{Ifindex: ours.v0, Handle: tc.MakeHandle(1, 0), Parent: tc.HandleRoot, Options: &tc.PFIFOFast{}},
			{Ifindex: ours.v0, Handle: tc.HandleIngressQdisc, Parent: tc.HandleIngress, Options: &tc.Ingress{}},
		},
		filters: []tc.Filter{{Ifindex: ours.v0, Parent: tc.HandleIngressQdisc, Protocol: tc.ProtoIP, Priority: 1, Options: &tc.U32{
			Sel:     &tc.U32Sel{Flags: tc.U32Terminal, Keys: []tc.U32Key{{Val: 0xc6120001, Mask: 0xffffffff, Off: 12}}},
			Actions: []tc.Action{{Options: &tc.Mirred{Verdict: tc.ActStolen, Action: tc.MirredEgressRedirect, Ifindex: uint32(ours.v1)}}},
		}}},
	})
	if a, b := ours.show(t, "mirred"), theirs.show(t, "mirred"); a != b {
		t.Errorf("tc shows what Conn made:\n%s\nand what tc made:\n%s", a, b)
	}
}
