//go:build linux

package xfrm_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// TestAllocSPI: AllocSPI makes a larval SA with an SPI in the range,
// which ip shows; the SA ip xfrm state allocspi makes, States lists with
// the SPI ip printed; an SPI taken fails with ENOENT; bad ranges are
// refused before sending.
func TestAllocSPI(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	ctx := context.Background()
	s, err := c.AllocSPI(ctx, &xfrm.State{Src: a1, Dst: a2, Proto: xfrm.ProtoESP, ReqID: 3, Mode: xfrm.ModeTunnel}, 0x1000, 0x1fff)
	if err != nil {
		t.Fatal(err)
	}
	if s.SPI < 0x1000 || s.SPI > 0x1fff || s.Src != a1 || s.Dst != a2 || s.ReqID != 3 || s.Mode != xfrm.ModeTunnel {
		t.Fatalf("AllocSPI gave %s reqid %d mode %s, want spi in 0x1000-0x1fff, reqid 3, tunnel", s.String(), s.ReqID, s.Mode)
	}
	out := ns.Run(t, "xfrm", "state", "get", "src", a1.String(), "dst", a2.String(), "proto", "esp", "spi", strconv.Itoa(int(s.SPI)))
	if want := fmt.Sprintf("proto esp spi 0x%08x reqid 3 mode tunnel", s.SPI); !strings.Contains(out, want) {
		t.Errorf("ip shows:\n%s\nwant %q", out, want)
	}

	out = ns.Run(t, "xfrm", "state", "allocspi", "src", b1.String(), "dst", b2.String(), "proto", "ah", "reqid", "9", "min", "0x2000", "max", "0x2fff")
	m := regexp.MustCompile(`spi 0x([0-9a-f]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("ip xfrm state allocspi printed:\n%s", out)
	}
	spi, _ := strconv.ParseUint(m[1], 16, 32)
	found := false
	for _, l := range listStates(t, c, xfrm.StateFilter{Proto: xfrm.ProtoAH}) {
		found = found || l.SPI == uint32(spi) && l.Src == b1 && l.Dst == b2 && l.ReqID == 9
	}
	if !found {
		t.Errorf("ip allocated ah spi %#x 2001:db8::1->2001:db8::2 reqid 9; States does not list it", spi)
	}

	// The SPI ip allocated, asked for exactly by another SA (another reqid).
	_, err = c.AllocSPI(ctx, &xfrm.State{Src: b1, Dst: b2, Proto: xfrm.ProtoAH, ReqID: 10}, uint32(spi), uint32(spi))
	if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "XFRM_MSG_ALLOCSPI ah spi range") {
		t.Errorf("allocating a taken SPI: %v, want ENOENT naming the request", err)
	}

	for _, tt := range []struct {
		s        xfrm.State
		min, max uint32
		want     string
	}{
		{xfrm.State{Dst: a2, Proto: xfrm.ProtoESP}, 0, 10, "starting at 0"},
		{xfrm.State{Dst: a2, Proto: xfrm.ProtoESP}, 10, 9, "empty SPI range"},
		{xfrm.State{Dst: a2, Proto: xfrm.ProtoComp}, 1, 0x10000, "beyond 16 bits"},
		{xfrm.State{Dst: a2, Proto: xfrm.ProtoRoute2}, 1, 2, "want esp, ah or comp"},
		{xfrm.State{Src: b1, Dst: a2, Proto: xfrm.ProtoESP}, 1, 2, "mismatched families"},
	} {
		_, err := c.AllocSPI(ctx, &tt.s, tt.min, tt.max)
		if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("AllocSPI(%s, %#x, %#x): %v, want a check error saying %q", tt.s.Proto, tt.min, tt.max, err, tt.want)
		}
	}
}

// ipDefaults reads ip xfrm policy getdefault.
func ipDefaults(t *testing.T, ns *nstest.NS) string {
	t.Helper()
	return strings.Join(strings.Fields(ns.Run(t, "xfrm", "policy", "getdefault")), " ")
}

// TestDefaultPolicies: what SetDefaultPolicies sets, ip xfrm policy
// getdefault shows, and GroupPolicy is told; what ip xfrm policy
// setdefault sets, DefaultPolicies reads.
func TestDefaultPolicies(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupPolicy)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := c.DefaultPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Default policies: in: %s fwd: %s out: %s", d.In, d.Fwd, d.Out)
	if got := ipDefaults(t, ns); got != want {
		t.Errorf("DefaultPolicies: %+v; ip shows %q", d, got)
	}
	if err := c.SetDefaultPolicies(ctx, xfrm.DefaultPolicies{In: xfrm.DefaultBlock, Out: xfrm.DefaultBlock}); err != nil {
		t.Fatal(err)
	}
	if got, want := ipDefaults(t, ns), "Default policies: in: block fwd: accept out: block"; got != want {
		t.Errorf("after SetDefaultPolicies(in block, out block), ip shows %q, want %q", got, want)
	}
	e := next(t, w, uint16(xfrm.EventDefault))
	if e.Defaults == nil || *e.Defaults != (xfrm.DefaultPolicies{In: xfrm.DefaultBlock, Fwd: xfrm.DefaultAccept, Out: xfrm.DefaultBlock}) {
		t.Errorf("XFRM_MSG_GETDEFAULT notification: %+v", e.Defaults)
	}
	ns.Run(t, "xfrm", "policy", "setdefault", "in", "accept", "fwd", "block")
	d, err = c.DefaultPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d != (xfrm.DefaultPolicies{In: xfrm.DefaultAccept, Fwd: xfrm.DefaultBlock, Out: xfrm.DefaultBlock}) {
		t.Errorf("after ip xfrm policy setdefault in accept fwd block: %+v", d)
	}
	err = c.SetDefaultPolicies(ctx, xfrm.DefaultPolicies{In: 3})
	if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), "XFRM_MSG_SETDEFAULT default policies in 3") {
		t.Errorf("SetDefaultPolicies(in 3): %v", err)
	}
}

// TestMigrate: Migrate moves a policy's tunnel template, ip shows the
// template's new addresses, and GroupMigrate gets the MIGRATE typed.
func TestMigrate(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupMigrate)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := testPolicies[0].p // out, 198.18.0.0/24 -> 198.18.1.0/24, tunnel esp 198.18.0.1 -> 198.18.0.2 reqid 5
	if err := c.AddPolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a3, a4 := netip.MustParseAddr("198.18.0.3"), netip.MustParseAddr("198.18.0.4")
	m := xfrm.Migrate{
		Policy: p.ID(),
		Moves:  []xfrm.Move{{OldSrc: a1, OldDst: a2, NewSrc: a3, NewDst: a4, Proto: xfrm.ProtoESP, Mode: xfrm.ModeTunnel, ReqID: 5}},
	}
	if err := c.Migrate(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if out := strings.Join(strings.Fields(ns.Run(t, "xfrm", "policy")), " "); !strings.Contains(out, "tmpl src 198.18.0.3 dst 198.18.0.4") {
		t.Errorf("after Migrate, ip shows:\n%s", out)
	}
	e := next(t, w, uint16(xfrm.EventMigrate))
	g := e.Migrate
	if g == nil || len(g.Moves) != 1 {
		t.Fatalf("MIGRATE notification: %+v", g)
	}
	want := m.Moves[0]
	want.OldFamily, want.NewFamily = xfrm.AFInet, xfrm.AFInet
	if g.Moves[0] != want || g.Policy.Dir != xfrm.DirOut || g.Policy.Selector.Dst != p.Selector.Dst {
		t.Errorf("MIGRATE notification: %+v, want move %+v of policy out %v", g, want, p.Selector.Dst)
	}
	other := p.ID()
	other.Dir = xfrm.DirIn
	err := c.Migrate(ctx, &xfrm.Migrate{Policy: other, Moves: m.Moves})
	if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "XFRM_MSG_MIGRATE migrate policy in") {
		t.Errorf("migrating a policy that is not there: %v", err)
	}
	err = c.Migrate(ctx, &xfrm.Migrate{Policy: p.ID(), Moves: []xfrm.Move{{OldSrc: a1, OldDst: a2, NewSrc: a3, NewDst: b2}}})
	if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), "mixed families") {
		t.Errorf("Migrate to mixed families: %v", err)
	}
}

// TestAE: GetAE reads an SA's replay and lifetime counters and the
// thresholds asked for; SetAE sets them, GroupAEvents is told, and ip -s
// shows them (anti-replay context, lifetime current); with ESN, the ESN
// replay state. It needs ESP (the VM: TestStatesVM).
func TestAE(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	needStates(t, c)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupAEvents)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, esn := testStates[0].s, testStates[3].s
	for _, x := range []*xfrm.State{&s, &esn} {
		if err := c.AddState(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	ae, err := c.GetAE(ctx, s.ID(), xfrm.AEReplayThresh|xfrm.AETimerThresh)
	if err != nil {
		t.Fatal(err)
	}
	if ae.ID.SPI != s.SPI || ae.ID.Dst != s.Dst || ae.ID.Src != s.Src || ae.ReqID != s.ReqID || ae.Replay == nil ||
		ae.ReplayESN != nil || ae.Lifetime == nil || ae.Lifetime.AddTime == 0 || ae.ReplayThresh == 0 || ae.TimerThresh == 0 {
		t.Errorf("GetAE(%s): %+v, want the SA's IDs, a replay state, the lifetime and both thresholds", s.String(), ae)
	}
	set := xfrm.AEvent{ID: s.ID(), Replay: &xfrm.ReplayState{OSeq: 100, Seq: 50, Bitmap: 5},
		Lifetime: &xfrm.LifetimeCurrent{Bytes: 1000, Packets: 10, AddTime: ae.Lifetime.AddTime}}
	if err := c.SetAE(ctx, &set); err != nil {
		t.Fatal(err)
	}
	e := next(t, w, uint16(xfrm.EventNewAE))
	if e.AEvent == nil || e.AEvent.Flags&xfrm.AECauseUpdate == 0 || e.AEvent.Replay == nil || *e.AEvent.Replay != *set.Replay {
		t.Errorf("XFRM_MSG_NEWAE notification: %+v", e.AEvent)
	}
	got, err := c.GetAE(ctx, s.ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Replay == nil || *got.Replay != *set.Replay || got.Lifetime == nil || got.Lifetime.Bytes != 1000 || got.Lifetime.Packets != 10 {
		t.Errorf("after SetAE(%+v, %+v): %+v", *set.Replay, *set.Lifetime, got)
	}
	out := strings.Join(strings.Fields(ns.Run(t, "-s", "xfrm", "state", "get", "src", a1.String(), "dst", a2.String(), "proto", "esp", "spi", "0x100")), " ")
	for _, want := range []string{"anti-replay context: seq 0x32, oseq 0x64, bitmap 0x00000005", "1000(bytes), 10(packets)"} {
		if !strings.Contains(out, want) {
			t.Errorf("after SetAE, ip shows:\n%s\nwant %q", out, want)
		}
	}

	r, err := c.GetAE(ctx, esn.ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.ReplayESN == nil || r.Replay != nil || r.ReplayESN.ReplayWindow != 128 {
		t.Fatalf("GetAE of an ESN SA: %+v", r)
	}
	re := *r.ReplayESN
	re.OSeq, re.OSeqHi, re.Seq, re.SeqHi = 7, 1, 3, 1
	if err := c.SetAE(ctx, &xfrm.AEvent{ID: esn.ID(), ReplayESN: &re}); err != nil {
		t.Fatal(err)
	}
	if r, err = c.GetAE(ctx, esn.ID(), 0); err != nil {
		t.Fatal(err)
	}
	if r.ReplayESN == nil || r.ReplayESN.OSeq != 7 || r.ReplayESN.OSeqHi != 1 || r.ReplayESN.Seq != 3 || r.ReplayESN.SeqHi != 1 {
		t.Errorf("after SetAE of the ESN state: %+v", r.ReplayESN)
	}

	err = c.SetAE(ctx, &xfrm.AEvent{ID: s.ID()})
	if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), "nothing to set") {
		t.Errorf("SetAE without counters: %v", err)
	}
	missing := s.ID()
	missing.SPI = 0x999
	if _, err := c.GetAE(ctx, missing, 0); !errors.Is(err, syscall.ESRCH) || !strings.Contains(err.Error(), "XFRM_MSG_GETAE state esp spi 0x999") {
		t.Errorf("GetAE of an SA that is not there: %v", err)
	}
}

// TestAllocSPIComplete: the larval SA AllocSPI makes, UpdateState
// completes with algorithms, and it is listed whole. It needs ESP (the
// VM: TestStatesVM).
func TestAllocSPIComplete(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	needStates(t, c)
	ctx := context.Background()
	full := testStates[0].s
	larval, err := c.AllocSPI(ctx, &full, 0x3000, 0x3fff)
	if err != nil {
		t.Fatal(err)
	}
	full.SPI = larval.SPI
	if err := c.UpdateState(ctx, &full); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetState(ctx, full.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.Crypt == nil || got.Crypt.Name != "cbc(aes)" || got.Auth == nil || got.SPI != larval.SPI {
		t.Errorf("the allocated SA, completed: %+v", got)
	}
}
