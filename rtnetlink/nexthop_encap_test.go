//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// arTestRangeNS is arNS with addresses of the test ranges alone:
// 198.18.0.1/24 and 2001:db8::1/64 on v0, 198.18.1.1/24 and
// 2001:db8:1::1/64 on v1.
func arTestRangeNS(t testing.TB) (*nstest.NS, *rtnetlink.Conn, int, int) {
	t.Helper()
	ns, c, v0, v1 := arNS(t, nil)
	ns.Batch(t, []string{
		"addr add 198.18.0.1/24 dev v0", "addr add 2001:db8::1/64 dev v0 nodad",
		"addr add 198.18.1.1/24 dev v1", "addr add 2001:db8:1::1/64 dev v1 nodad",
	})
	return ns, c, v0, v1
}

// nhEncapCase is a nexthop object with an encapsulation, added through the
// package (nh) or through ip (args, after "nexthop add id ID").
type nhEncapCase struct {
	nh   rtnetlink.NextHopObject
	args string
}

// TestNextHopEncapOracle: nexthop objects with an encapsulation, IPv4 and
// IPv6 ones, added through the package and through ip, list alike in ip
// -j -d nexthop show and in the package; replaced as listed they stay as
// they were, and deleting one leaves the others; per type the kernel has
// (ip, ip6 and bpf here; mpls with CONFIG_MPLS_IPTUNNEL and seg6 and
// seg6local with CONFIG_IPV6_SEG6_LWTUNNEL, in the VM). What the kernel
// refuses of them comes back as its errno: seg6 inline and seg6local on an
// IPv4 next hop, a bpf headroom above its bound; and a listed bpf
// encapsulation, which has no FDs, cannot be replaced as listed.
func TestNextHopEncapOracle(t *testing.T) {
	ip := netip.MustParseAddr
	run := func(t *testing.T, support []string, cases func(v0, v1 int) []nhEncapCase) (*nstest.NS, *rtnetlink.Conn, int) {
		t.Helper()
		ns, c, v0, v1 := arTestRangeNS(t)
		if _, err := ns.Try("nexthop", "add", "id", "100", "via", "198.18.0.2", "dev", "v0"); err != nil {
			t.Skipf("no nexthop objects: %v", err)
		}
		if support != nil {
			encapSupport(t, ns, support[0], support[1:]...)
		}
		ctx := context.Background()
		for _, tc := range cases(v0, v1) {
			if tc.args != "" {
				ns.Run(t, strings.Fields(tc.args)...)
			} else if _, err := c.AddNextHopObject(ctx, tc.nh); err != nil {
				t.Fatalf("add %+v: %v", tc.nh, err)
			}
		}
		nhEncapCompare(t, ns, c)
		return ns, c, v0
	}
	t.Run("ip", func(t *testing.T) {
		run(t, nil, func(v0, v1 int) []nhEncapCase {
			return []nhEncapCase{
				{nh: rtnetlink.NextHopObject{ID: 1, Gateway: ip("2001:db8::2"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 7, Src: ip("2001:db8::1"), Dst: ip("2001:db8::9"), TTL: 5, TOS: 8, Flags: 0x4 | 0x1}}},
				{nh: rtnetlink.NextHopObject{ID: 2, Gateway: ip("198.18.0.2"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 8, Dst: ip("2001:db8::8")}}},
				{nh: rtnetlink.NextHopObject{ID: 3, Gateway: ip("2001:db8:1::2"), Index: v1, Encap: &rtnetlink.IPEncap{ID: 9, Dst: ip("198.18.0.9"), TTL: 3, Flags: 0x8}}},
				{nh: rtnetlink.NextHopObject{ID: 4, Family: unix.AF_INET6, Index: v1, Encap: &rtnetlink.IPEncap{ID: 10, Dst: ip("2001:db8::a"), TTL: 1}}},
				{nh: rtnetlink.NextHopObject{ID: 5, Gateway: ip("198.18.1.2"), Index: v1, Encap: &rtnetlink.IPEncap{ID: 1 << 40, Src: ip("198.18.1.1"), Dst: ip("198.18.0.5"), TTL: 64, TOS: 4}}},
				{args: "-6 nexthop add id 11 encap ip6 id 17 dst 2001:db8::7 hoplimit 9 tc 4 csum via 2001:db8::2 dev v0"},
				{args: "nexthop add id 12 encap ip6 id 18 src 2001:db8::1 dst 2001:db8::6 key via 198.18.1.2 dev v1"},
				{args: "-6 nexthop add id 13 encap ip id 19 dst 198.18.0.7 dev v1"},
				{args: "-6 nexthop add id 14 encap ip6 id 20 dev v0"},
			}
		})
	})
	t.Run("bpf", func(t *testing.T) {
		var fds []int
		for _, typ := range []uint32{progTypeLWTIn, progTypeLWTOut, progTypeLWTXmit} {
			fd, err := loadLWTProgramType("rr_nh", typ)
			if err != nil {
				noBPF(t, "cannot load a BPF_PROG_TYPE_LWT_* program (CONFIG_BPF_SYSCALL, CONFIG_LWTUNNEL_BPF): %v", err)
			}
			t.Cleanup(func() { unix.Close(fd) })
			fds = append(fds, fd)
		}
		in, out, xmit := rtnetlink.BPFProgram{FD: fds[0], Name: "nh_in"}, rtnetlink.BPFProgram{FD: fds[1], Name: "nh_out"}, rtnetlink.BPFProgram{FD: fds[2], Name: "nh_xmit"}
		ns, c, v0 := run(t, nil, func(v0, v1 int) []nhEncapCase {
			return []nhEncapCase{
				{nh: rtnetlink.NextHopObject{ID: 1, Gateway: ip("198.18.0.2"), Index: v0, Encap: &rtnetlink.BPFEncap{In: in, Out: out, Xmit: xmit, XmitHeadroom: 16}}},
				{nh: rtnetlink.NextHopObject{ID: 2, Gateway: ip("2001:db8:1::2"), Index: v1, Encap: &rtnetlink.BPFEncap{Xmit: xmit}}},
				{nh: rtnetlink.NextHopObject{ID: 3, Family: unix.AF_INET6, Index: v0, Encap: &rtnetlink.BPFEncap{Out: out}}},
			}
		})
		// ip attaches pinned programs (as TestRouteEncapBPFFromIP).
		dir := t.TempDir()
		mnt := pinnedLWTPrograms(t, dir)
		for _, args := range []string{
			"nexthop add id 11 encap bpf in pinned " + dir + "/in xmit pinned " + dir + "/xmit headroom 8 via 198.18.1.2 dev v1",
			"-6 nexthop add id 12 encap bpf out pinned " + dir + "/out dev v0",
		} {
			ipInMount(t, ns, mnt, strings.Fields(args)...)
		}
		nhEncapCompare(t, ns, c)
		high := rtnetlink.NextHopObject{ID: 20, Gateway: ip("198.18.0.2"), Index: v0, Encap: &rtnetlink.BPFEncap{Xmit: xmit, XmitHeadroom: 257}}
		nhRefused(t, c, high, unix.ERANGE, "")
	})
	t.Run("mpls", func(t *testing.T) {
		run(t, []string{"CONFIG_MPLS_IPTUNNEL (lwt encap mpls)", "nexthop", "add", "id", "99", "encap", "mpls", "16", "via", "198.18.0.2", "dev", "v0"},
			func(v0, v1 int) []nhEncapCase {
				return []nhEncapCase{
					{nh: rtnetlink.NextHopObject{ID: 1, Gateway: ip("198.18.0.2"), Index: v0, Encap: &rtnetlink.MPLSEncap{Labels: []uint32{100, 200}}}},
					{nh: rtnetlink.NextHopObject{ID: 2, Gateway: ip("2001:db8::2"), Index: v0, Encap: &rtnetlink.MPLSEncap{Labels: []uint32{300}, TTL: 7}}},
					{nh: rtnetlink.NextHopObject{ID: 3, Family: unix.AF_INET6, Index: v1, Encap: &rtnetlink.MPLSEncap{Labels: []uint32{301, 302, 303}}}},
					{args: "nexthop add id 11 encap mpls 400/500 ttl 9 via 198.18.1.2 dev v1"},
					{args: "-6 nexthop add id 12 encap mpls 600 via 2001:db8:1::2 dev v1"},
				}
			})
	})
	t.Run("seg6", func(t *testing.T) {
		_, c, v0 := run(t, []string{"CONFIG_IPV6_SEG6_LWTUNNEL (lwt encap seg6)", "-6", "nexthop", "add", "id", "99", "encap", "seg6", "mode", "encap", "segs", "2001:db8::5", "via", "2001:db8::2", "dev", "v0"},
			func(v0, v1 int) []nhEncapCase {
				return []nhEncapCase{
					{nh: rtnetlink.NextHopObject{ID: 1, Gateway: ip("2001:db8::2"), Index: v0, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::a"), ip("2001:db8::b")}}}},
					{nh: rtnetlink.NextHopObject{ID: 2, Gateway: ip("198.18.0.2"), Index: v0, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeEncap, Segments: []netip.Addr{ip("2001:db8::c")}}}},
					{nh: rtnetlink.NextHopObject{ID: 3, Family: unix.AF_INET6, Index: v1, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeInline, Segments: []netip.Addr{ip("2001:db8::d")}}}},
					{nh: rtnetlink.NextHopObject{ID: 4, Family: unix.AF_INET6, Index: v0, Encap: &rtnetlink.Seg6LocalEncap{Action: rtnetlink.Seg6LocalEndT, Table: 300}}},
					{nh: rtnetlink.NextHopObject{ID: 5, Family: unix.AF_INET6, Index: v1, Encap: &rtnetlink.Seg6LocalEncap{Action: rtnetlink.Seg6LocalEndDX4, NextHop4: ip("198.18.1.2")}}},
					{args: "-6 nexthop add id 11 encap seg6 mode encap segs 2001:db8::e,2001:db8::f via 2001:db8:1::2 dev v1"},
					{args: "-6 nexthop add id 12 encap seg6local action End.X nh6 2001:db8::2 dev v0"},
					{args: "-6 nexthop add id 13 encap seg6local action End.DT6 table 200 dev v1"},
				}
			})
		// seg6 inline and seg6local need an IPv6 next hop.
		for _, nh := range []rtnetlink.NextHopObject{
			{ID: 20, Gateway: ip("198.18.0.2"), Index: v0, Encap: &rtnetlink.Seg6Encap{Mode: rtnetlink.Seg6ModeInline, Segments: []netip.Addr{ip("2001:db8::c")}}},
			{ID: 21, Family: unix.AF_INET, Index: v0, Encap: &rtnetlink.Seg6LocalEncap{Action: rtnetlink.Seg6LocalEndT, Table: 300}},
		} {
			nhRefused(t, c, nh, unix.EINVAL, "")
		}
	})
}

