//go:build linux

package tcpmetrics

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// inNetNS runs f on a thread in the network namespace at path. The thread
// is never unlocked, so it ends with the goroutine.
func inNetNS(t *testing.T, path string, f func() error) {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			errc <- err
			return
		}
		errc <- f()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// connect makes a TCP connection over the namespace's loopback, moves some
// data both ways and closes it, which leaves the kernel a metrics entry
// for 127.0.0.1.
func connect() error {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		return err
	}
	defer s.Close()
	buf := make([]byte, 1000)
	for range 20 {
		if _, err := c.Write(buf); err != nil {
			return err
		}
		if _, err := io.ReadFull(s, buf); err != nil {
			return err
		}
		if _, err := s.Write(buf[:1]); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, buf[:1]); err != nil {
			return err
		}
	}
	return nil
}

// TestMetricsMatchIP reads the metrics entry a loopback connection left,
// as a dump and as a do, compares it with `ip -j tcp_metrics show`,
// deletes it, and reads the cache empty after `ip tcp_metrics flush`.
func TestMetricsMatchIP(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	dump := func() []TCPMetrics {
		var all []TCPMetrics
		for m, err := range c.GetDump(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, m)
		}
		return all
	}
	inNetNS(t, ns.Path, connect)
	// The entry is written when the connection's sockets close; wait for
	// it (a hang guard, not a timing assertion).
	var all []TCPMetrics
	for deadline := time.Now().Add(time.Minute); len(all) == 0; {
		if all = dump(); len(all) == 0 && time.Now().After(deadline) {
			t.Fatal("no metrics entry after a loopback connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var want []struct {
		Dst, Source string
		Cwnd        uint32
		RTT         float64
	}
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "tcp_metrics", "show")), &want); err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(want) != 1 {
		t.Fatalf("dump has %d entries, ip %d", len(all), len(want))
	}
	m := all[0]
	if m.AddrIPv4 != lo || m.SaddrIPv4.String() != want[0].Source || m.AddrIPv4.String() != want[0].Dst {
		t.Errorf("entry %v from %v, ip says %s from %s", m.AddrIPv4, m.SaddrIPv4, want[0].Dst, want[0].Source)
	}
	if m.Vals.V.Cwnd.V != want[0].Cwnd {
		t.Errorf("cwnd %v, ip says %d", m.Vals.V.Cwnd, want[0].Cwnd)
	}
	// rtt-us is the smoothed RTT scaled by 8 (tcp_sock.srtt_us), which ip
	// divides.
	if us := math.Round(want[0].RTT * 1e6); float64(m.Vals.V.RttUs.V>>3) != us {
		t.Errorf("rtt-us %v (/8 = %d), ip says %vus", m.Vals.V.RttUs, m.Vals.V.RttUs.V>>3, us)
	}

	one, err := c.Get(ctx, &TCPMetrics{AddrIPv4: lo})
	if err != nil {
		t.Fatal(err)
	}
	if one.AddrIPv4 != lo || one.Vals.V.Cwnd != m.Vals.V.Cwnd {
		t.Errorf("do has %+v, dump %+v", one, m)
	}
	if err := c.Del(ctx, &TCPMetrics{AddrIPv4: lo}); err != nil {
		t.Fatal(err)
	}
	if got := dump(); len(got) != 0 {
		t.Errorf("after Del, the dump has %d entries", len(got))
	}
	if out := ns.Run(t, "tcp_metrics", "show"); out != "" {
		t.Errorf("after Del, ip tcp_metrics show says %q", out)
	}

	// What ip deletes is gone for us too.
	inNetNS(t, ns.Path, connect)
	for deadline := time.Now().Add(time.Minute); len(dump()) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no metrics entry after a second loopback connection")
		}
	}
	ns.Run(t, "tcp_metrics", "flush", "all")
	if got := dump(); len(got) != 0 {
		t.Errorf("after ip tcp_metrics flush, the dump has %d entries", len(got))
	}
}
