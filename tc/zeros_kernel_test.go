//go:build linux

package tc_test

import (
	"strings"
	"testing"
)

// zerosHostScript makes, with tc, options the kernel holds as 0 where an
// absent option means the kernel's default (limit 0 is a queue that drops
// everything; the default is the link's txqueuelen).
const zerosHostScript = `
qdisc add dev v0 root handle 1: htb direct_qlen 0
class add dev v0 parent 1: classid 1:1 htb rate 1mbit
class add dev v0 parent 1: classid 1:2 htb rate 1mbit
qdisc add dev v0 parent 1:1 handle 10: pfifo limit 0
qdisc add dev v0 parent 1:2 handle 20: bfifo limit 0
`

// zerosVMScript is zerosHostScript for the kinds the VM harness's kernel
// has: an all-zero priomap, netem limit 0, fq_codel and fq options of 0,
// and flower's vlan_id 0 (priority-tagged frames) and ip_proto 0.
const zerosVMScript = `
qdisc add dev v0 root handle 1: prio bands 3 priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
qdisc add dev v0 parent 1:1 handle 10: netem limit 0
qdisc add dev v0 parent 1:2 handle 20: fq_codel ce_threshold 0ms
qdisc add dev v0 parent 1:3 handle 30: fq limit 0 flow_limit 0 initial_quantum 0 refill_delay 0ms orphan_mask 0 ce_threshold 0ms timer_slack 0 horizon 0
qdisc add dev v0 clsact
filter add dev v0 egress protocol 802.1q prio 1 flower vlan_id 0 action gact pass
filter add dev v0 egress protocol ip prio 2 flower ip_proto 0 action gact pass
`

// TestRecreateZerosHost: options of 0, listed, deleted and made again
// from the listing, are 0 again, not the kernel's defaults.
func TestRecreateZerosHost(t *testing.T) {
	w := newWorld(t)
	w.script(t, zerosHostScript)
	recreateZeros(t, w, `"direct_qlen":0`, `"limit":0`)
}

// TestRecreateZerosVM is TestRecreateZerosHost for zerosVMScript; it runs
// in the VM harness (TestKindsVM) and skips elsewhere.
func TestRecreateZerosVM(t *testing.T) {
	w := vmWorld(t, zerosVMScript)
	recreateZeros(t, w, `"priomap":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]`, `"limit":0`, `"vlan_id":0`, `"ip_proto":"00"`, `"flow_limit":0`, `"refill_delay":0`, `"ce_threshold":0`)
}

// recreateZeros checks that tc shows want (so that the test sees the
// zeros it is about), then lists, clears, re-creates and compares.
func recreateZeros(t *testing.T, w *world, want ...string) {
	t.Helper()
	before := w.show(t)
	for _, s := range want {
		if !strings.Contains(before, s) {
			t.Fatalf("tc does not show %s:\n%s", s, before)
		}
	}
	l := w.list(t)
	checkTyped(t, l)
	w.clear(t, l)
	w.create(t, l)
	if after := w.show(t); after != before {
		t.Errorf("tc shows, after re-creating the listing:\n%s\nbefore:\n%s", after, before)
	}
}