// nhEncapCompare compares the objects ip and the package list in ns,
// replaces each as listed and checks that ip lists the same, then deletes
// them one at a time and checks that ip lists exactly the others.
func nhEncapCompare(t *testing.T, ns *nstest.NS, c *rtnetlink.Conn) {
	t.Helper()
	ctx := context.Background()
	names := arLinkNames(t, ns)
	all := ipNextHops(t, ns)
	arDiff(t, "nexthops", ourNextHops(t, c, rtnetlink.NextHopObjectFilter{}, names), slices.Clone(all))
	t.Logf("%q", all)
	var listed []rtnetlink.NextHopObject
	for nh, err := range c.NextHopObjects(ctx, rtnetlink.NextHopObjectFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, nh)
	}
	for _, nh := range listed {
		if _, err := c.ReplaceNextHopObject(ctx, nh); errors.Is(err, unix.EINVAL) && bpfByName(nh.Encap) {
			// The kernel builds a bpf encapsulation from the programs'
			// FDs, which a listing does not give.
			t.Logf("replacing %d as listed: %v (a bpf encapsulation needs its programs' FDs)", nh.ID, err)
		} else if err != nil {
			t.Errorf("replacing %+v as listed: %v", nh, err)
		}
	}
	arDiff(t, "after replacing as listed", ipNextHops(t, ns), slices.Clone(all))
	for _, nh := range listed {
		if err := c.DeleteNextHopObject(ctx, nh.ID); err != nil {
			t.Fatalf("deleting %d: %v", nh.ID, err)
		}
		all = slices.DeleteFunc(all, func(l string) bool { return strings.HasPrefix(l, fmt.Sprintf("id=%d ", nh.ID)) })
		arDiff(t, fmt.Sprintf("after deleting %d", nh.ID), ipNextHops(t, ns), slices.Clone(all))
	}
}

