package ethtool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
	"github.com/nlkit/netlink/genetlink/ynl/ynltest"
)

// A stats-get reply as the kernel writes it (net/ethtool/stats.c): each
// counter a stat nest holding one u64 attribute whose type is the
// counter's index in its group (from 0, and only the counters the driver
// set), each histogram bucket its own hist-rx or hist-tx nest, the rmon
// group's buckets before its counters.

// statsBucket is a histogram bucket: its range and its count.
type statsBucket struct {
	low, hi uint32
	val     uint64
}

// statsGroup is a standard statistics group of a reply.
type statsGroup struct {
	id, ssID       uint32
	keys           []uint16 // the counters' indexes, in the order sent
	rx, tx         []statsBucket
	withHistograms bool
}

// statsVal is the value of counter key of group id: all 64 bits used,
// distinct across groups and counters; counter 2 of each group is 0.
func statsVal(id uint32, key uint16) uint64 {
	if key == 2 {
		return 0
	}
	return uint64(id+1)<<56 | uint64(key)<<40 | (0xfedc_ba98 + uint64(key))
}

// replyGroups are the groups of the replies below: eth-phy, eth-mac
// (some counters not set by the driver, so not sent), eth-ctrl and rmon
// with histograms (a receive bucket the driver did not set is not sent,
// the kernel goes on to the next). The ss-ids are ETH_SS_STATS_ETH_PHY ….
var replyGroups = []statsGroup{
	{id: 0, ssID: 17, keys: []uint16{0}},
	{id: 1, ssID: 18, keys: []uint16{0, 1, 2, 3, 4, 6, 12, 13, 14, 20, 22}},
	{id: 2, ssID: 19, keys: []uint16{0, 1, 2}},
	{id: 3, ssID: 20, keys: []uint16{0, 1, 3}, withHistograms: true,
		rx: []statsBucket{{0, 64, 1 << 33}, {65, 127, 0}, {256, 511, 7}, {1024, 1518, 1<<63 | 5}},
		tx: []statsBucket{{0, 64, 11}, {65, 127, 1 << 40}}},
}

// kernelAttrs builds attributes as the kernel's nla_put and nla_nest
// helpers do: headers in host byte order, payloads padded to 4 bytes, nests
// with NLA_F_NESTED. strict is a kernel without efficient unaligned access,
// which puts a pad attribute (empty) before a 64-bit value that would not
// be 8-byte aligned; base is where the attributes start in the message
// (after the netlink and genetlink headers), which the kernel's buffer has
// 8-byte aligned.
type kernelAttrs struct {
	b      []byte
	base   int
	strict bool
}

func (k *kernelAttrs) put(typ uint16, payload []byte) {
	k.b = binary.NativeEndian.AppendUint16(k.b, uint16(netlink.AttrHeaderLen+len(payload)))
	k.b = binary.NativeEndian.AppendUint16(k.b, typ)
	k.b = append(k.b, payload...)
	for len(k.b)%4 != 0 {
		k.b = append(k.b, 0)
	}
}

func (k *kernelAttrs) u32(typ uint16, v uint32) {
	k.put(typ, binary.NativeEndian.AppendUint32(nil, v))
}

// u64 is nla_put_u64_64bit: a pad attribute first if the value would not
// be aligned.
func (k *kernelAttrs) u64(typ uint16, v uint64, pad uint16) {
	if k.strict && (k.base+len(k.b)+netlink.AttrHeaderLen)%8 != 0 {
		k.put(pad, nil)
	}
	k.put(typ, binary.NativeEndian.AppendUint64(nil, v))
}

func (k *kernelAttrs) nest(typ uint16) int {
	start := len(k.b)
	k.b = binary.NativeEndian.AppendUint16(k.b, 0)
	k.b = binary.NativeEndian.AppendUint16(k.b, typ|netlink.AttrNested)
	return start
}

func (k *kernelAttrs) end(start int) {
	binary.NativeEndian.PutUint16(k.b[start:], uint16(len(k.b)-start))
}

// stat is stat_put: on a strict kernel a pad attribute in the group, so
// that the u64 one header into the stat nest is aligned; the inner put
// then needs none (its pad type, -1, is never used).
func (k *kernelAttrs) stat(key uint16, v uint64) {
	if k.strict && (k.base+len(k.b))%8 != 0 {
		k.put(AttrStatsGrpPad, nil)
	}
	n := k.nest(AttrStatsGrpStat)
	k.u64(key, v, 0xffff)
	k.end(n)
}

func (k *kernelAttrs) hist(typ uint16, buckets []statsBucket) {
	for _, bk := range buckets {
		n := k.nest(typ)
		k.u32(AttrStatsGrpHistBktLow, bk.low)
		k.u32(AttrStatsGrpHistBktHi, bk.hi)
		k.u64(AttrStatsGrpHistVal, bk.val, AttrStatsGrpPad)
		k.end(n)
	}
}

