//go:build linux

package rtnetlink_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// wtLine is an event as the Watch test compares them with ip monitor's
// lines: "+" or "-", then the link index, the address, or the route's type,
// destination and table.
func wtLine(ev rtnetlink.Event) string {
	sign := "+"
	if ev.Deleted() {
		sign = "-"
	}
	switch {
	case ev.Link != nil:
		return fmt.Sprintf("%s link %d", sign, ev.Link.Index)
	case ev.Address != nil:
		return fmt.Sprintf("%s addr %d %v", sign, ev.Address.Index, ev.Address.Prefix)
	case ev.Route != nil:
		r := ev.Route
		dst := r.Dst.String()
		if r.Dst.IsSingleIP() {
			dst = r.Dst.Addr().String() // as ip prints host routes
		}
		return fmt.Sprintf("%s route %d %s table %d", sign, r.Type, dst, r.Table)
	}
	return ""
}

// The lines of ip -d -N monitor link address route that wtLine has a form
// for.
var (
	wtMonLink  = regexp.MustCompile(`^(Deleted )?(\d+): [^ :@]+(@\S+)?: <`)
	wtMonAddr  = regexp.MustCompile(`^(Deleted )?(\d+): \S+\s+inet6? (\S+)`)
	wtMonRoute = regexp.MustCompile(`^(Deleted )?(\d+) (\S+) .*table (\d+)`)
)

// wtMonitorLine returns the wtLine of a line ip monitor printed, or "".
func wtMonitorLine(s string) string {
	sign := func(m string) string {
		if m != "" {
			return "-"
		}
		return "+"
	}
	if m := wtMonAddr.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s addr %s %s", sign(m[1]), m[2], m[3])
	}
	if m := wtMonLink.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s link %s", sign(m[1]), m[2])
	}
	if m := wtMonRoute.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s route %s %s table %s", sign(m[1]), m[2], m[3], m[4])
	}
	return ""
}

