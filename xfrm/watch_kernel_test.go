//go:build linux

package xfrm_test

import (
	"context"
	"errors"
	"net"
	"os"
	"reflect"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// inNS runs fn on a thread in the namespace ns: a goroutine locked to its
// thread, which it never unlocks, so the thread ends with it.
func inNS(t *testing.T, ns *nstest.NS, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(ns.Path)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// next returns the first event of type typ that Watch yields within
// 20 seconds.
func next(t *testing.T, c *xfrm.Conn, typ uint16) xfrm.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for e, err := range c.Watch(ctx) {
		if err != nil {
			t.Fatalf("waiting for event %d: %v", typ, err)
		}
		if uint16(e.Type) == typ {
			return e
		}
	}
	t.Fatalf("no event %d", typ)
	return xfrm.Event{}
}

// TestWatchPolicy: the notifications of policies added, updated, deleted
// and flushed by another Conn come typed, with the policy as listed.
func TestWatchPolicy(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupPolicy)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := testPolicies[1].p
	if err := c.AddPolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	listed := listPolicies(t, c)[0]
	e := next(t, w, uint16(xfrm.EventNewPolicy))
	if e.Policy == nil || !reflect.DeepEqual(sameAsAdded(*e.Policy), sameAsAdded(listed)) {
		t.Errorf("XFRM_MSG_NEWPOLICY: %+v, listed %+v", e.Policy, listed)
	}
	p.Priority = 1234
	if err := c.UpdatePolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if e := next(t, w, uint16(xfrm.EventUpdPolicy)); e.Policy == nil || e.Policy.Priority != 1234 {
		t.Errorf("XFRM_MSG_UPDPOLICY: %+v", e.Policy)
	}
	if err := c.DeletePolicy(ctx, p.ID()); err != nil {
		t.Fatal(err)
	}
	e = next(t, w, uint16(xfrm.EventDelPolicy))
	listed.Priority = 1234
	if e.Policy == nil || !reflect.DeepEqual(sameAsAdded(*e.Policy), sameAsAdded(listed)) {
		t.Errorf("XFRM_MSG_DELPOLICY: %+v, want %+v", e.Policy, listed)
	}
	if err := c.AddPolicy(ctx, &p); err != nil { // the kernel reports no flush of an empty table
		t.Fatal(err)
	}
	if err := c.FlushPolicies(ctx, xfrm.PolicySub); err != nil {
		t.Fatal(err)
	}
	if e := next(t, w, uint16(xfrm.EventFlushPolicy)); e.Flush == nil || e.Flush.Type != xfrm.PolicySub {
		t.Errorf("XFRM_MSG_FLUSHPOLICY: %+v", e.Flush)
	}
}

// TestWatchAcquire: a datagram an outbound policy's template covers, with
// no SA to serve it, makes the kernel ask the key manager for one; the
// ACQUIRE comes typed, with the policy and the addresses of the SA.
func TestWatchAcquire(t *testing.T) {
	ns := nstest.New(t)
	// Not through lo, whose routes skip xfrm (disable_xfrm): a veth pair.
	ns.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	ns.Run(t, "link", "set", "v0", "up")
	ns.Run(t, "link", "set", "v1", "up")
	ns.Run(t, "addr", "add", "198.18.0.1/24", "dev", "v0")
	ns.Run(t, "route", "add", "198.18.1.0/24", "dev", "v0")
	c, w := dial(t, ns), dial(t, ns)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupAcquire)); err != nil {
		t.Fatal(err)
	}
	p := testPolicies[0].p // out, 198.18.0.0/24 -> 198.18.1.0/24, tunnel 198.18.0.1 -> 198.18.0.2
	if err := c.AddPolicy(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	inNS(t, ns, func() error {
		u, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.ParseIP("198.18.1.5"), Port: 9})
		if err != nil {
			return err
		}
		defer u.Close()
		u.Write([]byte("x")) // refused (EAGAIN) while the SA is larval: what matters is the ACQUIRE
		return nil
	})
	e := next(t, w, uint16(xfrm.EventAcquire))
	a := e.Acquire
	if a == nil {
		t.Fatal("no Acquire decoded")
	}
	if a.Src != a1 || a.Dst != a2 || a.Proto != xfrm.ProtoESP || a.Seq == 0 {
		t.Errorf("ACQUIRE for %s %s->%s seq %d, want esp 198.18.0.1->198.18.0.2 and a sequence number", a.Proto, a.Src, a.Dst, a.Seq)
	}
	if a.Selector.Dst.Addr().String() != "198.18.1.5" || a.Selector.DstPort != 9 || a.Selector.Proto != unix.IPPROTO_UDP {
		t.Errorf("ACQUIRE selector %v, want the datagram's", a.Selector)
	}
	if a.Policy.Dir != xfrm.DirOut || len(a.Policy.Templates) != 1 || a.Policy.Templates[0].ReqID != 5 {
		t.Errorf("ACQUIRE policy %+v", a.Policy)
	}
}