// bpfByName reports whether enc is a bpf encapsulation with a program
// named and no FD, as listed.
func bpfByName(enc rtnetlink.Encap) bool {
	b, ok := enc.(*rtnetlink.BPFEncap)
	return ok && b.In.FD == 0 && b.Out.FD == 0 && b.Xmit.FD == 0
}

// nhRefused checks that adding nh fails with the kernel's errno (not a
// check of the package's), and, if text is not empty, its extended ACK
// message, naming the object; and that nothing was added.
func nhRefused(t *testing.T, c *rtnetlink.Conn, nh rtnetlink.NextHopObject, errno unix.Errno, text string) {
	t.Helper()
	_, err := c.AddNextHopObject(context.Background(), nh)
	var oe *netlink.OpError
	if !errors.Is(err, errno) || errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || !strings.Contains(oe.Message, text) || !strings.Contains(err.Error(), fmt.Sprintf("nexthop %d", nh.ID)) {
		t.Errorf("AddNextHopObject(%+v) = %v, want the kernel's %v %q naming the object", nh, err, errno, text)
	} else {
		t.Logf("refused: %v", err)
	}
	if _, err := c.NextHopObject(context.Background(), nh.ID); !errors.Is(err, unix.ENOENT) {
		t.Errorf("nexthop %d after the refusal: %v, want ENOENT", nh.ID, err)
	}
}
