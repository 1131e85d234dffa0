package tc_test

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/tc"
)

// TestParseStats decodes a qdisc's TCA_STATS2 with each of its parts set
// to values no other part has: basic (and TCA_STATS_PKT64 over its 32-bit
// count), queue, the 32-bit and 64-bit rate estimates (the 64-bit wins),
// hardware and the kind's own statistics. TestStatsMatchTC compares them
// with tc on the kernel's, where most of them are 0.
func TestParseStats(t *testing.T) {
	ne := binary.NativeEndian
	e := netlink.NewAttrEncoder(make([]byte, 20))               // struct tcmsg
	e.String(1, "htb")                                          // TCA_KIND
	n := e.Nest(7)                                              // TCA_STATS2
	e.Bytes(1, ne.AppendUint32(ne.AppendUint64(nil, 1001), 11)) // TCA_STATS_BASIC: bytes, packets
	e.Bytes(2, ne.AppendUint32(ne.AppendUint32(nil, 5), 6))     // TCA_STATS_RATE_EST: overridden by RATE_EST64
	q := ne.AppendUint32(ne.AppendUint32(ne.AppendUint32(nil, 21), 22), 23)
	e.Bytes(3, ne.AppendUint32(ne.AppendUint32(q, 24), 25))         // TCA_STATS_QUEUE: qlen, backlog, drops, requeues, overlimits
	e.Bytes(4, []byte{1, 2, 3, 4})                                  // TCA_STATS_APP
	e.Bytes(5, ne.AppendUint64(ne.AppendUint64(nil, 1<<40), 1<<33)) // TCA_STATS_RATE_EST64: bps, pps
	e.Bytes(7, ne.AppendUint32(ne.AppendUint64(nil, 3003), 33))     // TCA_STATS_BASIC_HW
	e.Bytes(8, ne.AppendUint64(nil, 1<<35))                         // TCA_STATS_PKT64
	e.End(n)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := tc.ParseEvent(netlink.Message{Header: netlink.Header{Type: uapi.RTM_NEWQDISC}, Data: b})
	if err != nil || ev.Qdisc == nil || ev.Qdisc.Stats == nil {
		t.Fatalf("ParseEvent: %+v, %v", ev, err)
	}
	s := *ev.Qdisc.Stats
	want := tc.Stats{Bytes: 1001, Packets: 1 << 35, Qlen: 21, Backlog: 22, Drops: 23, Requeues: 24, Overlimits: 25,
		RateBPS: 1 << 40, RatePPS: 1 << 33, HWBytes: 3003, HWPackets: 33}
	if string(s.App) != "\x01\x02\x03\x04" {
		t.Errorf("App % x", s.App)
	}
	s.App = nil
	if !reflect.DeepEqual(s, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", s, want)
	}
}
