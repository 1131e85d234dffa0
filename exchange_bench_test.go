//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// BenchmarkExecuteGetLink is a request and its reply: RTM_GETLINK for lo,
// in a namespace of its own, without a context to watch.
func BenchmarkExecuteGetLink(b *testing.B) {
	ns := nstest.New(b)
	c := xcDial(b, ns, netlink.Config{})
	req := xcGetLink(1, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := c.Execute(ctx, req)
		if err != nil || len(msgs) != 1 {
			b.Fatalf("%d messages, %v", len(msgs), err)
		}
	}
}

// TestExecuteAllocs holds Execute to two allocations for a single reply,
// ACK or not: the reply's bytes and the slice of messages; ExecuteFunc,
// which lends the reply, and Dump to none.
func TestExecuteAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops items at random, and allocations follow")
	}
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	// A cancellable context costs nothing more when the reply is already
	// queued, as the kernel's replies are.
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ctx := range []context.Context{context.Background(), cancellable} {
		for _, tc := range []struct {
			name  string
			req   netlink.Message
			limit float64
		}{
			{"GET", xcGetLink(1, 0), 2},
			{"GET+ACK", xcGetLink(1, netlink.Acknowledge), 2},
		} {
			var err error
			allocs := testing.AllocsPerRun(500, func() {
				_, err = c.Execute(ctx, tc.req)
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s (%v): %v allocations per Execute", tc.name, ctx, allocs)
			if allocs > tc.limit {
				t.Errorf("%s (%v): %v allocations per Execute, want at most %v", tc.name, ctx, allocs, tc.limit)
			}
			n := 0
			count := func(netlink.Message) error { n++; return nil }
			allocs = testing.AllocsPerRun(500, func() {
				err = c.ExecuteFunc(ctx, tc.req, count)
			})
			if err != nil || n == 0 {
				t.Fatal(n, err)
			}
			if allocs != 0 {
				t.Errorf("%s (%v): %v allocations per ExecuteFunc, want 0", tc.name, ctx, allocs)
			}
		}
		var err error
		allocs := testing.AllocsPerRun(200, func() {
			for _, e := range c.Dump(ctx, xcLinkDump()) {
				if e != nil {
					err = e
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 0 {
			t.Errorf("Dump of links (%v): %v allocations, want 0", ctx, allocs)
		}
	}
}

// BenchmarkInstallRoutes installs 10,000 host routes into an empty main
// table per iteration, all at once with Batch and one by one with Execute,
// and deletes them again with the timer stopped.
func BenchmarkInstallRoutes(b *testing.B) {
	const routes = 10_000
	ns := nstest.New(b)
	v := xcVeth(b, ns, "xc0")
	c := xcDial(b, ns, netlink.Config{})
	ctx := context.Background()
	batch := make([]netlink.Message, routes)
	single := make([]netlink.Message, routes)
	del := make([]netlink.Message, routes)
	for i := range routes {
		batch[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Replace, xcDst(i), v)
		single[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Acknowledge|netlink.Create|netlink.Replace, xcDst(i), v)
		del[i] = xcRoute(unix.RTM_DELROUTE, 0, xcDst(i), v)
	}
	check := func(b *testing.B, results []error, err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
		for i, err := range results {
			if err != nil {
				b.Fatalf("route %d: %v", i, err)
			}
		}
	}

	run := func(b *testing.B, install func(b *testing.B)) {
		var before, after runtime.MemStats
		var mallocs uint64
		b.ReportAllocs()
		for range b.N {
			runtime.ReadMemStats(&before)
			install(b)
			runtime.ReadMemStats(&after)
			mallocs += after.Mallocs - before.Mallocs

			b.StopTimer()
			results, err := c.Batch(ctx, del)
			check(b, results, err)
			b.StartTimer()
		}
		n := float64(routes) * float64(b.N)
		b.ReportMetric(n/b.Elapsed().Seconds(), "routes/s")
		b.ReportMetric(float64(mallocs)/n, "allocs/route")
	}

	b.Run("Batch", func(b *testing.B) {
		run(b, func(b *testing.B) {
			results, err := c.Batch(ctx, batch)
			check(b, results, err)
		})
	})
	b.Run("Execute", func(b *testing.B) {
		run(b, func(b *testing.B) {
			for i := range single {
				if _, err := c.Execute(ctx, single[i]); err != nil {
					b.Fatalf("route %d: %v", i, err)
				}
			}
		})
	})
}

// The GETLINK rows below compare Execute with a floor: a hand-written x/sys
// loop on a blocking socket that does the same work, send the request,
// read the reply and the ACK (sendto and recvfrom), check each comes from
// the kernel (port 0) with the request's sequence number, check the ACK's
// errno, and decode the same fields (the link's name and MTU, each length
// checked).

// glReply is what each row decodes from the reply.
type glReply struct {
	name string
	mtu  uint32
}

// glDecode decodes an RTM_NEWLINK payload by hand, checking every length.
func glDecode(b []byte) (glReply, bool) {
	var r glReply
	if len(b) < unix.SizeofIfInfomsg {
		return r, false
	}
	for b = b[unix.SizeofIfInfomsg:]; len(b) >= 4; {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			return r, false
		}
		switch p := b[4:l]; binary.NativeEndian.Uint16(b[2:]) & 0x3fff {
		case unix.IFLA_IFNAME:
			if i := bytes.IndexByte(p, 0); i >= 0 {
				p = p[:i]
			}
			r.name = string(p)
		case unix.IFLA_MTU:
			if len(p) != 4 {
				return r, false
			}
			r.mtu = binary.NativeEndian.Uint32(p)
		}
		b = b[min(netlink.Align(l), len(b)):]
	}
	return r, true
}

// glFloor is the floor's socket: a blocking NETLINK_ROUTE socket in a
// namespace, opened on a thread of its own that enters it.
type glFloor struct {
	fd   int
	seq  uint32
	req  []byte
	buf  []byte
	port uint32
}

func newGLFloor(tb testing.TB, ns *nstest.NS, ack bool) *glFloor {
	tb.Helper()
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result)
	go func() {
		runtime.LockOSThread() // not unlocked: the thread dies in the namespace
		f, err := os.Open(ns.Path)
		if err != nil {
			ch <- result{-1, err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{-1, err}
			return
		}
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		ch <- result{fd, err}
	}()
	r := <-ch
	if r.err != nil {
		tb.Fatal(r.err)
	}
	tb.Cleanup(func() { unix.Close(r.fd) })
	if err := unix.Bind(r.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		tb.Fatal(err)
	}
	sa, err := unix.Getsockname(r.fd)
	if err != nil {
		tb.Fatal(err)
	}
	flags := netlink.Request
	if ack {
		flags |= netlink.Acknowledge
	}
	req := netlink.AppendMessage(nil, netlink.Header{Type: unix.RTM_GETLINK, Flags: flags, PortID: sa.(*unix.SockaddrNetlink).Pid}, xcIfinfo(1))
	return &glFloor{fd: r.fd, req: req, buf: make([]byte, 32<<10), port: sa.(*unix.SockaddrNetlink).Pid}
}

// recv reads one datagram from the kernel with the current sequence number.
func (f *glFloor) recv() ([]byte, netlink.Header, error) {
	n, from, err := unix.Recvfrom(f.fd, f.buf, 0)
	if err != nil {
		return nil, netlink.Header{}, err
	}
	if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
		return nil, netlink.Header{}, fmt.Errorf("not from the kernel: %v", from)
	}
	h, err := netlink.ParseHeader(f.buf[:n])
	if err != nil || int(h.Length) > n || h.Sequence != f.seq {
		return nil, h, fmt.Errorf("bad reply %v (%d bytes): %v", h, n, err)
	}
	return f.buf[netlink.HeaderLen:h.Length], h, nil
}

// getLink runs one exchange: the request, its reply, and its ACK when the
// request asked for one.
func (f *glFloor) getLink(ack bool) (glReply, error) {
	f.seq++
	binary.NativeEndian.PutUint32(f.req[8:], f.seq)
	if err := unix.Sendto(f.fd, f.req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return glReply{}, err
	}
	p, h, err := f.recv()
	if err != nil {
		return glReply{}, err
	}
	if h.Type != unix.RTM_NEWLINK {
		return glReply{}, fmt.Errorf("reply %v", h)
	}
	r, ok := glDecode(p)
	if !ok {
		return r, errors.New("malformed link")
	}
	if !ack {
		return r, nil
	}
	p, h, err = f.recv()
	if err != nil {
		return r, err
	}
	if h.Type != netlink.TypeError || len(p) < 4 {
		return r, fmt.Errorf("ACK %v", h)
	}
	if e := int32(binary.NativeEndian.Uint32(p)); e != 0 {
		return r, syscall.Errno(-e)
	}
	return r, nil
}

// glExecute is the library's row: Execute and the same decoding.
func glExecute(ctx context.Context, c *netlink.Conn, req netlink.Message) (glReply, error) {
	msgs, err := c.Execute(ctx, req)
	if err != nil {
		return glReply{}, err
	}
	if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK {
		return glReply{}, fmt.Errorf("%d messages", len(msgs))
	}
	r, ok := glDecode(msgs[0].Data)
	if !ok {
		return r, errors.New("malformed link")
	}
	return r, nil
}

// glExecuteFunc is the library's zero-copy row: ExecuteFunc, decoding the
// lent reply in place.
func glExecuteFunc(ctx context.Context, c *netlink.Conn, req netlink.Message) (glReply, error) {
	var r glReply
	n := 0
	err := c.ExecuteFunc(ctx, req, func(m netlink.Message) error {
		var ok bool
		if n++; m.Header.Type != unix.RTM_NEWLINK {
			return fmt.Errorf("reply %v", m.Header)
		}
		if r, ok = glDecode(m.Data); !ok {
			return errors.New("malformed link")
		}
		return nil
	})
	if err == nil && n != 1 {
		err = fmt.Errorf("%d messages", n)
	}
	return r, err
}

// cpuTime is the CPU time the whole process has used, all threads: the
// cost of a datagram that wakes a thread parked in the runtime poller shows
// here, not in the time of the goroutine that runs the exchange.
func cpuTime() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// glRow is a way to run RTM_GETLINK for lo; floor is the index of the
// floor it compares with.
type glRow struct {
	name  string
	floor int
	run   func() (glReply, error)
}

// glRows are the GETLINK rows, on sockets in a namespace of their own.
func glRows(b *testing.B) []glRow {
	ns := nstest.New(b)
	floorAck, floorNoAck := newGLFloor(b, ns, true), newGLFloor(b, ns, false)
	c := xcDial(b, ns, netlink.Config{})
	cs := xcDial(b, ns, netlink.Config{SkipGetAck: true})
	req := xcGetLink(1, 0)
	bg := context.Background()
	cancellable, cancel := context.WithCancel(bg)
	b.Cleanup(cancel)
	return []glRow{
		{"Floor", 0, func() (glReply, error) { return floorAck.getLink(true) }},
		{"FloorNoAck", 1, func() (glReply, error) { return floorNoAck.getLink(false) }},
		{"Execute", 0, func() (glReply, error) { return glExecute(bg, c, req) }},
		{"ExecuteCtx", 0, func() (glReply, error) { return glExecute(cancellable, c, req) }},
		{"SkipGetAck", 1, func() (glReply, error) { return glExecute(bg, cs, req) }},
		{"ExecuteFunc", 0, func() (glReply, error) { return glExecuteFunc(bg, c, req) }},
		{"ExecuteFuncSkip", 1, func() (glReply, error) { return glExecuteFunc(bg, cs, req) }},
	}
}

// BenchmarkGetLink runs each GETLINK row alone, for profiles and perf stat:
//
//	go test -run '^$' -bench 'GetLink/Execute$' -benchtime 100000x .
func BenchmarkGetLink(b *testing.B) {
	want := glReply{name: "lo", mtu: 65536}
	for _, row := range glRows(b) {
		b.Run(row.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, err := row.run()
				if err != nil || r != want {
					b.Fatalf("%+v, %v", r, err)
				}
			}
		})
	}
}

// BenchmarkGetLinkRatio runs RTM_GETLINK for lo by every row in turn, in
// rounds of 5000 exchanges, in a process with a pending timer (as every
// real program has: here a time.AfterFunc an hour away) and without, and reports each row's least CPU time per exchange,
// whole process, as a multiple of its floor's. Rounds with and without
// the timer alternate:
//
//	go test -run '^$' -bench GetLinkRatio -benchtime 10x -timeout 0 .
//
// -timeout 0 matters for the idle rows: go test's own timeout is a pending
// timer too.
func BenchmarkGetLinkRatio(b *testing.B) {
	rows := glRows(b)
	want := glReply{name: "lo", mtu: 65536}
	const round = 5000
	conds := []string{"timer", "idle"}
	best := make([][]time.Duration, len(conds))
	for i := range best {
		best[i] = make([]time.Duration, len(rows))
	}
	for range b.N {
		for ci, cond := range conds {
			var t *time.Timer
			if cond == "timer" {
				t = time.AfterFunc(time.Hour, func() {})
			}
			for i, row := range rows {
				start := cpuTime()
				for range round {
					r, err := row.run()
					if err != nil || r != want {
						b.Fatalf("%s: %+v, %v", row.name, r, err)
					}
				}
				if d := cpuTime() - start; best[ci][i] == 0 || d < best[ci][i] {
					best[ci][i] = d
				}
			}
			if t != nil {
				t.Stop()
			}
		}
	}
	for ci, cond := range conds {
		for i, row := range rows {
			if i != row.floor {
				b.ReportMetric(float64(best[ci][i])/float64(best[ci][row.floor]), row.name+"/floor-"+cond)
			}
		}
		b.ReportMetric(float64(best[ci][0].Nanoseconds())/round, "Floor-ns-"+cond)
	}
}

// BenchmarkPingPong sends a datagram between two NETLINK_USERSOCK Conns
// and back, each side waiting in ReceiveDatagram: every read waits, so it
// measures what waiting costs (the socket joins the Conn's epoll instance
// and leaves it at each wait), in CPU time of the whole process per round
// trip.
func BenchmarkPingPong(b *testing.B) {
	ns := nstest.New(b)
	x, y := skUserPair(b, ns, netlink.Config{})
	ctx := context.Background()
	ping := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: 1}, Data: make([]byte, 16)}
	errs := make(chan error, 1)
	go func() {
		for {
			if _, err := y.ReceiveDatagram(ctx); err != nil {
				errs <- nil // closed
				return
			}
			if _, err := y.SendTo(ctx, ping, x.LocalAddr()); err != nil {
				errs <- err
				return
			}
		}
	}()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := x.SendTo(ctx, ping, y.LocalAddr()); err != nil {
			b.Fatal(err)
		}
		if _, err := x.ReceiveDatagram(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	y.Close()
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// irFloor installs routes on a blocking NETLINK_ROUTE socket by hand, the
// floors of the install rows: each request asks for an ACK, and each ACK
// is checked to come from the kernel (port 0), to carry a sequence number
// that awaits one, and to say 0.
type irFloor struct {
	*glFloor
	out []byte
}

// ack reads one ACK and returns its sequence number.
func (f *irFloor) ack() (uint32, error) {
	n, from, err := unix.Recvfrom(f.fd, f.buf, 0)
	if err != nil {
		return 0, err
	}
	if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
		return 0, fmt.Errorf("not from the kernel: %v", from)
	}
	h, err := netlink.ParseHeader(f.buf[:n])
	if err != nil || int(h.Length) > n || h.Type != netlink.TypeError || h.Length < netlink.HeaderLen+4 {
		return 0, fmt.Errorf("bad ACK %v (%d bytes): %v", h, n, err)
	}
	if e := int32(binary.NativeEndian.Uint32(f.buf[netlink.HeaderLen:])); e != 0 {
		return h.Sequence, syscall.Errno(-e)
	}
	return h.Sequence, nil
}

