//go:build linux

package tc_test

import (
	"testing"

	"github.com/nlkit/netlink/tc"
)

const mbit = 1000 * 1000 / 8 // bytes per second

// hostObjects is hostScript made with Conn: the same qdiscs, classes,
// filters and actions, as a user would write them.
func hostObjects(v0, v1 int) listing {
	h := tc.MakeHandle
	htbClass := func(id, parent tc.Handle, o tc.HTBClass) tc.Class {
		return tc.Class{Ifindex: v0, Handle: id, Parent: parent, Options: &o}
	}
	qdisc := func(handle, parent tc.Handle, o tc.Options) tc.Qdisc {
		return tc.Qdisc{Ifindex: v0, Handle: handle, Parent: parent, Options: o}
	}
	ipKey := func(addr uint32, mask uint32, off int32) tc.U32Key {
		return tc.U32Key{Val: addr, Mask: mask, Off: off}
	}
	return listing{
		qdiscs: []tc.Qdisc{
			qdisc(h(1, 0), tc.HandleRoot, &tc.HTB{R2Q: 5, Default: 0x10}),
			qdisc(tc.HandleIngressQdisc, tc.HandleIngress, &tc.Clsact{}),
			qdisc(h(0x10, 0), h(1, 0x10), &tc.TBF{Rate: tc.RateSpec{Rate: 1 * mbit}, Buffer: tc.BurstTime(1*mbit, 10*1024), Limit: 30000}),
			qdisc(h(0x20, 0), h(1, 0x20), &tc.FIFO{KindName: "bfifo", Limit: 5000}),
			qdisc(h(0x30, 0), h(1, 0x30), &tc.FIFO{KindName: "pfifo", Limit: 7}),
			qdisc(h(0x40, 0), h(1, 0x40), &tc.FIFO{KindName: "pfifo_head_drop", Limit: 9}),
		},
		classes: []tc.Class{
			htbClass(h(1, 1), h(1, 0), tc.HTBClass{Rate: tc.RateSpec{Rate: 10 * mbit}, Ceil: tc.RateSpec{Rate: 20 * mbit}, Burst: tc.BurstTime(10*mbit, 15*1024), Prio: 2}),
			htbClass(h(1, 0x10), h(1, 1), tc.HTBClass{Rate: tc.RateSpec{Rate: 5000 * mbit}, Ceil: tc.RateSpec{Rate: 6000 * mbit}, Quantum: 1500}),
			htbClass(h(1, 0x20), h(1, 1), tc.HTBClass{Rate: tc.RateSpec{Rate: 1 * mbit, Overhead: 24, MPU: 64}, Ceil: tc.RateSpec{Rate: 1 * mbit, Overhead: 24, MPU: 64}}),
			htbClass(h(1, 0x30), h(1, 1), tc.HTBClass{Rate: tc.RateSpec{Rate: 1 * mbit}}),
			htbClass(h(1, 0x40), h(1, 1), tc.HTBClass{Rate: tc.RateSpec{Rate: 1 * mbit}}),
		},
		filters: []tc.Filter{
			{Ifindex: v0, Parent: h(1, 0), Protocol: tc.ProtoIP, Priority: 1, Options: &tc.U32{
				ClassID: h(1, 0x10),
				Sel:     &tc.U32Sel{Flags: tc.U32Terminal, Keys: []tc.U32Key{ipKey(0xc6120000, 0xfffe0000, 16)}},
			}},
			{Ifindex: v0, Parent: h(1, 0), Protocol: tc.ProtoIP, Priority: 2, Handle: tc.U32Handle(2, 0, 0), Options: &tc.U32{Divisor: 256}},
			{Ifindex: v0, Parent: h(1, 0), Protocol: tc.ProtoIP, Priority: 2, Options: &tc.U32{
				Hash: tc.U32Handle(2, 7, 0), ClassID: h(1, 0x20),
				Sel: &tc.U32Sel{Flags: tc.U32Terminal, Keys: []tc.U32Key{ipKey(0xc6120007, 0xffffffff, 12)}},
			}},
			{Ifindex: v0, Parent: h(1, 0), Protocol: tc.ProtoIP, Priority: 2, Options: &tc.U32{
				Hash: tc.U32Handle(0x801, 0, 0), Link: tc.U32Handle(2, 0, 0),
				Sel: &tc.U32Sel{Hmask: 0xff, Hoff: 12, Keys: []tc.U32Key{ipKey(0xc6120000, 0xffff0000, 16)}},
			}},
			{Ifindex: v0, Parent: tc.HandleClsactIngress, Protocol: tc.ProtoAll, Priority: 5, Options: &tc.BPF{
				ClassID: h(1, 1), Ops: []byte{6, 0, 0, 0, 0, 0, 0, 0},
			}},
			{Ifindex: v0, Parent: tc.HandleClsactEgress, Protocol: tc.ProtoIP, Priority: 3, Options: &tc.U32{
				Sel:     &tc.U32Sel{Flags: tc.U32Terminal, Keys: []tc.U32Key{ipKey(0xc6120001, 0xffffffff, 12)}},
				Actions: []tc.Action{{Options: &tc.Mirred{Verdict: tc.ActStolen, Action: tc.MirredEgressRedirect, Ifindex: uint32(v1)}}},
			}},
		},
		actions: []tc.Action{
			{Index: 7, Options: &tc.Mirred{Verdict: tc.ActPipe, Action: tc.MirredEgressMirror, Ifindex: uint32(v1)}},
		},
	}
}

// TestMakeHost: what Conn makes, tc shows exactly as what tc makes with
// the same commands.
func TestMakeHost(t *testing.T) {
	theirs := newWorld(t)
	theirs.script(t, hostScript)
	ours := newWorld(t)
	ours.create(t, hostObjects(ours.v0, ours.v1))
	if a, b := ours.show(t, "mirred"), theirs.show(t, "mirred"); a != b {
		t.Errorf("tc shows what Conn made:\n%s\nand what tc made:\n%s", a, b)
	}
}
