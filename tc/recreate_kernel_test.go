//go:build linux

package tc_test

import (
	"slices"
	"testing"

	"github.com/nlkit/netlink/tc"
)

// hostScript makes, with tc, one object of each kind this machine's
// kernel has (htb, tbf, fifos, clsact, u32 with hash tables and links,
// classic bpf, mirred inline and standalone).
const hostScript = `
qdisc add dev v0 root handle 1: htb default 10 r2q 5
class add dev v0 parent 1: classid 1:1 htb rate 10mbit ceil 20mbit burst 15k prio 2
class add dev v0 parent 1:1 classid 1:10 htb rate 5gbit ceil 6gbit quantum 1500
class add dev v0 parent 1:1 classid 1:20 htb rate 1mbit overhead 24 mpu 64
class add dev v0 parent 1:1 classid 1:30 htb rate 1mbit
class add dev v0 parent 1:1 classid 1:40 htb rate 1mbit
qdisc add dev v0 parent 1:10 handle 10: tbf rate 1mbit burst 10kb limit 30000
qdisc add dev v0 parent 1:20 handle 20: bfifo limit 5000
qdisc add dev v0 parent 1:30 handle 30: pfifo limit 7
qdisc add dev v0 parent 1:40 handle 40: pfifo_head_drop limit 9
filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 198.18.0.0/15 flowid 1:10
filter add dev v0 parent 1: prio 2 handle 2: protocol ip u32 divisor 256
filter add dev v0 parent 1: prio 2 protocol ip u32 ht 2:7: match ip src 198.18.0.7 flowid 1:20
filter add dev v0 parent 1: prio 2 protocol ip u32 ht 801:: match ip dst 198.18.0.0/16 hashkey mask 0x000000ff at 12 link 2:
qdisc add dev v0 clsact
filter add dev v0 ingress prio 5 protocol all bpf bytecode 1,6~0~0~0, classid 1:1
filter add dev v0 egress protocol ip prio 3 u32 match ip src 198.18.0.1 action mirred egress redirect dev v1
actions add action mirred egress mirror dev v1 index 7
`

// TestRecreateHost: what tc makes, Conn lists; deleted and made again from
// the listing, tc shows exactly what it showed.
func TestRecreateHost(t *testing.T) {
	w := newWorld(t)
	w.script(t, hostScript)
	before := w.show(t, "mirred")
	l := w.list(t, "mirred")
	checkTyped(t, l)
	w.clear(t, l)
	if after := w.show(t, "mirred"); after == before {
		t.Fatal("clear left everything in place")
	}
	w.create(t, l)
	if after := w.show(t, "mirred"); after != before {
		t.Errorf("tc shows, after re-creating the listing:\n%s\nbefore:\n%s", after, before)
	}
}

// checkTyped fails for an object that was read as raw options, but those
// of the kinds in raw, which this package does not model.
func checkTyped(t *testing.T, l listing, raw ...string) {
	t.Helper()
	l.qdiscs = slices.DeleteFunc(slices.Clone(l.qdiscs), func(q tc.Qdisc) bool { return slices.Contains(raw, q.Kind) })
	l.filters = slices.DeleteFunc(slices.Clone(l.filters), func(f tc.Filter) bool { return slices.Contains(raw, f.Kind) })
	for _, q := range l.qdiscs {
		if _, raw := q.Options.(*tc.RawOptions); raw {
			t.Errorf("qdisc %s %s read as raw options", q.Kind, q.Handle)
		}
	}
	for _, c := range l.classes {
		if _, raw := c.Options.(*tc.RawOptions); raw {
			t.Errorf("class %s %s read as raw options", c.Kind, c.Handle)
		}
	}
	for _, f := range l.filters {
		if _, raw := f.Options.(*tc.RawOptions); raw {
			t.Errorf("filter %s %#x read as raw options", f.Kind, f.Handle)
		}
	}
	for _, a := range l.actions {
		if _, raw := a.Options.(*tc.RawActionOptions); raw {
			t.Errorf("action %s %d read as raw options", a.Kind, a.Index)
		}
	}
}
