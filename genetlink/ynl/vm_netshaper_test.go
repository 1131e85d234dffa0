//go:build linux

package ynl_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/netshaper"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// shaperQueues is how many queues the netdevsim port of runNetShaper has:
// queue shapers 1 and 2 go under a node, the last one is set alone.
const shaperQueues = 4

// withModule returns run, which needs module mod loaded (a driver whose
// devices it works on, not the family's own module), as a runner that
// skips first, saying so, when mod is not loaded: the family's policy
// comparison has run by then, its do and dump have not.
func withModule(mod string, run func(t *testing.T, ns *nstest.NS, g, gns *genetlink.Conn)) func(t *testing.T, ns *nstest.NS, g, gns *genetlink.Conn) {
	return func(t *testing.T, ns *nstest.NS, g, gns *genetlink.Conn) {
		t.Helper()
		if _, err := os.Stat("/sys/module/" + mod); err != nil {
			t.Skipf("the policy comparison ran, but the do and dump need the devices of module %s, which is not loaded "+
				"(vmtest builds and loads it with -modules %s, as TestFamiliesVM's vmModules do): %v", mod, mod, err)
		}
		run(t, ns, g, gns)
	}
}

// runNetShaper drives net-shaper on a netdevsim port, whose driver
// implements every shaper operation and capability (Debian's kernels
// have the family built in; no driver of theirs a VM can have does):
// the capabilities (a dump and a do); a set of the netdev shaper and of
// queue 1, each read back with a get and a dump; a group of queues 1
// and 2 under a new node; deleting the node, which moves its queues back
// under the netdev, then the netdev shaper and the queues. No tool shows
// shapers (not ip, ethtool or /sys), so what was set is the oracle, the
// dos and the dumps must agree, and the kernel's errors are checked: a
// get of a deleted shaper, a queue past the device's last (the count
// from `ip -d link show`), a set of a node that does not exist, and a
// set on lo, whose driver has no shapers.
func runNetShaper(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	ctx := context.Background()
	port := ns.NewNetdevsim(t, 1, shaperQueues).Ports[0]
	idx := ifindex(t, ns, port)
	var links []struct {
		NumTxQueues uint32 `json:"num_tx_queues"`
	}
	if out := ns.Run(t, "-j", "-d", "link", "show", port); json.Unmarshal([]byte(out), &links) != nil || len(links) != 1 {
		t.Fatalf("ip -j -d link show %s: %s", port, out)
	}
	txq := links[0].NumTxQueues
	if txq != shaperQueues {
		t.Fatalf("%s has %d transmit queues (ip -d link show), netdevsim was asked for %d", port, txq, shaperQueues)
	}
	c, err := netshaper.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}

	runNetShaperCaps(ctx, t, c, idx)

	handle := func(s netshaper.Scope, id ...uint32) ynl.Opt[netshaper.Handle] {
		h := netshaper.Handle{Scope: ynl.Some(s)}
		if len(id) > 0 {
			h.ID = ynl.Some(id[0])
		}
		return ynl.Some(h)
	}
	netdev, q1, q2 := handle(netshaper.ScopeNetdev), handle(netshaper.ScopeQueue, 1), handle(netshaper.ScopeQueue, 2)
	// The kernel's records: the ID of a netdev handle is left out, the
	// metric is there only with a rate, zero values are left out.
	want := map[string]netshaper.NetShaper{}
	put := func(s netshaper.NetShaper) { s.Ifindex = ynl.Some(idx); want[shaperKey(s.Handle)] = s }

	if n := len(netShaperDump(ctx, t, c, idx)); n != 0 {
		t.Errorf("get dump before any set: %d shapers", n)
	}
	set := func(s netshaper.NetShaper) {
		t.Helper()
		s.Ifindex = ynl.Some(idx)
		if err := c.Set(ctx, &s); err != nil {
			t.Fatalf("set %s: %v", shaperKey(s.Handle), err)
		}
	}
	set(netshaper.NetShaper{Handle: netdev, Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](1000000)})
	put(netshaper.NetShaper{Handle: netdev, Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](1000000)})
	checkNetShapers(ctx, t, c, idx, "after set of the netdev", want)
	set(netshaper.NetShaper{Handle: q1, Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](500000), Weight: ynl.Some[uint32](3)})
	put(netshaper.NetShaper{Handle: q1, Parent: netdev, Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](500000), Weight: ynl.Some[uint32](3)})
	checkNetShapers(ctx, t, c, idx, "after set of queue 1", want)

	// Queues 1 and 2 under a new node (queue 2 has no shaper yet: group
	// makes it), which goes under the netdev, the queues' parent.
	r, err := c.Group(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: handle(netshaper.ScopeNode),
		Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](2000000),
		Leaves: []netshaper.LeafInfo{{Handle: q1}, {Handle: q2, Weight: ynl.Some[uint32](2)}}})
	if err != nil {
		t.Fatalf("group of queues 1 and 2: %v", err)
	}
	if r.Ifindex != ynl.Some(idx) || r.Handle.V.Scope != ynl.Some(netshaper.ScopeNode) || !r.Handle.V.ID.Set {
		t.Fatalf("group: reply %+v, want ifindex %d and a node handle with an ID", r, idx)
	}
	node := handle(netshaper.ScopeNode, r.Handle.V.ID.V)
	t.Logf("group made node %d", node.V.ID.V)
	put(netshaper.NetShaper{Handle: node, Parent: netdev, Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](2000000)})
	s1 := want[shaperKey(q1)]
	s1.Parent = node
	put(s1)
	put(netshaper.NetShaper{Handle: q2, Parent: node, Weight: ynl.Some[uint32](2)})
	checkNetShapers(ctx, t, c, idx, "after group", want)

	// Errors: the kernel's, with what its extack says.
	var oe *netlink.OpError
	last := handle(netshaper.ScopeQueue, txq-1)
	err = c.Set(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: handle(netshaper.ScopeQueue, txq), Weight: ynl.Some[uint32](1)})
	if !errors.Is(err, unix.ENOENT) || !errors.As(err, &oe) || !strings.Contains(oe.ExtAck.Message, fmt.Sprintf("queue id %d", txq)) {
		t.Errorf("set of queue %d of %s, which has %d: %v; want ENOENT with an extack naming the queue", txq, port, txq, err)
	}
	t.Logf("set of a queue past the last: %v", err)
	set(netshaper.NetShaper{Handle: last, Weight: ynl.Some[uint32](1)}) // the last one is there
	put(netshaper.NetShaper{Handle: last, Parent: netdev, Weight: ynl.Some[uint32](1)})
	checkNetShapers(ctx, t, c, idx, fmt.Sprintf("after set of queue %d", txq-1), want)
	err = c.Set(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: handle(netshaper.ScopeNode, node.V.ID.V+100), BwMax: ynl.Some[uint64](1)})
	if !errors.Is(err, unix.ENOENT) {
		t.Errorf("set of node %d, which does not exist (set makes no node): %v; want ENOENT", node.V.ID.V+100, err)
	}
	ns.Run(t, "link", "add", "vs0", "type", "veth", "peer", "name", "vs1")
	for _, name := range []string{"lo", "vs0"} {
		other := ifindex(t, ns, name)
		err = c.Set(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(other), Handle: netdev, Metric: ynl.Some(netshaper.MetricBps), BwMax: ynl.Some[uint64](1000000)})
		if !errors.Is(err, unix.EOPNOTSUPP) || !errors.As(err, &oe) || oe.ExtAck.AttrType != netshaper.AttrNetShaperIfindex ||
			!strings.Contains(err.Error(), "net-shaper set") {
			t.Errorf("set on %s, whose driver has no shapers: %v; want EOPNOTSUPP naming the operation, the extack pointing at the ifindex", name, err)
		}
		t.Logf("set on %s: %v", name, err)
		_, err = c.CapGet(ctx, &netshaper.Caps{Ifindex: ynl.Some(other), Scope: ynl.Some(netshaper.ScopeNetdev)})
		if !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("cap-get on %s: %v, want EOPNOTSUPP", name, err)
		}
	}

	// Deleting the node moves its queues to its parent, the netdev.
	del := func(h ynl.Opt[netshaper.Handle]) {
		t.Helper()
		if err := c.Delete(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: h}); err != nil {
			t.Fatalf("delete %s: %v", shaperKey(h), err)
		}
		delete(want, shaperKey(h))
	}
	del(node)
	for _, q := range []ynl.Opt[netshaper.Handle]{q1, q2} {
		s := want[shaperKey(q)]
		s.Parent = netdev
		put(s)
	}
	checkNetShapers(ctx, t, c, idx, "after delete of the node", want)
	del(netdev)
	checkNetShapers(ctx, t, c, idx, "after delete of the netdev", want)
	_, err = c.Get(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: netdev})
	if !errors.Is(err, unix.ENOENT) || !errors.As(err, &oe) || oe.ExtAck.AttrType != netshaper.AttrNetShaperHandle {
		t.Errorf("get of the deleted netdev shaper: %v; want ENOENT, the extack pointing at the handle", err)
	}
	t.Logf("get of a deleted shaper: %v", err)
	for _, q := range []ynl.Opt[netshaper.Handle]{q1, q2, last} {
		del(q)
	}
	checkNetShapers(ctx, t, c, idx, "after delete of the queues", want)
	err = c.Delete(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: q1})
	if !errors.Is(err, unix.ENOENT) {
		t.Errorf("delete of queue 1 again: %v, want ENOENT", err)
	}
}

