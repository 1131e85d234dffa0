//go:build linux

package xfrm_test

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// TestPoliciesSmallBuffer lists 100 policies (about 450 bytes each)
// through 4 KiB datagrams, so that the dump spans about a dozen: the
// listing is whole, the same as through the default buffer, and ip shows
// as many.
func TestPoliciesSmallBuffer(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	ctx := context.Background()
	base := testPolicies[0].p
	for i := range 100 {
		p := base
		p.Selector.Dst = netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(i), 0}), 24)
		p.Templates = append(p.Templates, p.Templates...)
		if err := c.AddPolicy(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	whole := listPolicies(t, c)
	small, err := xfrm.Dial(&netlink.Config{NetNS: ns.Path, DatagramBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	got := listPolicies(t, small)
	if len(got) != 100 || !reflect.DeepEqual(got, whole) {
		t.Errorf("through 4 KiB datagrams: %d policies, through the default buffer %d (equal: %v)", len(got), len(whole), reflect.DeepEqual(got, whole))
	}
	if n := len(ipBlocks(ns.Run(t, "xfrm", "policy"))); n != 100 {
		t.Errorf("ip shows %d policies", n)
	}
}

// TestStatesSmallBuffer is TestPoliciesSmallBuffer for 60 SAs of about
// 500 bytes. It needs ESP (the VM: TestStatesVM).
func TestStatesSmallBuffer(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	needStates(t, c)
	ctx := context.Background()
	for i := range 60 {
		s := testStates[2].s // encap, marks, if_id
		s.SPI = 0x1000 + uint32(i)
		if err := c.AddState(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	whole := listStates(t, c, xfrm.StateFilter{})
	small, err := xfrm.Dial(&netlink.Config{NetNS: ns.Path, DatagramBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	got := listStates(t, small, xfrm.StateFilter{})
	if len(got) != 60 || !reflect.DeepEqual(got, whole) {
		t.Errorf("through 4 KiB datagrams: %d states, through the default buffer %d (equal: %v)", len(got), len(whole), reflect.DeepEqual(got, whole))
	}
	compareStates(t, ns, got)
}

// TestStateKeyBits: an SA whose authentication key is 12 bits (alg_key_len
// 12, 2 bytes) is listed with KeyBits 12 and both bytes, ip shows 12 bits,
// and re-added
// from the listing it is listed the same. It needs ESP (the VM:
// TestStatesVM).
func TestStateKeyBits(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	needStates(t, c)
	ctx := context.Background()
	s := testStates[0].s
	s.Auth = &xfrm.AuthAlgorithm{Name: "hmac(sha256)", Key: []byte{0xab, 0xc0}, KeyBits: 12, TruncLen: 128}
	if err := c.AddState(ctx, &s); err != nil {
		t.Fatal(err)
	}
	listed := listStates(t, c, xfrm.StateFilter{})
	if len(listed) != 1 || listed[0].Auth == nil || listed[0].Auth.KeyBits != 12 || string(listed[0].Auth.Key) != "\xab\xc0" {
		t.Fatalf("listed %+v", listed)
	}
	// ip prints the key's whole bytes alone (alg_key_len/8 of them), and
	// the bits with -s.
	out := strings.Join(strings.Fields(ns.Run(t, "-s", "xfrm", "state")), " ")
	if want := "auth-trunc hmac(sha256) 0xab (12 bits) 128"; !strings.Contains(out, want) {
		t.Errorf("ip shows:\n%s\nwant %q", out, want)
	}
	if err := c.DeleteState(ctx, s.ID()); err != nil {
		t.Fatal(err)
	}
	if err := c.AddState(ctx, &listed[0]); err != nil {
		t.Fatal(err)
	}
	again := listStates(t, c, xfrm.StateFilter{})
	if len(again) != 1 || !reflect.DeepEqual(stateAsAdded(again[0]), stateAsAdded(listed[0])) {
		t.Errorf("re-added from the listing: %s", fieldDiff(stateAsAdded(again[0]), stateAsAdded(listed[0])))
	}
}
