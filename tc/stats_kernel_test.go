//go:build linux

package tc_test

import (
	"encoding/json"
	"net"
	"net/netip"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/tc"
)

// TestStatsMatchTC sends real traffic through two qdiscs made with Conn
// and compares the statistics Qdiscs decodes (basic, queue, rate
// estimator) with what tc -s -j shows: a bfifo that sends everything (on
// v0, to 198.18.0.2 in the peer namespace) and a bfifo of 1 byte with a
// rate estimator (on w0, to 198.18.1.2), which drops every packet (a
// fifo's limit under the MTU also keeps packets from bypassing it). Each
// comparison is of a moment when two listings of ours agree, so a packet
// passing meanwhile retries it rather than fail it.
func TestStatsMatchTC(t *testing.T) {
	if _, err := exec.LookPath("tc"); err != nil {
		t.Skip("no tc:", err)
	}
	a, b := nstest.New(t), nstest.New(t)
	for _, ns := range []*nstest.NS{a, b} {
		// No IPv6: router solicitations and MLD reports would add packets.
		ns.Run(t, "netns", "exec", ns.Name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	}
	a.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "address", "02:00:00:00:00:02", "netns", b.Name)
	a.Run(t, "link", "add", "w0", "type", "veth", "peer", "name", "w1", "address", "02:00:00:00:01:02", "netns", b.Name)
	a.Batch(t, []string{
		"addr add 198.18.0.1/24 dev v0", "addr add 198.18.1.1/24 dev w0",
		// Permanent neighbours: no ARP through the qdiscs.
		"neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent",
		"neigh add 198.18.1.2 lladdr 02:00:00:00:01:02 dev w0 nud permanent",
	})
	b.Batch(t, []string{"addr add 198.18.0.2/24 dev v1", "addr add 198.18.1.2/24 dev w1", "link set v1 up", "link set w1 up"})
	c, err := tc.Dial(&netlink.Config{NetNS: a.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := testCtx(t)
	idx := map[string]int{}
	for _, name := range []string{"v0", "w0"} {
		var ifi *net.Interface
		inNamespace(t, a, func() { ifi, err = net.InterfaceByName(name) })
		if err != nil {
			t.Fatal(err)
		}
		idx[name] = ifi.Index
	}
	if err := c.AddQdisc(ctx, &tc.Qdisc{Ifindex: idx["v0"], Handle: tc.MakeHandle(1, 0), Parent: tc.HandleRoot, Options: &tc.FIFO{KindName: "bfifo", Limit: 1 << 20}}); err != nil {
		t.Fatal(err)
	}
	est := &tc.Estimator{Interval: -2, EWMALog: 2} // 250 ms, as tc's "estimator 250ms 1sec"
	if err := c.AddQdisc(ctx, &tc.Qdisc{Ifindex: idx["w0"], Handle: tc.MakeHandle(2, 0), Parent: tc.HandleRoot, Options: &tc.FIFO{KindName: "bfifo", Limit: 1}, Estimator: est}); err != nil {
		t.Fatal(err)
	}
	a.Batch(t, []string{"link set v0 up", "link set w0 up"})
	// Until the kernel has seen the carrier (link watch, deferred), the
	// links send through noop, which drops without counting.
	for _, dev := range []string{"v0", "w0"} {
		for !strings.Contains(a.Run(t, "-o", "link", "show", "dev", dev), "state UP") {
			select {
			case <-ctx.Done():
				t.Fatalf("%s never came up", dev)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}

	inNamespace(t, a, func() {
		// Unconnected: a connected socket's send after b's port
		// unreachable would fail with ECONNREFUSED and send nothing.
		u, err := net.ListenPacket("udp4", ":0")
		if err != nil {
			t.Error(err)
			return
		}
		defer u.Close()
		for _, dst := range []string{"198.18.0.2:9", "198.18.1.2:9"} {
			to := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(dst))
			for range 20 {
				if _, err := u.WriteTo(make([]byte, 1000), to); err != nil {
					t.Error(err)
				}
			}
		}
	})

	// tcStats is what tc -s -j qdisc show prints of a qdisc's counters.
	type tcStats struct {
		Bytes, Packets, Drops, Overlimits, Requeues, Backlog, Qlen uint64
		Rate, PPS                                                  *uint64
	}
	for _, dev := range []string{"v0", "w0"} {
		for {
			ours := func() tc.Stats {
				for q, err := range c.Qdiscs(ctx, idx[dev]) {
					if err != nil {
						t.Fatal(err)
					}
					if q.Parent == tc.HandleRoot && q.Stats != nil {
						return *q.Stats
					}
				}
				t.Fatalf("%s: no root qdisc with statistics listed", dev)
				return tc.Stats{}
			}
			before := ours()
			out := a.Run(t, "netns", "exec", a.Name, "tc", "-s", "-j", "qdisc", "show", "dev", dev, "root")
			after := ours()
			var theirs []tcStats
			if err := json.Unmarshal([]byte(out), &theirs); err != nil || len(theirs) != 1 {
				t.Fatalf("tc -s -j qdisc show dev %s: %v:\n%s", dev, err, out)
			}
			if before.App != nil || after.App != nil {
				t.Errorf("%s: a fifo's statistics with TCA_STATS_APP % x", dev, before.App)
			}
			before.App, after.App = nil, nil
			if !reflect.DeepEqual(before, after) {
				select {
				case <-ctx.Done():
					t.Fatalf("%s: the statistics never held still: %+v, then %+v", dev, before, after)
				case <-time.After(50 * time.Millisecond):
				}
				continue // a packet passed meanwhile
			}
			th := theirs[0]
			got := tcStats{before.Bytes, before.Packets, uint64(before.Drops), uint64(before.Overlimits), uint64(before.Requeues), uint64(before.Backlog), uint64(before.Qlen), nil, nil}
			want := th
			want.Rate, want.PPS = nil, nil
			if got != want {
				t.Errorf("%s: we read %+v, tc shows %s", dev, got, strings.TrimSpace(out))
			}
			switch dev {
			case "v0":
				// Every datagram went out, 14+20+8+1000 bytes each (and
				// whatever else the kernel sent on the link).
				if before.Packets < 20 || before.Bytes < 20*1042 || before.Drops != 0 {
					t.Errorf("v0's bfifo: %+v, want the 20 packets of 1042 bytes sent", before)
				}
				if th.Rate != nil {
					t.Errorf("v0's bfifo has no estimator, but tc shows a rate: %s", out)
				}
			case "w0":
				if before.Packets != 0 || before.Drops < 20 {
					t.Errorf("w0's bfifo of 1 byte: %+v, want the 20 packets dropped", before)
				}
				// The estimator counts what was sent: nothing.
				if th.Rate == nil || th.PPS == nil {
					t.Errorf("w0's qdisc has an estimator, but tc shows no rate: %s", out)
				} else if before.RateBPS != *th.Rate/8 || before.RatePPS != *th.PPS {
					t.Errorf("w0: rate %d B/s %d pps, tc shows %d bit/s %d pps", before.RateBPS, before.RatePPS, *th.Rate, *th.PPS)
				}
			}
			break
		}
	}
}

// inNamespace runs fn on a thread in ns (nstest.NS.Do), so that the
// sockets it opens and the links it looks up are ns's.
func inNamespace(t *testing.T, ns *nstest.NS, fn func()) {
	t.Helper()
	if err := ns.Do(func() error { fn(); return nil }); err != nil {
		t.Fatal(err)
	}
}