// runNetShaperCaps compares the capabilities dump of device idx with a
// cap-get of each scope: netdevsim claims every capability in every
// scope, unspec too.
func runNetShaperCaps(ctx context.Context, t *testing.T, c *netshaper.Client, idx uint32) {
	var scopes []netshaper.Scope
	for caps, err := range c.CapGetDump(ctx, &netshaper.Caps{Ifindex: ynl.Some(idx)}) {
		if err != nil {
			t.Fatalf("cap-get dump: %v", err)
		}
		scopes = append(scopes, caps.Scope.V)
		all := caps.SupportMetricBps && caps.SupportMetricPps && caps.SupportNesting && caps.SupportBwMin &&
			caps.SupportBwMax && caps.SupportBurst && caps.SupportPriority && caps.SupportWeight
		if caps.Ifindex != ynl.Some(idx) || !caps.Scope.Set || !all || len(caps.Unknown) > 0 {
			t.Errorf("cap-get dump: %+v, want ifindex %d, a scope and every capability netdevsim claims", caps, idx)
		}
		one, err := c.CapGet(ctx, &netshaper.Caps{Ifindex: ynl.Some(idx), Scope: caps.Scope})
		if err != nil {
			t.Fatalf("cap-get %v: %v", caps.Scope.V, err)
		}
		if fmt.Sprintf("%+v", one) != fmt.Sprintf("%+v", caps) {
			t.Errorf("cap-get %v: %+v, the dump said %+v", caps.Scope.V, one, caps)
		}
	}
	// The dump asks the driver about every scope from unspec on and
	// lists those it claims a capability in: netdevsim claims them all.
	if want := []netshaper.Scope{netshaper.ScopeUnspec, netshaper.ScopeNetdev, netshaper.ScopeQueue, netshaper.ScopeNode}; !slices.Equal(scopes, want) {
		t.Errorf("cap-get dump: scopes %v, want %v", scopes, want)
	}
}