// install sends reqs, per requests to a datagram, and reads their ACKs
// before sending the next datagram.
func (f *irFloor) install(reqs []netlink.Message, per int) error {
	for start := 0; start < len(reqs); start += per {
		end := min(start+per, len(reqs))
		f.out = f.out[:0]
		first := f.seq + 1
		for _, m := range reqs[start:end] {
			f.seq++
			h := m.Header
			h.Flags |= netlink.Request | netlink.Acknowledge
			h.Sequence, h.PortID = f.seq, f.port
			f.out = netlink.AppendMessage(f.out, h, m.Data)
		}
		if err := unix.Sendto(f.fd, f.out, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return err
		}
		for range end - start {
			seq, err := f.ack()
			if err != nil {
				return err
			}
			if seq-first >= uint32(end-start) {
				return fmt.Errorf("ACK for %d, want %d to %d", seq, first, f.seq)
			}
		}
	}
	return nil
}

// batchChunk is how many of reqs Batch sends in its first datagram on a
// socket with the default buffers (see Conn.Batch).
func batchChunk(tb testing.TB, c *netlink.Conn, reqs []netlink.Message) int {
	rc, err := c.SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	var rcvbuf, sndbuf int
	rc.Control(func(fd uintptr) {
		rcvbuf, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		sndbuf, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF)
	})
	n, size, cost := 0, 0, 0
	for _, m := range reqs {
		l := netlink.MessageSpace(len(m.Data))
		cost += 1024 + 2*l
		if n > 0 && (size+l > max(4096, sndbuf/2) || cost > rcvbuf/2) {
			break
		}
		size += l
		n++
	}
	return n
}

