//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// mwRouteLine is a route as the mirror tests compare them: the fields ip
// -d -N prints, in one string.
func mwRouteLine(table uint32, typ, proto, scope int, dst netip.Prefix, metric uint32, dev int, gw, src string, hops []string) string {
	return fmt.Sprintf("table %d type %d %v proto %d scope %d metric %d dev %d via %s src %s hops %v",
		table, typ, dst, proto, scope, metric, dev, gw, src, hops)
}

// mwMirrorLines returns the routes of the mirror as mwRouteLines, sorted.
func mwMirrorLines(m *rtnetlink.Mirror[rtnetlink.Route]) []string {
	var lines []string
	for _, r := range m.Snapshot() {
		gw, src := "-", "-"
		if r.Gateway.IsValid() {
			gw = r.Gateway.String()
		}
		if r.PrefSrc.IsValid() {
			src = r.PrefSrc.String()
		}
		var hops []string
		for _, h := range r.MultiPath {
			hops = append(hops, fmt.Sprintf("%v@%d", h.Gateway, h.Index))
		}
		slices.Sort(hops)
		lines = append(lines, mwRouteLine(r.Table, int(r.Type), int(r.Protocol), int(r.Scope), r.Dst, r.Priority, r.Index, gw, src, hops))
	}
	slices.Sort(lines)
	return lines
}

// mwIPLines returns the routes ip -d -j -N route show table all lists, of
// both families, as mwRouteLines, sorted: the oracle.
func mwIPLines(t testing.TB, ns *nstest.NS) []string {
	t.Helper()
	var links []struct {
		Index int    `json:"ifindex"`
		Name  string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for _, l := range links {
		index[l.Name] = l.Index
	}
	var lines []string
	for _, family := range []string{"-4", "-6"} {
		var routes []struct {
			Type, Dst, Dev, Table, Protocol, Scope, Gateway, Prefsrc string
			Metric                                                   uint32
			Nexthops                                                 []struct{ Gateway, Dev string }
		}
		if err := json.Unmarshal([]byte(ns.Run(t, family, "-d", "-j", "-N", "route", "show", "table", "all")), &routes); err != nil {
			t.Fatal(err)
		}
		num := func(s string) int {
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("ip printed %q for a number", s)
			}
			return n
		}
		for _, r := range routes {
			dst := r.Dst
			switch {
			case dst == "default" && family == "-4":
				dst = "0.0.0.0/0"
			case dst == "default":
				dst = "::/0"
			case !strings.Contains(dst, "/") && family == "-4":
				dst += "/32"
			case !strings.Contains(dst, "/"):
				dst += "/128"
			}
			p, err := netip.ParsePrefix(dst)
			if err != nil {
				t.Fatal(err)
			}
			gw, src := r.Gateway, r.Prefsrc
			if gw == "" {
				gw = "-"
			}
			if src == "" {
				src = "-"
			}
			var hops []string
			for _, h := range r.Nexthops {
				hops = append(hops, fmt.Sprintf("%s@%d", h.Gateway, index[h.Dev]))
			}
			slices.Sort(hops)
			lines = append(lines, mwRouteLine(uint32(num(r.Table)), num(r.Type), num(r.Protocol), num(r.Scope), p, r.Metric, index[r.Dev], gw, src, hops))
		}
	}
	slices.Sort(lines)
	return lines
}

// mwDiff describes how two sorted lists differ, in a few lines.
func mwDiff(got, want []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "mirror has %d routes, ip %d", len(got), len(want))
	n := 0
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok && n < 5 {
			fmt.Fprintf(&b, "\n\tonly in mirror: %s", g)
			n++
		}
	}
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok && n < 10 {
			fmt.Fprintf(&b, "\n\tonly in ip: %s", w)
			n++
		}
	}
	return b.String()
}

// mwConverge waits until the mirror lists what ip lists, and fails the test
// when it does not within a few seconds.
func mwConverge(t testing.TB, ns *nstest.NS, m *rtnetlink.Mirror[rtnetlink.Route], when string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		want := mwIPLines(t, ns)
		got := mwMirrorLines(m)
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", when, mwDiff(got, want))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mwBatch starts ip -batch in the namespace with lines, and returns a
// function that waits for it to end. A command that fails fails the test,
// unless tolerant is set: then it is logged (two batches at once may race
// for a route; ip is the oracle anyway).
func mwBatch(t testing.TB, ns *nstest.NS, tolerant bool, lines []string) func() {
	t.Helper()
	cmd := exec.Command("ip", "-n", ns.Name, "-force", "-batch", "-")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		switch err := cmd.Wait(); {
		case err != nil && tolerant:
			t.Logf("ip -batch: %v: %.300s", err, out.String())
		case err != nil:
			t.Fatalf("ip -batch: %v: %.500s", err, out.String())
		}
	}
}