// shaperKey names a shaper by its handle: "queue 1", "netdev".
func shaperKey(h ynl.Opt[netshaper.Handle]) string {
	if !h.Set {
		return "none"
	}
	if !h.V.ID.Set {
		return h.V.Scope.V.String()
	}
	return fmt.Sprintf("%v %d", h.V.Scope.V, h.V.ID.V)
}

// shaperString is a shaper's record, to compare.
func shaperString(s netshaper.NetShaper) string {
	return fmt.Sprintf("ifindex %v handle %s parent %s metric %v bw-min %v bw-max %v burst %v priority %v weight %v leaves %d unknown %d",
		s.Ifindex, shaperKey(s.Handle), shaperKey(s.Parent), s.Metric, s.BwMin, s.BwMax, s.Burst, s.Priority, s.Weight, len(s.Leaves), len(s.Unknown))
}

// netShaperDump dumps the shapers of device idx, by handle.
func netShaperDump(ctx context.Context, t *testing.T, c *netshaper.Client, idx uint32) map[string]netshaper.NetShaper {
	t.Helper()
	out := map[string]netshaper.NetShaper{}
	for s, err := range c.GetDump(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx)}) {
		if err != nil {
			t.Fatalf("get dump: %v", err)
		}
		k := shaperKey(s.Handle)
		if _, dup := out[k]; dup {
			t.Errorf("get dump: %s twice", k)
		}
		out[k] = s
	}
	return out
}

// checkNetShapers compares the dump of device idx with want, and a get
// of each shaper with its record in the dump.
func checkNetShapers(ctx context.Context, t *testing.T, c *netshaper.Client, idx uint32, when string, want map[string]netshaper.NetShaper) {
	t.Helper()
	dumped := netShaperDump(ctx, t, c, idx)
	for _, k := range slices.Sorted(maps.Keys(dumped)) {
		d := dumped[k]
		w, ok := want[k]
		if !ok {
			t.Errorf("get dump %s: %s, which is not set", when, shaperString(d))
			continue
		}
		if shaperString(d) != shaperString(w) {
			t.Errorf("get dump %s:\n got  %s\n want %s", when, shaperString(d), shaperString(w))
		}
		one, err := c.Get(ctx, &netshaper.NetShaper{Ifindex: ynl.Some(idx), Handle: d.Handle})
		if err != nil {
			t.Errorf("get %s %s: %v", k, when, err)
			continue
		}
		if shaperString(one) != shaperString(d) {
			t.Errorf("get %s %s: %s, the dump said %s", k, when, shaperString(one), shaperString(d))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if _, ok := dumped[k]; !ok {
			t.Errorf("get dump %s: no %s, want %s", when, k, shaperString(want[k]))
		}
	}
}
