package tc_test

import (
	"fmt"
	"net/netip"
	"os"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/tc"
)

// Building a filter's options: a flower match on DNS to 198.18.0.0/15
// with a police action, as AddFilter would send it. Append encodes it as
// the kernel reports one, and ParseEvent reads that back.
func ExampleFilter_Append() {
	f := tc.Filter{
		Ifindex: 2, Parent: tc.HandleClsactIngress, Priority: 1, Protocol: tc.ProtoIP,
		Options: &tc.Flower{
			EthType: tc.ProtoIP, IPProto: 17, Dst: netip.MustParsePrefix("198.18.0.0/15"), DstPort: 53,
			Actions: []tc.Action{{Options: &tc.Police{
				Rate:    tc.RateSpec{Rate: 125000}, // bytes per second: 1mbit
				Burst:   tc.BurstTime(125000, 10*1024),
				Verdict: tc.ActShot,
			}}},
		},
	}
	b, err := f.Append(nil)
	if err != nil {
		panic(err)
	}
	const rtmNewTFilter = 44 // RTM_NEWTFILTER
	ev, err := tc.ParseEvent(netlink.Message{Header: netlink.Header{Type: rtmNewTFilter}, Data: b})
	if err != nil {
		panic(err)
	}
	got := ev.Filter.Options.(*tc.Flower)
	police := got.Actions[0].Options.(*tc.Police)
	fmt.Println(ev.Filter.Kind, ev.Filter.Parent, "pref", ev.Filter.Priority)
	fmt.Println(got.Dst, got.IPProto, got.DstPort)
	fmt.Println(got.Actions[0].Kind, police.Rate.Rate, police.Burst, police.Verdict == tc.ActShot)
	// Output:
	// flower ffff:fff2 pref 1
	// 198.18.0.0/15 17 53
	// police 125000 81.92ms true
}

// Decoding a captured reply: the kernel's RTM_NEWQDISC for
// "tc qdisc add dev v0 root handle 1: htb default 10 r2q 5", as a dump
// of it sent it (testdata/kernel/002.bin, the message's payload).
func ExampleParseEvent() {
	b, err := os.ReadFile("testdata/kernel/002.bin")
	if err != nil {
		panic(err)
	}
	const rtmNewQdisc = 36 // RTM_NEWQDISC
	ev, err := tc.ParseEvent(netlink.Message{Header: netlink.Header{Type: rtmNewQdisc}, Data: b})
	if err != nil {
		panic(err)
	}
	q := ev.Qdisc
	htb := q.Options.(*tc.HTB)
	fmt.Println(q.Kind, q.Handle, q.Parent, ev.Deleted())
	fmt.Printf("default %#x r2q %d\n", htb.Default, htb.R2Q)
	fmt.Println("sent", q.Stats.Bytes, "bytes", q.Stats.Packets, "packets")
	// Output:
	// htb 1: root false
	// default 0x10 r2q 5
	// sent 0 bytes 0 packets
}
