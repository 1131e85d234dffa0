package xfrmtest_test

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink/xfrm"
	"github.com/nlkit/netlink/xfrm/xfrmtest"
)

var esp = xfrm.State{
	Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"),
	Proto: xfrm.ProtoESP, SPI: 0x100, Mode: xfrm.ModeTunnel, ReqID: 3, Lifetime: xfrm.NoLimits(),
	AEAD: &xfrm.AEADAlgorithm{Name: "rfc4106(gcm(aes))", Key: make([]byte, 20), ICVLen: 128},
	Mark: &xfrm.Mark{Value: 1, Mask: 0xff}, IfID: 7,
	Raw: "\x08\x00\x63\x00\x01\x02\x03\x04", // an attribute of a newer kernel, type 99
}

// TestStates: the fake kernel answers the state calls with the kernel's
// errnos, keeps what was sent (unknown attributes included) and notifies
// the Conns that joined the SA group.
func TestStates(t *testing.T) {
	k := xfrmtest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, _ := k.Dial(nil)
	defer w.Close()
	if err := w.NL.JoinGroup(uint32(xfrm.GroupSA)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := esp
	if err := c.AddState(ctx, &s); err != nil {
		t.Fatal(err)
	}
	if err := c.AddState(ctx, &s); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("adding twice: %v, want EEXIST", err)
	}
	want := esp
	want.Family = xfrm.AFInet
	got, err := c.GetState(ctx, s.ID())
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("GetState = %+v, %v; want %+v", got, err, want)
	}
	var n int
	for l, err := range c.States(ctx, xfrm.StateFilter{Proto: xfrm.ProtoAH}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("listing AH states: %v", l.String())
	}
	for l, err := range c.States(ctx, xfrm.StateFilter{}) {
		if err != nil || !reflect.DeepEqual(l, want) {
			t.Errorf("listed %+v, %v", l, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("listed %d states, want 1", n)
	}
	up := s
	up.Lifetime.HardAddExpires = 60
	if err := c.UpdateState(ctx, &up); err != nil {
		t.Fatal(err)
	}
	if got := k.States(); len(got) != 1 || got[0].Lifetime.HardAddExpires != 60 {
		t.Errorf("after UpdateState: %+v", got)
	}
	if err := c.DeleteState(ctx, s.ID()); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteState(ctx, s.ID()); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("deleting twice: %v, want ESRCH", err)
	}
	if _, err := c.GetState(ctx, s.ID()); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("GetState of a deleted state: %v, want ESRCH", err)
	}
	k.AddState(want)
	if err := c.FlushStates(ctx, xfrm.ProtoAny); err != nil || len(k.States()) != 0 {
		t.Errorf("FlushStates: %v, %d left", err, len(k.States()))
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var types []uint16
	for e, err := range w.Watch(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, uint16(e.Type))
		if e.Type == xfrm.EventDelSA && (e.State == nil || e.State.Lifetime.HardAddExpires != 60 || e.State.SPI != 0x100) {
			t.Errorf("DELSA event %+v", e.State)
		}
		if e.Type == xfrm.EventFlushSA {
			break
		}
	}
	if want := []uint16{0x10, 0x1a, 0x11, 0x1c}; !reflect.DeepEqual(types, want) {
		t.Errorf("events %#x, want %#x", types, want)
	}
}

// TestPolicies: the policy calls, with the kernel's errnos.
func TestPolicies(t *testing.T) {
	k := xfrmtest.New()
	c, _ := k.Dial(nil)
	defer c.Close()
	ctx := context.Background()
	p := xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix("2001:db8:1::/64"), Dst: netip.MustParsePrefix("2001:db8:2::/64")},
		Dir: xfrm.DirFwd, Type: xfrm.PolicySub, Lifetime: xfrm.NoLimits()}
	if err := c.AddPolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetPolicy(ctx, p.ID())
	if err != nil || got.Index == 0 || got.Selector.Family != xfrm.AFInet6 || got.Type != xfrm.PolicySub {
		t.Errorf("GetPolicy = %+v, %v", got, err)
	}
	if _, err := c.GetPolicy(ctx, xfrm.PolicyID{Index: got.Index, Dir: xfrm.DirFwd, Type: xfrm.PolicySub}); err != nil {
		t.Errorf("GetPolicy by index: %v", err)
	}
	if err := c.DeletePolicy(ctx, xfrm.PolicyID{Selector: p.Selector, Dir: xfrm.DirIn}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("deleting a policy that is not there: %v, want ENOENT", err)
	}
	spd, err := c.SPDInfo(ctx)
	if err != nil || spd.Fwd != 1 {
		t.Errorf("SPDInfo = %+v, %v", spd, err)
	}
	if err := c.FlushPolicies(ctx, xfrm.PolicyMain); err != nil || len(k.Policies()) != 1 {
		t.Errorf("flushing the main policies: %v, %d left", err, len(k.Policies()))
	}
	if err := c.FlushPolicies(ctx, xfrm.PolicySub); err != nil || len(k.Policies()) != 0 {
		t.Errorf("flushing the sub policies: %v, %d left", err, len(k.Policies()))
	}
}

// TestAllocSPIAndDefaults: the fake kernel allocates free SPIs in the
// range and refuses a full one with ENOENT, as the kernel does; it keeps
// the default policies, changes only the directions set, and notifies
// GroupPolicy.
func TestAllocSPIAndDefaults(t *testing.T) {
	k := xfrmtest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, _ := k.Dial(nil)
	defer w.Close()
	if err := w.NL.JoinGroup(uint32(xfrm.GroupPolicy)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := xfrm.State{Src: esp.Src, Dst: esp.Dst, Proto: xfrm.ProtoESP, ReqID: 4}
	a, err := c.AllocSPI(ctx, &req, 0x200, 0x201)
	if err != nil || a.SPI != 0x200 || a.ReqID != 4 {
		t.Fatalf("AllocSPI = %s reqid %d, %v", a.String(), a.ReqID, err)
	}
	if b, err := c.AllocSPI(ctx, &req, 0x200, 0x201); err != nil || b.SPI != 0x201 {
		t.Fatalf("AllocSPI again = %s, %v", b.String(), err)
	}
	if _, err := c.AllocSPI(ctx, &req, 0x200, 0x201); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("AllocSPI of a full range: %v, want ENOENT", err)
	}
	if got := len(k.States()); got != 2 {
		t.Errorf("%d states after two allocations", got)
	}

	d, err := c.DefaultPolicies(ctx)
	if err != nil || d != (xfrm.DefaultPolicies{In: xfrm.DefaultAccept, Fwd: xfrm.DefaultAccept, Out: xfrm.DefaultAccept}) {
		t.Fatalf("DefaultPolicies = %+v, %v", d, err)
	}
	if err := c.SetDefaultPolicies(ctx, xfrm.DefaultPolicies{Fwd: xfrm.DefaultBlock}); err != nil {
		t.Fatal(err)
	}
	want := xfrm.DefaultPolicies{In: xfrm.DefaultAccept, Fwd: xfrm.DefaultBlock, Out: xfrm.DefaultAccept}
	if d, err := c.DefaultPolicies(ctx); err != nil || d != want {
		t.Errorf("after setting fwd block: %+v, %v", d, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for e, err := range w.Watch(wctx) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Defaults == nil || *e.Defaults != want {
			t.Errorf("notification %d: %+v, want the defaults %+v", e.Type, e.Defaults, want)
		}
		break
	}
}
