//go:build linux

package xfrm_test

import (
	"bufio"
	"context"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// ipMonitor is ip -s xfrm monitor running in a namespace: the oracle of
// the notification tests, which compare what Watch yields with the blocks
// ip prints for the same notifications.
type ipMonitor struct {
	t     *testing.T
	c     *xfrm.Conn // adds the marker policies
	lines chan string
	seen  []string // lines read and not yet returned by sync
}

// startIPMonitor starts ip -s xfrm monitor (every group) in ns; it is
// killed when the test ends. c, a Conn in ns, adds the marker policies
// sync waits for.
func startIPMonitor(t *testing.T, ns *nstest.NS, c *xfrm.Conn) *ipMonitor {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "ip", "-n", ns.Name, "-s", "xfrm", "monitor")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m := &ipMonitor{t: t, c: c, lines: make(chan string, 1000)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(m.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			m.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		cmd.Wait()
	})
	return m
}

// sync adds (again and again, as UPDPOLICY) an outbound policy for the
// marker prefix until ip monitor prints it, and returns the blocks ip
// printed before it (see ipBlocks), without the marker policies' blocks.
// Its first call makes sure that ip listens; a later one, that ip printed
// all the notifications of what the test did in between. Each call needs
// a marker of its own.
func (m *ipMonitor) sync(marker string) [][]string {
	m.t.Helper()
	p := xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix(marker), Dst: netip.MustParsePrefix(marker)},
		Dir: xfrm.DirOut, Lifetime: xfrm.NoLimits()}
	deadline := time.Now().Add(time.Minute) // a hang guard, not a timing assertion
	for {
		if err := m.c.UpdatePolicy(context.Background(), &p); err != nil {
			m.t.Fatal(err)
		}
		timer := time.NewTimer(100 * time.Millisecond)
	read:
		for {
			select {
			case l, ok := <-m.lines:
				if !ok {
					m.t.Fatal("ip xfrm monitor ended")
				}
				m.seen = append(m.seen, l)
			case <-timer.C:
				break read
			}
		}
		for i, l := range m.seen {
			if strings.Contains(l, "src "+marker+" ") {
				var blocks [][]string
				for _, b := range ipBlocks(strings.Join(m.seen[:i], "\n")) {
					if !strings.Contains(b[0], "src 10.25") { // a marker's
						blocks = append(blocks, b)
					}
				}
				m.seen = m.seen[i+1:]
				return blocks
			}
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("ip xfrm monitor did not print the marker policy %s in a minute; it printed %q", marker, m.seen)
		}
	}
}

// blocksOf returns the blocks whose first line starts with prefix.
func blocksOf(blocks [][]string, prefix string) [][]string {
	var out [][]string
	for _, b := range blocks {
		if strings.HasPrefix(b[0], prefix) {
			out = append(out, b)
		}
	}
	return out
}