// statsReply returns the attributes of a stats-get reply of the groups
// as the kernel writes them (stats_fill_reply, after the reply header):
// src first, each rmon group's histograms before its counters. kernelOrder
// false has them in the spec's order instead, as Encode writes them:
// histograms after counters, src last.
func statsReply(strict, kernelOrder bool) []byte {
	k := &kernelAttrs{base: netlink.HeaderLen + genetlink.HeaderLen, strict: strict}
	h := k.nest(AttrStatsHeader)
	k.u32(AttrHeaderDevIndex, 7)
	k.put(AttrHeaderDevName, []byte("eth0\x00"))
	k.end(h)
	if kernelOrder {
		k.u32(AttrStatsSrc, 0)
	}
	for _, g := range replyGroups {
		n := k.nest(AttrStatsGrp)
		k.u32(AttrStatsGrpID, g.id)
		k.u32(AttrStatsGrpSsID, g.ssID)
		if kernelOrder {
			k.hist(AttrStatsGrpHistRx, g.rx)
			k.hist(AttrStatsGrpHistTx, g.tx)
		}
		for _, key := range g.keys {
			k.stat(key, statsVal(g.id, key))
		}
		if !kernelOrder {
			k.hist(AttrStatsGrpHistRx, g.rx)
			k.hist(AttrStatsGrpHistTx, g.tx)
		}
		k.end(n)
	}
	if !kernelOrder {
		k.u32(AttrStatsSrc, 0)
	}
	return k.b
}

// wantStats is the reply of replyGroups as a Stats, built from the same
// data as the bytes, not by the generated code.
func wantStats() Stats {
	want := Stats{Header: ynl.Some(Header{DevIndex: ynl.Some[uint32](7), DevName: "eth0"}), Src: ynl.Some[uint32](0)}
	hist := func(buckets []statsBucket) []StatsGrpHist {
		var h []StatsGrpHist
		for _, bk := range buckets {
			h = append(h, StatsGrpHist{HistBktLow: ynl.Some(bk.low), HistBktHi: ynl.Some(bk.hi), HistVal: ynl.Some(bk.val)})
		}
		return h
	}
	for _, g := range replyGroups {
		grp := StatsGrp{ID: ynl.Some(g.id), SsID: ynl.Some(g.ssID), HistRx: hist(g.rx), HistTx: hist(g.tx)}
		for _, key := range g.keys {
			grp.Stat = append(grp.Stat, ynl.Keyed[uint64]{Key: key, V: statsVal(g.id, key)})
		}
		want.Grp = append(want.Grp, grp)
	}
	return want
}

func decodeStats(t *testing.T, b []byte) Stats {
	t.Helper()
	var st Stats
	d := netlink.NewAttrDecoder(b)
	st.Decode(&d)
	if err := d.Err(); err != nil {
		t.Fatalf("decoding a kernel stats-get reply: %v", err)
	}
	return st
}

