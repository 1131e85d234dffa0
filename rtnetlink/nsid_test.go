//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// ipNSID is an entry of ip -j netns list-id.
type ipNSID struct {
	NSID    int32  `json:"nsid"`
	Current *int32 `json:"current-nsid"`
	Name    string `json:"name"`
}

func ipListID(t *testing.T, ns *nstest.NS, args ...string) []ipNSID {
	t.Helper()
	var ids []ipNSID
	out := ns.Output(t, append([]string{"-j", "netns", "list-id"}, args...)...)
	if err := json.Unmarshal([]byte(out), &ids); err != nil {
		t.Fatalf("ip -j netns list-id: %v: %s", err, out)
	}
	return ids
}

func listNSIDs(t *testing.T, seq func(func(rtnetlink.NSID, error) bool)) []rtnetlink.NSID {
	t.Helper()
	var ids []rtnetlink.NSID
	for n, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n)
	}
	slices.SortFunc(ids, func(a, b rtnetlink.NSID) int { return int(a.ID - b.ID) })
	return ids
}

// TestNSIDsMatchIP sets namespace IDs with SetNSID and with ip netns set,
// and reads them with NSIDs, NSIDsOf, GetNSID and GetNSIDOf and with ip -j
// netns list-id: both see the same IDs.
func TestNSIDsMatchIP(t *testing.T) {
	a, b, c, d := nstest.New(t), nstest.New(t), nstest.New(t), nstest.New(t)
	rt := dial(t, a, netlink.Config{})
	ctx := context.Background()

	if ids := listNSIDs(t, rt.NSIDs(ctx)); len(ids) != 0 {
		t.Fatalf("a new namespace lists IDs: %+v", ids)
	}
	if id, err := rt.GetNSID(ctx, rtnetlink.NetNSPath(b.Path)); err != nil || id != rtnetlink.NSIDNone {
		t.Fatalf("GetNSID(b) before any is set = %d, %v; want NSIDNone", id, err)
	}

	// What we set, ip reads.
	if id, err := rt.SetNSID(ctx, rtnetlink.NetNSPath(b.Path), 7); err != nil || id != 7 {
		t.Fatalf("SetNSID(b, 7) = %d, %v", id, err)
	}
	auto, err := rt.SetNSID(ctx, rtnetlink.NetNSPath(c.Path), rtnetlink.NSIDNone)
	if err != nil || auto < 0 {
		t.Fatalf("SetNSID(c, NSIDNone) = %d, %v", auto, err)
	}
	// The other way round: ip sets, we read.
	a.Run(t, "netns", "set", d.Name, "12")
	want := map[string]int32{b.Name: 7, c.Name: auto, d.Name: 12}
	for name, id := range want {
		got, err := rt.GetNSID(ctx, rtnetlink.NetNSPath("/var/run/netns/"+name))
		if err != nil || got != id {
			t.Errorf("GetNSID(%s) = %d, %v; want %d", name, got, err, id)
		}
	}
	pid := inNS(t, b)
	if got, err := rt.GetNSID(ctx, rtnetlink.NetNSPID(pid)); err != nil || got != 7 {
		t.Errorf("GetNSID(NetNSPID of a process in b) = %d, %v; want 7", got, err)
	}
	f, err := os.Open(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := rt.GetNSID(ctx, rtnetlink.NetNSFD(int(f.Fd()))); err != nil || got != auto {
		t.Errorf("GetNSID(NetNSFD of c) = %d, %v; want %d", got, err, auto)
	}

	ours := listNSIDs(t, rt.NSIDs(ctx))
	theirs := ipListID(t, a)
	if len(ours) != len(theirs) || len(ours) != len(want) {
		t.Fatalf("NSIDs = %+v, ip netns list-id = %+v; want the IDs of %v", ours, theirs, want)
	}
	for _, ip := range theirs {
		if ip.Name != "" && want[ip.Name] != ip.NSID {
			t.Errorf("ip netns list-id: %s has %d, we set %d", ip.Name, ip.NSID, want[ip.Name])
		}
		if !slices.ContainsFunc(ours, func(n rtnetlink.NSID) bool { return n.ID == ip.NSID && n.CurrentID == rtnetlink.NSIDNone }) {
			t.Errorf("ip lists nsid %d, NSIDs does not: %+v", ip.NSID, ours)
		}
	}

	// The IDs of another namespace: b gives c the ID 3 (ip netns set inside b).
	b.Run(t, "netns", "set", c.Name, "3")
	of := listNSIDs(t, rt.NSIDsOf(ctx, 7))
	ipOf := ipListID(t, a, "target-nsid", "7")
	if len(of) != 1 || of[0].ID != 3 || of[0].CurrentID != auto {
		t.Errorf("NSIDsOf(7) = %+v; want c: ID 3, CurrentID %d", of, auto)
	}
	if len(ipOf) != 1 || ipOf[0].NSID != 3 || ipOf[0].Current == nil || *ipOf[0].Current != auto {
		t.Errorf("ip netns list-id target-nsid 7 = %+v; want nsid 3 current-nsid %d", ipOf, auto)
	}
	if n, err := rt.GetNSIDOf(ctx, rtnetlink.NetNSPath(c.Path), 7); err != nil || n.ID != 3 || n.CurrentID != auto {
		t.Errorf("GetNSIDOf(c, 7) = %+v, %v; want ID 3, CurrentID %d", n, err, auto)
	}
	if n, err := rt.GetNSIDOf(ctx, rtnetlink.NetNSPath(d.Path), 7); err != nil || n.ID != rtnetlink.NSIDNone || n.CurrentID != 12 {
		t.Errorf("GetNSIDOf(d, 7) = %+v, %v; want NSIDNone, CurrentID 12", n, err)
	}

	// Refusals: a namespace with an ID, an ID taken, a target that is none.
	if _, err := rt.SetNSID(ctx, rtnetlink.NetNSPath(b.Path), 9); !errors.Is(err, unix.EEXIST) {
		t.Errorf("SetNSID(b, 9) when b has 7 = %v; want EEXIST", err)
	}
	e := nstest.New(t)
	_, err = rt.SetNSID(ctx, rtnetlink.NetNSPath(e.Path), 7)
	var oe *netlink.OpError
	if !errors.Is(err, unix.EEXIST) || !errors.As(err, &oe) || oe.ExtAck.Message == "" {
		t.Errorf("SetNSID(e, 7) when b has 7 = %v; want EEXIST with the kernel's message", err)
	}
	if got, err := rt.GetNSID(ctx, rtnetlink.NetNSPath(e.Path)); err != nil || got != rtnetlink.NSIDNone {
		t.Errorf("GetNSID(e) after a refused set = %d, %v; want NSIDNone", got, err)
	}
	for n, err := range rt.NSIDsOf(ctx, 99) {
		if err == nil {
			t.Errorf("NSIDsOf(99), no such ID, lists %+v", n)
		}
		break
	}
	if _, err := rt.GetNSIDOf(ctx, rtnetlink.NetNSPath(c.Path), 99); err == nil {
		t.Error("GetNSIDOf(c, 99), no such ID, succeeds")
	}
}

// TestNSIDChecks: requests that cannot be right are refused before they
// are sent, with errors matching EINVAL and naming the namespace.
func TestNSIDChecks(t *testing.T) {
	a := nstest.New(t)
	rt := dial(t, a, netlink.Config{})
	ctx := context.Background()
	for name, err := range map[string]error{
		"GetNSID of no namespace": func() error { _, err := rt.GetNSID(ctx, rtnetlink.NetNS{}); return err }(),
		"SetNSID -2":              func() error { _, err := rt.SetNSID(ctx, rtnetlink.NetNSPath(a.Path), -2); return err }(),
		"GetNSIDOf target -1":     func() error { _, err := rt.GetNSIDOf(ctx, rtnetlink.NetNSPath(a.Path), -1); return err }(),
		"NSIDsOf -3": func() error {
			for _, err := range rt.NSIDsOf(ctx, -3) {
				return err
			}
			return nil
		}(),
		"SetNSID of a missing file": func() error {
			_, err := rt.SetNSID(ctx, rtnetlink.NetNSPath("/var/run/netns/nlkit-none"), 1)
			return err
		}(),
	} {
		var oe *netlink.OpError
		switch {
		case err == nil:
			t.Errorf("%s: no error", name)
		case !errors.As(err, &oe) || oe.Op != "check" && oe.Op != "open":
			t.Errorf("%s: %v is not refused before sending", name, err)
		case oe.Op == "check" && !errors.Is(err, unix.EINVAL):
			t.Errorf("%s: %v does not match EINVAL", name, err)
		case oe.Op == "open" && !errors.Is(err, unix.ENOENT):
			t.Errorf("%s: %v does not match ENOENT", name, err)
		default:
			t.Logf("%s: %v", name, err)
		}
	}
}

// TestWatchNSID: setting an ID sends RTM_NEWNSID to GroupNSID, and a
// namespace with an ID that goes away sends RTM_DELNSID.
func TestWatchNSID(t *testing.T) {
	a := nstest.New(t)
	rt, w := dial(t, a, netlink.Config{}), dial(t, a, netlink.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang
	defer cancel()
	// Joined before the changes, so that none is missed; Watch joins
	// again, which changes nothing.
	if err := w.NL.JoinGroup(uint32(rtnetlink.GroupNSID)); err != nil {
		t.Fatal(err)
	}
	gone := tempNetNS(t)
	id, err := rt.SetNSID(ctx, rtnetlink.NetNSFD(int(gone.Fd())), rtnetlink.NSIDNone)
	if err != nil {
		t.Fatal(err)
	}
	gone.Close() // the last reference: the namespace goes away
	var got []string
	for ev, err := range w.Watch(ctx, rtnetlink.GroupNSID) {
		if err != nil {
			t.Fatalf("Watch: %v (saw %v)", err, got)
		}
		if ev.NSID == nil {
			t.Fatalf("event %v has no NSID", ev.Type)
		}
		got = append(got, fmt.Sprintf("%v %d", netlink.RequestName(unix.NETLINK_ROUTE, ev.Type), ev.NSID.ID))
		if ev.Deleted() {
			break
		}
	}
	want := []string{fmt.Sprintf("RTM_NEWNSID %d", id), fmt.Sprintf("RTM_DELNSID %d", id)}
	if !slices.Equal(got, want) {
		t.Errorf("events %q; want %q", got, want)
	}
}

// tempNetNS returns a new network namespace's file; the namespace goes
// away when the file is closed (the test closes it too when it ends). The
// thread that makes it goes back to its own namespace: a locked goroutine
// that ends on the main thread leaves it parked rather than ended, and a
// namespace it was in would live on.
func tempNetNS(t *testing.T) *os.File {
	t.Helper()
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		self := fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())
		orig, err := os.Open(self)
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer orig.Close()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ch <- result{err: err}
			return
		}
		f, err := os.Open(self)
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{f, err} // the thread stays locked and ends with the goroutine
			return
		}
		runtime.UnlockOSThread()
		ch <- result{f, err}
	}()
	r := <-ch
	if r.err != nil {
		if r.f != nil {
			r.f.Close()
		}
		t.Fatalf("a new network namespace: %v", r.err)
	}
	t.Cleanup(func() { r.f.Close() })
	return r.f
}