// TestRouteMirror keeps a mirror of 10,000 routes (2,000 with -short)
// through rounds of ip -batch processes that add, replace and delete
// routes, with a 4 KiB receive buffer that overruns, and a link that goes
// down and up (IPv4 routes flushed without a notification); at each
// quiescent point the mirror must list what ip lists.
func TestRouteMirror(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	ns.Run(t, "link", "set", "v0", "up")
	ns.Run(t, "link", "set", "v1", "up")
	ns.Run(t, "addr", "add", "10.0.0.1/16", "dev", "v0")
	ns.Run(t, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad")

	m, err := rtnetlink.NewRouteMirror(&netlink.Config{NetNS: ns.Path, ReadBuffer: 4096}, rtnetlink.RouteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; ctx.Err() == nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-m.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	mwConverge(t, ns, m, "at the start")

	// route returns the ip command for route i, a fifth of them IPv6.
	route := func(verb string, i int, via string) string {
		if verb == "del" {
			if i%5 == 4 {
				return fmt.Sprintf("route del 2001:db8:%x::/48", i)
			}
			return fmt.Sprintf("route del 10.%d.%d.0/24", 100+i/256, i%256)
		}
		if i%5 == 4 {
			return fmt.Sprintf("route %s 2001:db8:%x::/48 via 2001:db8::%s dev v0", verb, i, via)
		}
		return fmt.Sprintf("route %s 10.%d.%d.0/24 via 10.0.0.%s", verb, 100+i/256, i%256, via)
	}
	var lines []string
	for i := range n {
		lines = append(lines, route("add", i, "2"))
	}
	mwBatch(t, ns, false, lines)()
	mwConverge(t, ns, m, "after adding")
	start := m.Stats()

	// Each round, one process deletes a third of the routes while another
	// replaces some (changing their gateway) and adds others.
	rounds := 3
	for round := range rounds {
		lines = lines[:0]
		for i := round; i < n; i += 3 {
			lines = append(lines, route("del", i, "2"))
		}
		var more []string
		for i := round; i < n; i += 7 {
			more = append(more, route("replace", i+n, strconv.Itoa(3+round)))
			more = append(more, route("replace", (i+1)%n, strconv.Itoa(3+round)))
		}
		w1, w2 := mwBatch(t, ns, true, lines), mwBatch(t, ns, true, more)
		w1()
		w2()
		mwConverge(t, ns, m, fmt.Sprintf("round %d", round))
		// Put the deleted routes back, for the next round.
		lines = lines[:0]
		for i := round; i < n; i += 3 {
			lines = append(lines, route("replace", i, "2"))
		}
		mwBatch(t, ns, false, lines)()
		mwConverge(t, ns, m, fmt.Sprintf("round %d, restored", round))
	}

	// Multipath IPv6 routes, whose paths come and go one by one, and IPv4
	// routes of one destination and priority (ip route append), one of
	// which a replace replaces.
	for _, step := range [][]string{
		{"-6", "route", "add", "2001:db8:ffff::/48", "nexthop", "via", "2001:db8::2", "nexthop", "via", "2001:db8::3"},
		{"-6", "route", "append", "2001:db8:ffff::/48", "via", "2001:db8::4"},
		{"-6", "route", "del", "2001:db8:ffff::/48", "via", "2001:db8::3"},
		{"-6", "route", "del", "2001:db8:ffff::/48", "via", "2001:db8::2"},
		{"route", "add", "10.98.0.0/16", "via", "10.0.0.5"},
		{"route", "append", "10.98.0.0/16", "via", "10.0.0.6"},
		{"route", "prepend", "10.98.0.0/16", "via", "10.0.0.8"},
		{"route", "replace", "10.98.0.0/16", "via", "10.0.0.7"},
		{"route", "del", "10.98.0.0/16", "via", "10.0.0.6"},
	} {
		ns.Run(t, step...)
		mwConverge(t, ns, m, strings.Join(step, " "))
	}

	// A link that goes down loses its IPv4 routes without a notification.
	ns.Run(t, "link", "set", "v0", "down")
	mwConverge(t, ns, m, "link down")
	ns.Run(t, "link", "set", "v0", "up")
	ns.Run(t, "route", "add", "10.99.0.0/16", "via", "10.0.0.9")
	mwConverge(t, ns, m, "link up again")

	s := m.Stats()
	t.Logf("%d routes: after the first batch %+v; at the end %+v", n, start, s)
	if s.Overruns == 0 {
		t.Logf("no overrun happened (a fast reader?)")
	}
}

// TestLinkAndAddressMirror checks mirrors of links and addresses against ip
// -j link and ip -j addr through links and addresses that come and go.
func TestLinkAndAddressMirror(t *testing.T) {
	ns := nstest.New(t)
	cfg := &netlink.Config{NetNS: ns.Path, ReadBuffer: 4096}
	links, err := rtnetlink.NewLinkMirror(cfg, rtnetlink.LinkFilter{})
	if err != nil {
		t.Fatal(err)
	}
	defer links.Close()
	addrs, err := rtnetlink.NewAddressMirror(cfg, rtnetlink.AddressFilter{})
	if err != nil {
		t.Fatal(err)
	}
	defer addrs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	linksDone, addrsDone := make(chan error, 1), make(chan error, 1)
	go func() { linksDone <- links.Run(ctx) }()
	go func() { addrsDone <- addrs.Run(ctx) }()
	<-links.Ready()
	<-addrs.Ready()

	// state returns the links and addresses as ip sees them and as the
	// mirrors do, as sorted lines.
	state := func() (ip, mirror []string) {
		var ipLinks []struct {
			Index    int    `json:"ifindex"`
			Name     string `json:"ifname"`
			MTU      int    `json:"mtu"`
			AddrInfo []struct {
				Local     string `json:"local"`
				PrefixLen int    `json:"prefixlen"`
			} `json:"addr_info"`
		}
		if err := json.Unmarshal([]byte(ns.Run(t, "-j", "addr", "show")), &ipLinks); err != nil {
			t.Fatal(err)
		}
		for _, l := range ipLinks {
			ip = append(ip, fmt.Sprintf("link %d %s mtu %d", l.Index, l.Name, l.MTU))
			for _, a := range l.AddrInfo {
				ip = append(ip, fmt.Sprintf("addr %d %s/%d", l.Index, a.Local, a.PrefixLen))
			}
		}
		for _, l := range links.Snapshot() {
			mirror = append(mirror, fmt.Sprintf("link %d %s mtu %d", l.Index, l.Name, l.MTU))
		}
		for _, a := range addrs.Snapshot() {
			mirror = append(mirror, fmt.Sprintf("addr %d %v", a.Index, a.Prefix))
		}
		slices.Sort(ip)
		slices.Sort(mirror)
		return ip, mirror
	}
	converge := func(when string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			ip, mirror := state()
			if slices.Equal(ip, mirror) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: mirrors:\n\t%s\nip:\n\t%s", when, strings.Join(mirror, "\n\t"), strings.Join(ip, "\n\t"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	converge("at the start")
	var lines []string
	for i := range 50 {
		lines = append(lines,
			fmt.Sprintf("link add a%d type veth peer name b%d", i, i),
			fmt.Sprintf("addr add 10.%d.0.1/24 dev a%d", i, i),
			fmt.Sprintf("addr add 2001:db8:%x::1/64 dev a%d nodad", i, i),
			fmt.Sprintf("link set a%d mtu %d", i, 1400+i),
			fmt.Sprintf("link set a%d name c%d", i, i))
	}
	ns.Batch(t, lines)
	converge("after adding")
	lines = lines[:0]
	for i := 0; i < 50; i += 2 {
		lines = append(lines, fmt.Sprintf("link del c%d", i), fmt.Sprintf("addr del 10.%d.0.1/24 dev c%d", i+1, i+1))
	}
	ns.Batch(t, lines)
	converge("after deleting")
	t.Logf("links %+v; addresses %+v", links.Stats(), addrs.Stats())

	// Close and cancelling end Run.
	links.Close()
	cancel()
	for what, done := range map[string]chan error{"closed": linksDone, "cancelled": addrsDone} {
		select {
		case err := <-done:
			if !errors.Is(err, netlink.ErrClosed) && !errors.Is(err, context.Canceled) {
				t.Errorf("Run of the %s mirror: %v", what, err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Run of the %s mirror did not return", what)
		}
	}
	if err := links.Run(context.Background()); err == nil {
		t.Error("a second Run returned nil")
	}
}