// checkStats compares each group, counter and bucket of got with want.
func checkStats(t *testing.T, got, want Stats) {
	t.Helper()
	if len(got.Grp) != len(want.Grp) {
		t.Fatalf("%d groups decoded, want %d", len(got.Grp), len(want.Grp))
	}
	for i, g := range got.Grp {
		w := want.Grp[i]
		if g.ID != w.ID || g.SsID != w.SsID {
			t.Errorf("group %d: id %v ss-id %v, want %v %v", i, g.ID, g.SsID, w.ID, w.SsID)
		}
		if !reflect.DeepEqual(g.Stat, w.Stat) {
			t.Errorf("group %d counters:\n got %v\nwant %v", w.ID.V, g.Stat, w.Stat)
		}
		if !reflect.DeepEqual(g.HistRx, w.HistRx) || !reflect.DeepEqual(g.HistTx, w.HistTx) {
			t.Errorf("group %d histograms:\n got rx %+v tx %+v\nwant rx %+v tx %+v", w.ID.V, g.HistRx, g.HistTx, w.HistRx, w.HistTx)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n %+v\nwant\n %+v", got, want)
	}
}

// TestStatsKernelReply decodes a stats-get reply as the kernel builds it
// (issue 24: the spec's stat is a u64, the kernel's a nest per counter;
// its hist-rx and hist-tx repeat per bucket), checks every counter and
// bucket, and encodes it again: the kernel's bytes, but in the spec's
// order (the rmon group's histograms after its counters, src last). Then the same on a kernel that pads 64-bit values, whose pads
// the sets keep as unknown attributes; and the fuzz round trip.
func TestStatsKernelReply(t *testing.T) {
	b := statsReply(false, true)
	got := decodeStats(t, b)
	want := wantStats()
	checkStats(t, got, want)

	e := netlink.NewAttrEncoder(nil)
	got.Encode(e)
	enc, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if specOrder := statsReply(false, false); !bytes.Equal(enc, specOrder) {
		t.Errorf("encoded\n %x\nwant (the kernel's, in the spec's order)\n %x", enc, specOrder)
	}
	checkStats(t, decodeStats(t, enc), want)

	// A strict-alignment kernel: pads in the groups before stat nests and
	// in the buckets before hist-val.
	padded := statsReply(true, true)
	if len(padded) <= len(b) {
		t.Fatalf("the padded reply (%d bytes) has no pads (%d without)", len(padded), len(b))
	}
	pg := decodeStats(t, padded)
	pads := 0
	strip := func(u []netlink.Attr) []netlink.Attr {
		for _, a := range u {
			if a.Type != AttrStatsGrpPad || len(a.Data) != 0 {
				t.Errorf("unknown attribute %+v, want only pads", a)
			}
			pads++
		}
		return nil
	}
	for i := range pg.Grp {
		g := &pg.Grp[i]
		g.Unknown = strip(g.Unknown)
		for j := range g.HistRx {
			g.HistRx[j].Unknown = strip(g.HistRx[j].Unknown)
		}
		for j := range g.HistTx {
			g.HistTx[j].Unknown = strip(g.HistTx[j].Unknown)
		}
	}
	if pads == 0 {
		t.Error("no pad kept")
	}
	checkStats(t, pg, want)

	ynltest.RoundTrip[Stats](t, b)
	ynltest.RoundTrip[Stats](t, padded)
}

// TestStatsJSON checks that DecodeJSON writes the counters as objects
// keyed by their index, and that EncodeJSON reads that back.
func TestStatsJSON(t *testing.T) {
	js, err := Spec.DecodeJSON("stats", statsReply(false, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf(`"stat":[{"0":%d}]`, statsVal(0, 0)),
		fmt.Sprintf(`{"id":3,"ss-id":20,"hist-rx":[{"hist-bkt-low":0,"hist-bkt-hi":64,"hist-val":%d},`, uint64(1<<33)),
		fmt.Sprintf(`{"1":%d},{"2":0},{"3":%d}`, statsVal(1, 1), statsVal(1, 3)),
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("no %s in %s", want, js)
		}
	}
	attrs, err := Spec.EncodeJSON("stats", js)
	if err != nil {
		t.Fatal(err)
	}
	checkStats(t, decodeStats(t, attrs), wantStats())
}

// TestStatsTrace checks that traces name a stats-get reply's counters
// and buckets: stat nests with their numbered u64, hist-rx and hist-tx
// with their fields.
func TestStatsTrace(t *testing.T) {
	const id = 0x6e
	reply := nlctrl.CtrlAttrs{FamilyID: ynl.Some[uint16](id), FamilyName: "ethtool"}
	e := netlink.NewAttrEncoder(genetlink.AppendHeader(nil, genetlink.Header{Command: nlctrl.CmdGetfamilyReply, Version: 2}))
	reply.Encode(e)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	for m, err := range netlink.Messages(netlink.AppendMessage(nil, netlink.Header{Type: 0x10}, data)) {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := genetlink.ParseFamily(m); err != nil {
			t.Fatal(err)
		}
	}
	msg := genetlink.AppendHeader(nil, genetlink.Header{Command: CmdStatsGetReply, Version: 1})
	msg = append(msg, statsReply(false, true)...)
	var out strings.Builder
	if err := netlink.FormatMessages(&out, 16, netlink.AppendMessage(nil, netlink.Header{Type: id}, msg)); err != nil {
		t.Fatal(err)
	}
	hexOf := func(b []byte) string {
		var s []string
		for _, c := range b {
			s = append(s, fmt.Sprintf("%02x", c))
		}
		return strings.Join(s, " ")
	}
	le := func(v uint64) string { return hexOf(binary.NativeEndian.AppendUint64(nil, v)) }
	le32 := func(v uint32) string { return hexOf(binary.NativeEndian.AppendUint32(nil, v)) }
	for _, want := range []string{
		"cmd=33 (stats-get) version=1\n",
		"  attr 4 grp len=",
		fmt.Sprintf("    attr 2 id len=8: %s (1)\n", le32(1)),
		fmt.Sprintf("    attr 4 stat len=16\n      attr 0 len=12: %s (%d)\n", le(statsVal(1, 0)), statsVal(1, 0)),
		fmt.Sprintf("    attr 4 stat len=16\n      attr 22 len=12: %s (%d)\n", le(statsVal(1, 22)), statsVal(1, 22)),
		fmt.Sprintf("    attr 5 hist-rx len=32\n      attr 7 hist-bkt-low len=8: %s (256)\n      attr 8 hist-bkt-hi len=8: %s (511)\n      attr 9 hist-val len=12: %s (7)\n", le32(256), le32(511), le(7)),
		"    attr 6 hist-tx len=32\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}