// TestWatchPolicyExpire: a policy with a hard lifetime of one second
// expires, and the POLEXPIRE says so.
func TestWatchPolicyExpire(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a policy's lifetime to run out")
	}
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupExpire)); err != nil {
		t.Fatal(err)
	}
	p := testPolicies[0].p
	p.Lifetime.HardAddExpires = 1
	if err := c.AddPolicy(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	e := next(t, w, uint16(xfrm.EventPolicyExpire))
	if x := e.PolicyExpire; x == nil || !x.Hard || x.Policy.Selector.Src != p.Selector.Src || x.Policy.Selector.Dst != p.Selector.Dst || x.Policy.Dir != xfrm.DirOut {
		t.Errorf("POLEXPIRE %+v", e.PolicyExpire)
	}
}

// TestWatchState: the notifications of SAs added, updated, deleted and
// flushed by another Conn come typed from the kernel, with the state as
// listed. It needs ESP (the VM: TestStatesVM).
func TestWatchState(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	needStates(t, c)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupSA)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := testStates[2].s // encap, marks, if_id, replay window, flag
	if err := c.AddState(ctx, &s); err != nil {
		t.Fatal(err)
	}
	listed := listStates(t, c, xfrm.StateFilter{})[0]
	e := next(t, w, uint16(xfrm.EventNewSA))
	if e.State == nil || !reflect.DeepEqual(stateAsAdded(*e.State), stateAsAdded(listed)) {
		t.Errorf("XFRM_MSG_NEWSA: %s", fieldDiff(stateAsAdded(*e.State), stateAsAdded(listed)))
	}
	s.Lifetime.HardAddExpires = 3600
	if err := c.UpdateState(ctx, &s); err != nil {
		t.Fatal(err)
	}
	if e := next(t, w, uint16(xfrm.EventUpdSA)); e.State == nil || e.State.Lifetime.HardAddExpires != 3600 || e.State.SPI != s.SPI {
		t.Errorf("XFRM_MSG_UPDSA: %+v", e.State)
	}
	if err := c.DeleteState(ctx, s.ID()); err != nil {
		t.Fatal(err)
	}
	e = next(t, w, uint16(xfrm.EventDelSA))
	listed.Lifetime.HardAddExpires = 3600
	if e.State == nil || !reflect.DeepEqual(stateAsAdded(*e.State), stateAsAdded(listed)) {
		t.Errorf("XFRM_MSG_DELSA: %s", fieldDiff(stateAsAdded(*e.State), stateAsAdded(listed)))
	}
	if err := c.AddState(ctx, &s); err != nil { // the kernel reports no flush of an empty table
		t.Fatal(err)
	}
	if err := c.FlushStates(ctx, xfrm.ProtoESP); err != nil {
		t.Fatal(err)
	}
	if e := next(t, w, uint16(xfrm.EventFlushSA)); e.Flush == nil || e.Flush.Proto != xfrm.ProtoESP {
		t.Errorf("XFRM_MSG_FLUSHSA: %+v", e.Flush)
	}
}

// TestWatchStateExpire: an SA with packet limits, soft 1 and hard 3,
// carries datagrams a policy sends through it (veth, 198.18.0.0/24 ->
// 198.18.1.0/24); the kernel sends a soft EXPIRE, then a hard one when it
// deletes the SA. Nothing waits on a clock: the limits are packets. It
// needs ESP (the VM: TestStatesVM).
func TestWatchStateExpire(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	needStates(t, c)
	ns.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	ns.Run(t, "link", "set", "v0", "up")
	ns.Run(t, "link", "set", "v1", "up")
	ns.Run(t, "addr", "add", "198.18.0.1/24", "dev", "v0")
	ns.Run(t, "route", "add", "198.18.1.0/24", "dev", "v0")
	if err := w.NL.JoinGroup(uint32(xfrm.GroupExpire)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := testPolicies[0].p // out, 198.18.0.0/24 -> 198.18.1.0/24, tunnel esp 198.18.0.1 -> 198.18.0.2 reqid 5
	if err := c.AddPolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	s := testStates[0].s // tunnel esp 198.18.0.1 -> 198.18.0.2
	s.ReqID = 5
	s.Lifetime.SoftPacketLimit, s.Lifetime.HardPacketLimit = 1, 3
	if err := c.AddState(ctx, &s); err != nil {
		t.Fatal(err)
	}
	inNS(t, ns, func() error {
		u, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.ParseIP("198.18.1.5"), Port: 9})
		if err != nil {
			return err
		}
		defer u.Close()
		for range 5 { // the limits are checked before each packet: the 2nd passes the soft one, the 4th the hard
			u.Write([]byte("x")) // refused once the SA is expired: what matters is the EXPIREs
		}
		return nil
	})
	var soft, hard *xfrm.Expire
	for soft == nil || hard == nil {
		e := next(t, w, uint16(xfrm.EventExpire))
		if x := e.Expire; x == nil {
			t.Fatal("EXPIRE not decoded")
		} else if x.Hard {
			hard = x
		} else {
			soft = x
		}
	}
	for _, x := range []*xfrm.Expire{soft, hard} {
		if x.State.SPI != s.SPI || x.State.Src != s.Src || x.State.Dst != s.Dst || x.State.Lifetime.HardPacketLimit != 3 || x.State.Current.Packets == 0 {
			t.Errorf("EXPIRE (hard %v) of %s with limit %d after %d packets, want the SA's", x.Hard, x.State.String(), x.State.Lifetime.HardPacketLimit, x.State.Current.Packets)
		}
	}
	if _, err := c.GetState(ctx, s.ID()); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("after the hard EXPIRE, GetState: %v, want ESRCH (deleted)", err)
	}
}
