//go:build linux

package tc_test

import (
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/tc"
)

// TestWatch: what tc adds and deletes (qdiscs, classes, filters,
// standalone actions) comes to Watch typed.
func TestWatch(t *testing.T) {
	w := newWorld(t)
	watcher, err := tc.Dial(&netlink.Config{NetNS: w.ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	if err := watcher.NL.JoinGroup(tc.GroupTC); err != nil {
		t.Fatal(err)
	}
	w.script(t, `
qdisc add dev v0 root handle 1: htb default 20
class add dev v0 parent 1: classid 1:20 htb rate 1mbit
filter add dev v0 parent 1: protocol ip prio 7 u32 match ip dst 198.18.0.9 flowid 1:20
qdisc del dev v0 root
actions add action mirred egress mirror dev v1 index 7
actions del action mirred index 7
`)
	want := []netlink.HeaderType{uapi.RTM_NEWQDISC, uapi.RTM_NEWTCLASS, uapi.RTM_NEWTFILTER, uapi.RTM_DELQDISC, uapi.RTM_NEWACTION, uapi.RTM_DELACTION}
	var got []netlink.HeaderType
	for ev, err := range watcher.Watch(testCtx(t)) {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case ev.Qdisc != nil && ev.Qdisc.Kind == "htb" && ev.Qdisc.Handle == tc.MakeHandle(1, 0):
			if h, ok := ev.Qdisc.Options.(*tc.HTB); !ok || h.Default != 0x20 {
				t.Errorf("qdisc event options %#v", ev.Qdisc.Options)
			}
		case ev.Class != nil && ev.Class.Handle == tc.MakeHandle(1, 0x20):
			if c, ok := ev.Class.Options.(*tc.HTBClass); !ok || c.Rate.Rate != 125000 {
				t.Errorf("class event options %#v", ev.Class.Options)
			}
		case ev.Filter != nil && ev.Filter.Priority == 7 && ev.Filter.Options != nil:
			if u, ok := ev.Filter.Options.(*tc.U32); !ok || u.Sel == nil || u.Sel.Keys[0].Val != 0xc6120009 {
				t.Errorf("filter event options %#v", ev.Filter.Options)
			}
		case len(ev.Actions) == 1 && ev.Actions[0].Kind == "mirred" && ev.Actions[0].Index == 7:
			if m, ok := ev.Actions[0].Options.(*tc.Mirred); ev.Type == uapi.RTM_NEWACTION && (!ok || m.Action != tc.MirredEgressMirror || m.Ifindex != uint32(w.v1)) {
				t.Errorf("action event options %#v", ev.Actions[0].Options)
			}
		default:
			continue
		}
		if deleted := ev.Type == uapi.RTM_DELQDISC || ev.Type == uapi.RTM_DELACTION; deleted != ev.Deleted() {
			t.Errorf("event %v: Deleted %v", ev.Type, ev.Deleted())
		}
		got = append(got, ev.Type)
		if len(got) == len(want) {
			break
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}
