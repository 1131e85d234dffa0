//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// TestPolicyAddList adds a policy with the program in a namespace of its
// own: ip xfrm shows it; the program lists it, and one that ip adds;
// then deletes and flushes.
func TestPolicyAddList(t *testing.T) {
	ns := nstest.New(t)
	ctx := context.Background()
	xf := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, &out, ns.Name, args); err != nil {
			t.Fatalf("xfrm %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	if out, err := func() (string, error) {
		var out bytes.Buffer
		err := run(ctx, &out, ns.Name, []string{"policy", "count"})
		return out.String(), err
	}(); errors.Is(err, xfrm.ErrCompat) {
		t.Skip(err, out)
	}
	xf(strings.Fields("policy add src 198.18.0.0/24 dst 198.18.1.0/24 dir out priority 7 tmpl src 198.18.0.1 dst 198.18.0.2 proto esp mode tunnel reqid 3")...)
	out := ns.Run(t, "xfrm", "policy")
	for _, want := range []string{"src 198.18.0.0/24 dst 198.18.1.0/24", "dir out priority 7", "tmpl src 198.18.0.1 dst 198.18.0.2", "proto esp reqid 3 mode tunnel"} {
		if !strings.Contains(out, want) {
			t.Errorf("ip xfrm policy does not show %q:\n%s", want, out)
		}
	}
	ns.Run(t, "xfrm", "policy", "add", "src", "2001:db8:1::/64", "dst", "2001:db8:2::/64", "dir", "in", "action", "block")
	list := xf("policy", "list")
	for _, want := range []string{"dir out action allow", "priority 7", "tmpl src 198.18.0.1 dst 198.18.0.2 proto esp reqid 3 mode tunnel",
		"src 2001:db8:1::/64 dst 2001:db8:2::/64", "dir in action block"} {
		if !strings.Contains(list, want) {
			t.Errorf("policy list does not show %q:\n%s", want, list)
		}
	}
	if got := xf("policy", "count"); got != "SPD IN 1 OUT 1 FWD 0 (Sock: IN 0 OUT 0 FWD 0)\n" {
		t.Errorf("policy count: %q", got)
	}
	xf(strings.Fields("policy del src 198.18.0.0/24 dst 198.18.1.0/24 dir out")...)
	xf("policy", "flush")
	if out := ns.Run(t, "xfrm", "policy"); out != "" {
		t.Errorf("after del and flush, ip shows:\n%s", out)
	}
}

// TestBadState: what the package refuses before sending comes out as the
// program's error.
func TestBadState(t *testing.T) {
	ns := nstest.New(t)
	var out bytes.Buffer
	err := run(context.Background(), &out, ns.Name, strings.Fields("state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 enc cbc(aes) 0x0011"))
	if err == nil || !strings.Contains(err.Error(), "encryption cbc(aes): a 16-bit key, want 128, 192 or 256 bits") {
		t.Errorf("a short key: %v", err)
	}
}
