//go:build linux

package tc_test

import (
	"strings"
	"testing"
)

// vmScript makes, with tc, the kinds this machine's kernel lacks and the
// VM harness's distribution kernel has as modules (prio, fq_codel, fq,
// netem, flower, matchall, gact, police, the bpf action: vmTypedScript),
// and two this package does not model (pie, basic), which travel as raw
// options.
const vmScript = vmTypedScript + `
qdisc add dev v0 parent 1:4 handle 40: pie
filter add dev v0 egress prio 6 protocol ip basic action gact pass
`

// vmTypedScript is the part of vmScript made of kinds this package models;
// vmObjects makes the same with Conn.
const vmTypedScript = `
qdisc add dev v0 root handle 1: prio bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 3
qdisc add dev v0 parent 1:1 handle 10: fq_codel limit 2000 target 3ms interval 50ms noecn flows 512
qdisc add dev v0 parent 1:2 handle 20: fq limit 5000 flow_limit 50 quantum 3028 maxrate 1mbit
qdisc add dev v0 parent 1:3 handle 30: netem delay 20ms 5ms loss 1% duplicate 0.5%
qdisc add dev v0 clsact
filter add dev v0 ingress protocol ip prio 1 flower ip_proto tcp dst_ip 198.18.0.0/16 src_port 80 action gact drop
filter add dev v0 ingress protocol ip prio 2 flower skip_hw ip_proto udp src_ip 198.18.1.1 dst_port 53 action police rate 1mbit burst 10k conform-exceed drop/pipe
filter add dev v0 ingress protocol ip prio 3 flower src_mac 02:00:00:00:00:01 action gact pass
filter add dev v0 egress prio 3 protocol all matchall action gact pass
filter add dev v0 egress protocol 802.1q prio 4 flower vlan_id 10 action mirred egress redirect dev v1
filter add dev v0 egress prio 5 protocol all matchall action bpf bytecode 1,6~0~0~0,
actions add action gact drop random determ pipe 10 index 9
actions add action police rate 2mbit burst 20k index 11
`

// vmKinds are the action kinds vmScript makes.
var vmKinds = []string{"gact", "police", "mirred", "bpf"}

// vmWorld returns a world with script made by tc in it, and skips when
// the kernel lacks one of the kinds (outside the VM harness).
func vmWorld(t *testing.T, script string) *world {
	t.Helper()
	w := newWorld(t)
	for l := range strings.Lines(script) {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		for i := range f {
			f[i] = strings.ReplaceAll(f[i], "~", " ")
		}
		if out, err := w.tryTC(f...); err != nil {
			if missingKind(out) {
				t.Skipf("the kernel lacks a kind (it runs in the VM harness): tc %s: %v", strings.TrimSpace(l), err)
			}
			t.Fatalf("tc %s: %v", strings.TrimSpace(l), err)
		}
	}
	return w
}

// TestRecreateVM is TestRecreateHost for vmScript. It needs modules this
// machine's kernel does not have: run it in the VM harness,
//
//	go run ./internal/cmd/vmtest -kernel 6.12 -short ./tc
//
// and it skips elsewhere.
func TestRecreateVM(t *testing.T) {
	w := vmWorld(t, vmScript)
	before := w.show(t, vmKinds...)
	l := w.list(t, vmKinds...)
	checkTyped(t, l, "pie", "basic")
	w.clear(t, l)
	w.create(t, l)
	if after := w.show(t, vmKinds...); after != before {
		t.Errorf("tc shows, after re-creating the listing:\n%s\nbefore:\n%s", after, before)
	}
}

// missingKind reports whether tc's output says the kernel has no such
// qdisc, classifier or action.
func missingKind(out string) bool {
	for _, s := range []string{"Unknown qdisc", "Specified qdisc kind is unknown", "Unknown filter", "Specified filter kind", "Failed to load", "not found", "Unknown action", "Specified action kind", "No such file or directory", "Operation not supported"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}
