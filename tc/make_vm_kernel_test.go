//go:build linux

package tc_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/tc"
)

// vmObjects is vmTypedScript made with Conn, as a user would write it.
func vmObjects(t *testing.T, v0, v1 int) listing {
	h := tc.MakeHandle
	qdisc := func(handle, parent tc.Handle, o tc.Options) tc.Qdisc {
		return tc.Qdisc{Ifindex: v0, Handle: handle, Parent: parent, Options: o}
	}
	filter := func(parent tc.Handle, proto, prio uint16, o tc.Options) tc.Filter {
		return tc.Filter{Ifindex: v0, Parent: parent, Protocol: proto, Priority: prio, Options: o}
	}
	act := func(o tc.ActionOptions) []tc.Action { return []tc.Action{{Options: o}} }
	// src_mac is a flower key without a field: its attributes go in Other
	// (TCA_FLOWER_KEY_ETH_SRC and _MASK, linux/pkt_cls.h).
	e := netlink.NewAttrEncoder(nil)
	e.Bytes(6, []byte{2, 0, 0, 0, 0, 1})
	e.Bytes(7, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	srcMAC, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return listing{
		qdiscs: []tc.Qdisc{
			qdisc(h(1, 0), tc.HandleRoot, &tc.Prio{Bands: 4, Priomap: [16]uint8{1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3}}),
			qdisc(tc.HandleIngressQdisc, tc.HandleIngress, &tc.Clsact{}),
			qdisc(h(0x10, 0), h(1, 1), &tc.FQCodel{Limit: 2000, Target: 3 * time.Millisecond, Interval: 50 * time.Millisecond, NoECN: true, Flows: 512}),
			qdisc(h(0x20, 0), h(1, 2), &tc.FQ{Limit: 5000, FlowLimit: 50, Quantum: 3028, MaxRate: 1 * mbit}),
			qdisc(h(0x30, 0), h(1, 3), &tc.Netem{Latency: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: tc.Percent(1), Duplicate: tc.Percent(0.5)}),
		},
		filters: []tc.Filter{
			filter(tc.HandleClsactIngress, tc.ProtoIP, 1, &tc.Flower{
				EthType: tc.ProtoIP, IPProto: 6, Dst: netip.MustParsePrefix("198.18.0.0/16"), SrcPort: 80,
				Actions: act(&tc.Gact{Verdict: tc.ActShot}),
			}),
			filter(tc.HandleClsactIngress, tc.ProtoIP, 2, &tc.Flower{
				EthType: tc.ProtoIP, IPProto: 17, Src: netip.MustParsePrefix("198.18.1.1/32"), DstPort: 53, Flags: tc.FlagSkipHW,
				Actions: act(&tc.Police{Rate: tc.RateSpec{Rate: 1 * mbit}, Burst: tc.BurstTime(1*mbit, 10*1024), Verdict: tc.ActShot, Conform: tc.ActPipe}),
			}),
			filter(tc.HandleClsactIngress, tc.ProtoIP, 3, &tc.Flower{
				EthType: tc.ProtoIP, Other: tc.RawAttrs(srcMAC),
				Actions: act(&tc.Gact{Verdict: tc.ActOK}),
			}),
			filter(tc.HandleClsactEgress, tc.ProtoAll, 3, &tc.Matchall{
				Actions: act(&tc.Gact{Verdict: tc.ActOK}),
			}),
			filter(tc.HandleClsactEgress, tc.Proto8021Q, 4, &tc.Flower{
				EthType: tc.Proto8021Q, VLANID: 10,
				Actions: act(&tc.Mirred{Verdict: tc.ActStolen, Action: tc.MirredEgressRedirect, Ifindex: uint32(v1)}),
			}),
			filter(tc.HandleClsactEgress, tc.ProtoAll, 5, &tc.Matchall{
				Actions: act(&tc.ActBPF{Verdict: tc.ActPipe, Ops: []byte{6, 0, 0, 0, 0, 0, 0, 0}}),
			}),
		},
		actions: []tc.Action{
			{Index: 9, Options: &tc.Gact{Verdict: tc.ActShot, ProbType: 2, ProbValue: 10, ProbVerdict: tc.ActPipe}},
			// tc's police takes "reclassify" over the rate by default.
			{Index: 11, Options: &tc.Police{Rate: tc.RateSpec{Rate: 2 * mbit}, Burst: tc.BurstTime(2*mbit, 20*1024), Verdict: tc.ActReclassify}},
		},
	}
}

// TestMakeVM is TestMakeHost for the kinds of the VM harness's kernel
// (vmTypedScript): what Conn makes, tc shows exactly as what tc makes.
func TestMakeVM(t *testing.T) {
	theirs := vmWorld(t, vmTypedScript)
	ours := newWorld(t)
	ours.create(t, vmObjects(t, ours.v0, ours.v1))
	if a, b := ours.show(t, vmKinds...), theirs.show(t, vmKinds...); a != b {
		t.Errorf("tc shows what Conn made:\n%s\nand what tc made:\n%s", a, b)
	}
}