// TestWatch makes known changes to links, addresses and routes, and checks
// that Watch sees them, and the same events in the same order as ip
// monitor, run at the same time.
func TestWatch(t *testing.T) {
	ns := nstest.New(t)
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang
	defer cancel()

	mon := exec.CommandContext(ctx, "ip", "-n", ns.Name, "-d", "-N", "monitor", "link", "address", "route")
	out, err := mon.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	defer mon.Wait()
	defer mon.Process.Kill()
	monLines := make(chan string, 1000)
	go func() {
		defer close(monLines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l := wtMonitorLine(sc.Text()); l != "" {
				monLines <- l
			}
		}
	}()

	events := make(chan rtnetlink.Event, 1000)
	watchErr := make(chan error, 1)
	go func() {
		defer close(events)
		for ev, err := range c.Watch(ctx, rtnetlink.GroupLink, rtnetlink.GroupIPv4Addr, rtnetlink.GroupIPv6Addr,
			rtnetlink.GroupIPv4Route, rtnetlink.GroupIPv6Route) {
			if err != nil {
				watchErr <- err
				return
			}
			events <- ev
		}
	}()

	// pump moves what both have seen into watched and monitored, for d.
	var watched []rtnetlink.Event
	var monitored []string
	pump := func(d time.Duration) {
		timer := time.NewTimer(d)
		defer timer.Stop()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("Watch ended: %v", <-watchErr)
				}
				watched = append(watched, ev)
			case l, ok := <-monLines:
				if !ok {
					t.Fatal("ip monitor ended")
				}
				monitored = append(monitored, l)
			case <-timer.C:
				return
			}
		}
	}
	// seen returns the lines in what both have seen for which has is true.
	lines := func(has func(string) bool) (got, want []string) {
		for _, ev := range watched {
			if l := wtLine(ev); l != "" && has(l) {
				got = append(got, l)
			}
		}
		for _, l := range monitored {
			if has(l) {
				want = append(want, l)
			}
		}
		return got, want
	}

	// Wait until both listen: toggle a marker route until both have seen
	// it. What comes after the last marker event is compared.
	const marker = "10.253.0.0/16"
	isMarker := func(l string) bool { return strings.Contains(l, " "+marker+" ") }
	for i := 0; ; i++ {
		if ctx.Err() != nil {
			t.Fatal("Watch or ip monitor saw no marker route")
		}
		ns.Run(t, "route", []string{"add", "del"}[i%2], marker, "dev", "lo")
		pump(50 * time.Millisecond)
		if got, want := lines(isMarker); len(got) > 0 && len(want) > 0 {
			if i%2 == 0 {
				ns.Run(t, "route", "del", marker, "dev", "lo")
			}
			break
		}
	}

	// The known changes, and the end marker.
	for _, args := range [][]string{
		{"link", "add", "w0", "type", "veth", "peer", "name", "w1"},
		{"addr", "add", "10.1.0.1/24", "dev", "w0"},
		{"link", "set", "w0", "up"},
		{"link", "set", "w1", "up"},
		{"addr", "add", "2001:db8:1::1/64", "dev", "w0", "nodad"},
		{"route", "add", "10.2.0.0/16", "via", "10.1.0.2"},
		{"route", "replace", "10.2.0.0/16", "via", "10.1.0.3"},
		{"route", "add", "2001:db8:2::/48", "via", "2001:db8:1::2"},
		{"route", "del", "10.2.0.0/16"},
		{"route", "del", "2001:db8:2::/48"},
		{"addr", "del", "10.1.0.1/24", "dev", "w0"},
		{"link", "del", "w0"},
		{"route", "add", "10.254.0.0/16", "dev", "lo"},
	} {
		ns.Run(t, args...)
	}
	const end = "+ route 1 10.254.0.0/16 table 254"
	isEnd := func(l string) bool { return l == end }
	for deadline := time.Now().Add(10 * time.Second); ; {
		pump(50 * time.Millisecond)
		if got, want := lines(isEnd); len(got) > 0 && len(want) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Watch or ip monitor saw no end marker")
		}
	}

	// between returns the lines after the last marker and before the end.
	between := func(all []string) []string {
		last := -1
		for i, l := range all {
			if isMarker(l) {
				last = i
			}
			if isEnd(l) {
				return all[last+1 : i]
			}
		}
		return nil
	}
	all := func(string) bool { return true }
	gotAll, wantAll := lines(all)
	got, want := between(gotAll), between(wantAll)
	if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Watch saw:\n\t%s\nip monitor saw:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}

	// The known changes are there, decoded, in order.
	expect := []func(ev rtnetlink.Event) bool{
		func(ev rtnetlink.Event) bool { return ev.Type == unix.RTM_NEWLINK && ev.Link.Name == "w0" },
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_NEWADDR && ev.Address.Prefix.String() == "10.1.0.1/24"
		},
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_NEWROUTE && ev.Route.Dst.String() == "10.2.0.0/16" && ev.Route.Gateway.String() == "10.1.0.2"
		},
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_NEWROUTE && ev.Route.Gateway.String() == "10.1.0.3" && ev.Message.Header.Flags&netlink.Replace != 0
		},
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_NEWROUTE && ev.Route.Dst.String() == "2001:db8:2::/48"
		},
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_DELROUTE && ev.Route.Dst.String() == "10.2.0.0/16" && ev.Deleted()
		},
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_DELROUTE && ev.Route.Dst.String() == "2001:db8:2::/48"
		},
		func(ev rtnetlink.Event) bool {
			return ev.Type == unix.RTM_DELADDR && ev.Address.Prefix.String() == "10.1.0.1/24"
		},
		func(ev rtnetlink.Event) bool { return ev.Type == unix.RTM_DELLINK && ev.Link.Name == "w0" },
	}
	for _, ev := range watched {
		if len(expect) > 0 && expect[0](ev) {
			expect = expect[1:]
		}
	}
	if len(expect) > 0 {
		t.Errorf("%d known changes not seen in order", len(expect))
	}
}

// TestWatchOverrun fills a Watch's 4 KiB receive buffer with route
// notifications, and checks that the overrun is an error in the stream
// and that events come after it.
func TestWatchOverrun(t *testing.T) {
	ns := nstest.New(t)
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path, ReadBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang
	defer cancel()
	if err := c.NL.JoinGroup(uint32(rtnetlink.GroupIPv4Route)); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("route add 10.%d.%d.0/24 dev lo", 100+i/256, i%256))
	}
	ns.Batch(t, lines) // while nobody reads
	overrun := false
	for ev, err := range c.Watch(ctx) {
		switch {
		case errors.Is(err, netlink.ErrOverrun):
			if !overrun {
				overrun = true
				ns.Run(t, "route", "add", "10.254.0.0/16", "dev", "lo")
			}
		case err != nil:
			t.Fatal(err)
		case overrun && ev.Route != nil && ev.Route.Dst.String() == "10.254.0.0/16":
			return // an event after the overrun
		}
	}
	t.Fatal("the stream ended")
}
