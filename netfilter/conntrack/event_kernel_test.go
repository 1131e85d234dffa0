//go:build linux

package conntrack_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// renderEvent prints an event as conntrack -E -o extended,id does, with
// the timeout (when the event has one) replaced by "T".
func renderEvent(ev conntrack.Event) string {
	l, _ := render(ev.Flow)
	if ev.Flow.Set&conntrack.FieldTimeout == 0 {
		l = strings.Replace(l, " T ", " ", 1)
	}
	if pid := ev.Message.Header.PortID; pid != 0 {
		l += fmt.Sprintf(" [USERSPACE] portid=%d", pid) // the port of the request that made the change
	}
	return "[" + ev.Type.String() + "] " + strings.Join(strings.Fields(l), " ")
}

// normEvent normalises a line of conntrack -E -o extended,id as
// renderEvent prints.
func normEvent(l string) string {
	fs := strings.Fields(l)
	if len(fs) > 5 && isDigits(fs[5]) {
		fs[5] = "T"
	}
	out := fs[:0]
	for _, f := range fs {
		switch {
		case strings.HasPrefix(f, "delta-time="):
			f = "delta-time=D"
		case strings.HasPrefix(f, "progname="):
			continue // conntrack reads it from /proc: not in the event
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// toolEvents runs conntrack -E in ns and collects its lines.
type toolEvents struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr strings.Builder // read once done is closed
	done   chan struct{}
}

func startToolEvents(t *testing.T, ns *nstest.NS) *toolEvents {
	// conntrack -E flushes its output after each event itself (stdbuf,
	// which the VMs of internal/vmtest lack, is not needed).
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "conntrack", "-E", "-o", "extended,id")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	te := &toolEvents{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &te.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(te.done)
		s := bufio.NewScanner(out)
		for s.Scan() {
			te.mu.Lock()
			te.lines = append(te.lines, normEvent(s.Text()))
			te.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-te.done
		cmd.Wait()
	})
	return te
}

// waitFor waits until a line contains s, and returns the lines so far.
func (te *toolEvents) waitFor(ctx context.Context, s string) ([]string, error) {
	for {
		te.mu.Lock()
		lines := append([]string(nil), te.lines...)
		te.mu.Unlock()
		for _, l := range lines {
			if strings.Contains(l, s) {
				return lines, nil
			}
		}
		select {
		case <-ctx.Done():
			return lines, ctx.Err()
		case <-te.done:
			return lines, errors.New("conntrack -E exited")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestEventsMatchConntrackTool(t *testing.T) {
	p := newPair(t)
	c := dialCT(t, p.a)
	ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
	defer cancel()

	ev, err := conntrack.Dial(&netlink.Config{NetNS: p.a.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	evCtx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	var ours []string
	var overruns int
	evDone := make(chan struct{})
	go func() {
		defer close(evDone)
		for e, err := range ev.Events(evCtx) {
			if errors.Is(err, netlink.ErrOverrun) {
				mu.Lock()
				overruns++
				mu.Unlock()
				continue
			}
			if err != nil {
				return
			}
			mu.Lock()
			ours = append(ours, renderEvent(e))
			mu.Unlock()
		}
	}()
	te := startToolEvents(t, p.a)

	// Both listeners are subscribed once both see a probe entry.
	for i := uint16(0); ; i++ {
		f := icmpFlow(40000 + i)
		if err := c.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_, err := te.waitFor(cctx, fmt.Sprintf("id=%d ", 40000+i))
		cancel()
		if err == nil {
			break
		}
		select {
		case <-te.done:
			cmd := te.cmd
			cmd.Wait()
			t.Fatalf("conntrack -E exited (%v): %s", cmd.ProcessState, te.stderr.String())
		default:
		}
		if ctx.Err() != nil {
			te.mu.Lock()
			t.Fatalf("conntrack -E printed no probe event: %q", te.lines)
		}
	}

	// The changes: entries made, changed and deleted by us, and by traffic.
	f := tcpFlow(1000, 7)
	if err := c.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	up := tcpFlow(1000, 9)
	up.Status, up.TCP, up.Timeout = 0, conntrack.TCPInfo{}, 0
	if err := c.Update(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, udp6Flow(2000, 5)); err != nil {
		t.Fatal(err)
	}
	p.traffic(t)
	if err := c.Delete(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMatching(ctx, conntrack.Filter{Family: 10}); err != nil {
		t.Fatal(err)
	}
	sentinel := icmpFlow(59999)
	if err := c.Create(ctx, sentinel); err != nil {
		t.Fatal(err)
	}
	theirs, err := te.waitFor(ctx, "id=59999 ")
	if err != nil {
		t.Fatal(err)
	}
	for {
		mu.Lock()
		n := strings.Contains(strings.Join(ours, "\n"), "id=59999 ")
		mu.Unlock()
		if n {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("our stream did not see the sentinel")
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	<-evDone

	// Compare from the first event after the probes up to the sentinel.
	cut := func(ls []string) []string {
		start, end := -1, -1
		for i, l := range ls {
			if strings.Contains(l, "type=8 code=0 id=4") && strings.HasPrefix(l, "[NEW] ipv4 2 icmp") {
				start = i
			}
			if strings.Contains(l, "id=59999 ") {
				end = i
				break
			}
		}
		return ls[start+1 : end+1]
	}
	mu.Lock()
	o := cut(ours)
	mu.Unlock()
	th := cut(theirs)
	if overruns > 0 {
		t.Fatalf("our stream overran %d times", overruns)
	}
	if strings.Join(o, "\n") != strings.Join(th, "\n") {
		t.Fatalf("events differ:\nours:\n\t%s\nconntrack -E:\n\t%s", strings.Join(o, "\n\t"), strings.Join(th, "\n\t"))
	}
	t.Logf("%d events:\n\t%s", len(o), strings.Join(o, "\n\t"))
	for _, want := range []string{"[NEW] ipv4 2 tcp 6 T ESTABLISHED src=198.18.1.1", "[UPDATE]", "mark=9", "[DESTROY] ipv6", "dport=8080"} {
		if !strings.Contains(strings.Join(o, "\n"), want) {
			t.Errorf("no event has %q", want)
		}
	}
}