// BenchmarkInstallRatio installs 2000 host routes per round, each way in
// turn, and deletes them between rounds (not counted): Execute one by
// one against the floor that sends one request per datagram, Batch
// against the floor that sends as many per datagram as Batch does. It
// reports each row's least CPU time (whole process) per route as a
// multiple of its floor's, with and without a pending timer:
//
//	go test -run '^$' -bench InstallRatio -benchtime 5x -timeout 0 .
func BenchmarkInstallRatio(b *testing.B) {
	const routes = 2000
	ns := nstest.New(b)
	v := xcVeth(b, ns, "xc0")
	c := xcDial(b, ns, netlink.Config{})
	floor := &irFloor{glFloor: newGLFloor(b, ns, true)}
	ctx := context.Background()
	reqs := make([]netlink.Message, routes)
	single := make([]netlink.Message, routes)
	del := make([]netlink.Message, routes)
	for i := range routes {
		reqs[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Replace, xcDst(i), v)
		single[i] = reqs[i]
		single[i].Header.Flags |= netlink.Acknowledge
		del[i] = xcRoute(unix.RTM_DELROUTE, 0, xcDst(i), v)
	}
	per := batchChunk(b, c, reqs)
	rows := []struct {
		name  string
		floor int
		run   func() error
	}{
		{"FloorOne", 0, func() error { return floor.install(reqs, 1) }},
		{"FloorBatch", 1, func() error { return floor.install(reqs, per) }},
		{"Execute", 0, func() error {
			for i := range single {
				if _, err := c.Execute(ctx, single[i]); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Batch", 1, func() error {
			results, err := c.Batch(ctx, reqs)
			return errors.Join(append(results, err)...)
		}},
	}
	conds := []string{"timer", "idle"}
	best := make([][]time.Duration, len(conds))
	for i := range best {
		best[i] = make([]time.Duration, len(rows))
	}
	for range b.N {
		for ci, cond := range conds {
			var t *time.Timer
			if cond == "timer" {
				t = time.AfterFunc(time.Hour, func() {})
			}
			for i, row := range rows {
				start := cpuTime()
				if err := row.run(); err != nil {
					b.Fatalf("%s: %v", row.name, err)
				}
				if d := cpuTime() - start; best[ci][i] == 0 || d < best[ci][i] {
					best[ci][i] = d
				}
				results, err := c.Batch(ctx, del)
				if err := errors.Join(append(results, err)...); err != nil {
					b.Fatal(err)
				}
			}
			if t != nil {
				t.Stop()
			}
		}
	}
	for ci, cond := range conds {
		for i, row := range rows {
			if i != row.floor {
				b.ReportMetric(float64(best[ci][i])/float64(best[ci][row.floor]), row.name+"/floor-"+cond)
			}
		}
	}
	b.ReportMetric(float64(per), "requests/datagram")
}

// rdSum is what the dump rows build from each route: its prefix, output
// link and table, summed so that every value is used.
type rdSum struct {
	routes int
	sum    uint64
}

func (s *rdSum) add(p netip.Prefix, oif, table uint32) {
	a := p.Addr().As16()
	s.routes++
	s.sum += binary.BigEndian.Uint64(a[8:]) + uint64(p.Bits()) + uint64(oif)<<8 + uint64(table)<<16
}

// rdRoute decodes a route with an AttrDecoder.
func rdRoute(m netlink.Message, s *rdSum) error {
	if len(m.Data) < unix.SizeofRtMsg {
		return errors.New("short route")
	}
	family, bits, table := m.Data[0], int(m.Data[1]), uint32(m.Data[4])
	d := m.AttrDecoder(unix.SizeofRtMsg)
	var dst netip.Addr
	var oif uint32
	for d.Next() {
		switch d.Type() {
		case unix.RTA_DST:
			dst = d.Addr()
		case unix.RTA_OIF:
			oif = d.Uint32()
		case unix.RTA_TABLE:
			table = d.Uint32()
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	if !dst.IsValid() {
		dst = netip.IPv4Unspecified()
		if family == unix.AF_INET6 {
			dst = netip.IPv6Unspecified()
		}
	}
	s.add(netip.PrefixFrom(dst, bits), oif, table)
	return nil
}

// dumpRoutes is the floor of the dump rows: a route dump on a blocking
// socket, each datagram checked to come from the kernel with the
// request's sequence number, each message's and attribute's length
// checked, the same values built.
func (f *glFloor) dumpRoutes(s *rdSum) error {
	f.seq++
	req := netlink.AppendMessage(f.buf[:0:0], netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Request | netlink.Dump, Sequence: f.seq, PortID: f.port},
		[]byte{unix.AF_INET, 0, 0, 0, unix.RT_TABLE_MAIN, 0, 0, 0, 0, 0, 0, 0})
	if err := unix.Sendto(f.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	for {
		n, from, err := unix.Recvfrom(f.fd, f.buf, 0)
		if err != nil {
			return err
		}
		if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
			return fmt.Errorf("not from the kernel: %v", from)
		}
		for b := f.buf[:n]; len(b) > 0; {
			if len(b) < netlink.HeaderLen {
				return errors.New("short message")
			}
			l := int(binary.NativeEndian.Uint32(b))
			if l < netlink.HeaderLen || l > len(b) {
				return errors.New("bad message length")
			}
			typ, seq := binary.NativeEndian.Uint16(b[4:]), binary.NativeEndian.Uint32(b[8:])
			msg := b[netlink.HeaderLen:l]
			b = b[min(netlink.Align(l), len(b)):]
			if seq != f.seq {
				return fmt.Errorf("sequence %d, want %d", seq, f.seq)
			}
			switch typ {
			case uint16(netlink.TypeDone):
				return nil
			case uint16(netlink.TypeError):
				return errors.New("dump refused")
			case unix.RTM_NEWROUTE:
			default:
				continue
			}
			if len(msg) < unix.SizeofRtMsg {
				return errors.New("short route")
			}
			family, bits, table := msg[0], int(msg[1]), uint32(msg[4])
			var dst netip.Addr
			var oif uint32
			for a := msg[unix.SizeofRtMsg:]; len(a) > 0; {
				if len(a) < netlink.AttrHeaderLen {
					return errors.New("short attribute")
				}
				al := int(binary.NativeEndian.Uint16(a))
				if al < netlink.AttrHeaderLen || al > len(a) {
					return errors.New("bad attribute length")
				}
				v := a[netlink.AttrHeaderLen:al]
				switch binary.NativeEndian.Uint16(a[2:]) & netlink.AttrTypeMask {
				case unix.RTA_DST:
					switch len(v) {
					case 4:
						dst = netip.AddrFrom4([4]byte(v))
					case 16:
						dst = netip.AddrFrom16([16]byte(v))
					default:
						return errors.New("bad RTA_DST")
					}
				case unix.RTA_OIF:
					if len(v) != 4 {
						return errors.New("bad RTA_OIF")
					}
					oif = binary.NativeEndian.Uint32(v)
				case unix.RTA_TABLE:
					if len(v) != 4 {
						return errors.New("bad RTA_TABLE")
					}
					table = binary.NativeEndian.Uint32(v)
				}
				a = a[min(netlink.Align(al), len(a)):]
			}
			if !dst.IsValid() {
				dst = netip.IPv4Unspecified()
				if family == unix.AF_INET6 {
					dst = netip.IPv6Unspecified()
				}
			}
			s.add(netip.PrefixFrom(dst, bits), oif, table)
		}
	}
}

// BenchmarkDumpRatio dumps 10,000 routes and decodes them, by hand on a
// blocking socket (the floor) and with Dump and an AttrDecoder, in turn,
// and reports Dump's least CPU time (whole process) as a multiple of the
// floor's, with and without a pending timer, and Dump's allocations per
// route:
//
//	go test -run '^$' -bench DumpRatio -benchtime 20x -timeout 0 .
func BenchmarkDumpRatio(b *testing.B) {
	const routes = 10_000
	ns := nstest.New(b)
	v := xcVeth(b, ns, "xc0")
	c := xcDial(b, ns, netlink.Config{})
	xcInstallRoutes(b, c, routes, v)
	floor := newGLFloor(b, ns, false)
	ctx := context.Background()
	req := xcRouteDump()
	s := new(rdSum)
	rows := []struct {
		name string
		run  func() error
	}{
		{"Floor", func() error { return floor.dumpRoutes(s) }},
		{"Dump", func() error {
			for m, err := range c.Dump(ctx, req) {
				if err != nil {
					return err
				}
				if m.Header.Type == unix.RTM_NEWROUTE {
					if err := rdRoute(m, s); err != nil {
						return err
					}
				}
			}
			return nil
		}},
	}
	var want rdSum
	conds := []string{"timer", "idle"}
	best := make([][]time.Duration, len(conds))
	for i := range best {
		best[i] = make([]time.Duration, len(rows))
	}
	var mallocs uint64
	for range b.N {
		for ci, cond := range conds {
			var t *time.Timer
			if cond == "timer" {
				t = time.AfterFunc(time.Hour, func() {})
			}
			for i, row := range rows {
				*s = rdSum{}
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				start := cpuTime()
				if err := row.run(); err != nil {
					b.Fatalf("%s: %v", row.name, err)
				}
				d := cpuTime() - start
				runtime.ReadMemStats(&ms1)
				if i == 1 {
					mallocs += ms1.Mallocs - ms0.Mallocs
				}
				if best[ci][i] == 0 || d < best[ci][i] {
					best[ci][i] = d
				}
				if want.routes == 0 {
					want = *s
				}
				if *s != want || s.routes < routes {
					b.Fatalf("%s: %+v, want %+v with at least %d routes", row.name, *s, want, routes)
				}
			}
			if t != nil {
				t.Stop()
			}
		}
	}
	for ci, cond := range conds {
		b.ReportMetric(float64(best[ci][1])/float64(best[ci][0]), "Dump/floor-"+cond)
	}
	b.ReportMetric(float64(mallocs)/float64(2*b.N*want.routes), "Dump-allocs/route")
}
