package nfqueuetest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/nfqueue"
	"github.com/nlkit/netlink/netfilter/nfqueue/nfqueuetest"
	"go.uber.org/goleak"
)

// TestMain checks that the tests left no goroutine and no descriptor
// behind, and says how many kernel tests were skipped.
func TestMain(m *testing.M) {
	fds := nstest.FDs()
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.Exit(nstest.Finish(code, fds))
	}))
}

// world is where the scenario runs: the fake, or two namespaces of the
// kernel's where b queues UDP datagrams to its port 9999 to queue 3.
type world interface {
	// dial opens a Conn, closed when the test ends.
	dial(t *testing.T) *nfqueue.Conn
	// send sends one UDP datagram to port 9999 per body, each queued (or
	// not) before send returns.
	send(t *testing.T, bodies ...string)
	// delivered returns the bodies of the datagrams that went past the
	// queue since the last call: accepted by a verdict, or by fail-open.
	delivered(t *testing.T) []string
	// stats returns queue 3's state as /proc/net/netfilter/nfnetlink_queue
	// prints it, without the socket's port.
	stats(t *testing.T) string
}

// udpPacket is an IPv4 UDP datagram from 198.18.0.1:40000 to
// 198.18.0.2:9999 with body, as b's queue sees it (checksum 0: none).
func udpPacket(body string) []byte {
	p := make([]byte, 28, 28+len(body))
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:], uint16(28+len(body)))
	copy(p[12:], []byte{198, 18, 0, 1, 198, 18, 0, 2})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	sum = sum>>16 + sum&0xffff
	sum += sum >> 16
	binary.BigEndian.PutUint16(p[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(p[20:], 40000)
	binary.BigEndian.PutUint16(p[22:], 9999)
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(body)))
	return append(p, body...)
}

// errName is err's errno, "ok" for nil.
func errName(err error) string {
	if err == nil {
		return "ok"
	}
	for _, e := range []syscall.Errno{syscall.EPERM, syscall.ENOENT, syscall.EBUSY, syscall.ENODEV, syscall.EINVAL, syscall.EOPNOTSUPP} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}

// scenario binds, configures and unbinds queue 3, queues packets and
// gives them verdicts, each step logged as it came out.
func scenario(t *testing.T, w world) []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var log []string
	logf := func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
	q, other := w.dial(t), w.dial(t)

	logf("configure unbound: %s", errName(q.Configure(ctx, 3, nfqueue.Config{MaxLen: 5})))
	logf("unbind unbound: %s", errName(q.Unbind(ctx, 3)))
	logf("verdict unbound: %s", errName(q.SetVerdict(ctx, 3, 1, nfqueue.Decision{Verdict: nfqueue.Accept})))
	logf("bind: %s", errName(q.Bind(ctx, 3, nfqueue.Config{})))
	logf("stats after bind: %s", w.stats(t))
	logf("bind again: %s", errName(q.Bind(ctx, 3, nfqueue.Config{})))
	logf("bind from another: %s", errName(other.Bind(ctx, 3, nfqueue.Config{})))
	logf("configure from another: %s", errName(other.Configure(ctx, 3, nfqueue.Config{MaxLen: 5})))
	logf("unknown flag: %s", errName(q.Configure(ctx, 3, nfqueue.Config{Flags: 1 << 5, FlagsMask: 1 << 5})))
	logf("flag outside the mask: %s", errName(q.Configure(ctx, 3, nfqueue.Config{Flags: nfqueue.FlagFailOpen, FlagsMask: nfqueue.FlagGSO})))
	logf("stats: %s", w.stats(t))

	// Nothing is queued before a copy mode is set; then metadata alone,
	// then packets cut at 30 bytes, then whole.
	w.send(t, "none")
	logf("delivered: %q", w.delivered(t))
	logf("stats: %s", w.stats(t))
	logf("configure metadata: %s", errName(q.Configure(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyMeta})))
	logf("stats: %s", w.stats(t))
	read := func(n int) []nfqueue.Packet {
		var ps []nfqueue.Packet
		if n == 0 {
			return nil
		}
		for p, err := range q.Packets(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p.Clone())
			if len(ps) == n {
				break
			}
		}
		return ps
	}
	show := func(ps []nfqueue.Packet) {
		for _, p := range ps {
			// The body alone: the headers of the kernel's packets differ
			// from the fake's (source port, IP ID, checksums).
			var body []byte
			if len(p.Payload) >= 28 {
				body = p.Payload[28:]
			}
			logf("packet queue=%d id=%d family=%d hook=%d proto=%#x payload=%d %q caplen=%d(%v)",
				p.Queue, p.ID, p.Family, p.Hook, p.HWProtocol, len(p.Payload), body, p.CapLen, p.Has&nfqueue.HasCapLen != 0)
		}
	}
	w.send(t, "meta-0")
	metas := read(1)
	show(metas)
	logf("configure copy 30: %s", errName(q.Configure(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket, Range: 30})))
	logf("stats: %s", w.stats(t))
	w.send(t, "cut-1")
	cuts := read(1)
	show(cuts)
	logf("configure copy all: %s", errName(q.Configure(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket})))
	logf("stats: %s", w.stats(t))
	w.send(t, "accept-2", "drop-3", "mangle-4", "batch-5", "batch-6")
	ps := read(5)
	show(ps)
	logf("stats with 7 waiting: %s", w.stats(t))

	logf("verdict from another: %s", errName(other.SetVerdict(ctx, 3, ps[0].ID, nfqueue.Decision{Verdict: nfqueue.Accept})))
	logf("verdict 6: %s", errName(q.SetVerdict(ctx, 3, ps[0].ID, nfqueue.Decision{Verdict: 6})))
	logf("verdict on an unknown ID: %s", errName(q.SetVerdict(ctx, 3, 1000, nfqueue.Decision{Verdict: nfqueue.Accept})))
	logf("accept: %s", errName(q.SetVerdict(ctx, 3, ps[0].ID, nfqueue.Decision{Verdict: nfqueue.Accept, Mark: 7, SetMark: true})))
	logf("accept again: %s", errName(q.SetVerdict(ctx, 3, ps[0].ID, nfqueue.Decision{Verdict: nfqueue.Accept})))
	logf("drop: %s", errName(q.SetVerdict(ctx, 3, ps[1].ID, nfqueue.Decision{Verdict: nfqueue.Drop})))
	pl := slices.Clone(ps[2].Payload)
	copy(pl[28:], "MANGLE")
	pl[26], pl[27] = 0, 0 // no UDP checksum
	logf("mangle: %s", errName(q.SetVerdict(ctx, 3, ps[2].ID, nfqueue.Decision{Verdict: nfqueue.Accept, Payload: pl})))
	logf("delivered: %q", w.delivered(t))
	// The batch takes every packet up to the last: the cut one and the
	// first too.
	logf("batch: %s", errName(q.SetVerdictBatch(ctx, 3, ps[4].ID, nfqueue.Accept, 0, false)))
	logf("delivered: %q", w.delivered(t))
	logf("batch again: %s", errName(q.SetVerdictBatch(ctx, 3, ps[4].ID, nfqueue.Accept, 0, false)))
	logf("stats: %s", w.stats(t))

	// A full queue drops, or with fail-open accepts.
	logf("configure length 1: %s", errName(q.Configure(ctx, 3, nfqueue.Config{MaxLen: 1})))
	w.send(t, "full-7", "full-8")
	logf("delivered: %q", w.delivered(t))
	logf("stats: %s", w.stats(t))
	logf("configure fail-open: %s", errName(q.Configure(ctx, 3, nfqueue.Config{Flags: nfqueue.FlagFailOpen, FlagsMask: nfqueue.FlagFailOpen})))
	w.send(t, "open-9")
	logf("delivered: %q", w.delivered(t))
	show(read(1))
	logf("stats: %s", w.stats(t))

	// Unbound, the queue drops what it held, and another socket may bind
	// it; its IDs start again.
	logf("unbind: %s", errName(q.Unbind(ctx, 3)))
	logf("delivered: %q", w.delivered(t))
	logf("bind from another: %s", errName(other.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket})))
	logf("stats: %s", w.stats(t))
	w.send(t, "again-10")
	for p, err := range other.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		logf("packet id=%d payload=%q", p.ID, p.Payload[28:])
		logf("accept: %s", errName(other.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept})))
		break
	}
	logf("delivered: %q", w.delivered(t))
	logf("unbind: %s", errName(other.Unbind(ctx, 3)))
	return log
}

// fakeWorld is the scenario's world on the fake.
type fakeWorld struct {
	k    *nfqueuetest.Kernel
	seen int // verdicts already looked at
	out  []string
}

func (w *fakeWorld) dial(t *testing.T) *nfqueue.Conn {
	c, err := w.k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (w *fakeWorld) send(t *testing.T, bodies ...string) {
	for _, b := range bodies {
		_, err := w.k.Queue(3, nfqueue.Packet{Family: 2, Hook: 0, HWProtocol: 0x0800, InDev: 2, Payload: udpPacket(b)})
		switch {
		case errors.Is(err, nfqueuetest.ErrFailOpen):
			w.out = append(w.out, b)
		case err != nil && !errors.Is(err, nfqueuetest.ErrQueueFull) && !errors.Is(err, nfqueuetest.ErrCopyNone):
			t.Fatal(err)
		}
	}
}

func (w *fakeWorld) delivered(*testing.T) []string {
	vs := w.k.Verdicts()
	for _, v := range vs[w.seen:] {
		if v.Verdict == nfqueue.Accept {
			pl := v.Packet.Payload
			if v.Payload != nil {
				pl = v.Payload
			}
			w.out = append(w.out, string(pl[28:]))
		}
	}
	w.seen = len(vs)
	out := w.out
	w.out = nil
	slices.Sort(out)
	return out
}

func (w *fakeWorld) stats(*testing.T) string {
	s, ok := w.k.Stats(3)
	if !ok {
		return "not bound"
	}
	return fmt.Sprintf("total=%d mode=%d range=%d dropped=%d user_dropped=%d id_sequence=%d", s.Total, s.Mode, s.Range, s.Dropped, s.UserDropped, s.IDSequence)
}

// TestScenario runs the scenario on the fake and checks the outcomes it
// must show; TestSameAsKernel compares it with the kernel's, line by
// line.
func TestScenario(t *testing.T) {
	log := scenario(t, &fakeWorld{k: newFake()})
	t.Logf("\n%s", strings.Join(log, "\n"))
	for _, want := range []string{
		"configure unbound: no such device",
		"bind again: device or resource busy",
		"bind from another: operation not permitted",
		"verdict 6: invalid argument",
		"accept again: no such file or directory",
		`delivered: ["MANGLE-4" "accept-2"]`,
		`delivered: ["batch-5" "batch-6" "cut-1" "meta-0"]`,
		`delivered: ["open-9"]`,
		`packet id=1 payload="again-10"`,
	} {
		if !slices.Contains(log, want) {
			t.Errorf("no %q", want)
		}
	}
}

// TestVerdictWaits checks that Verdict returns the verdict the code
// under test gives, from another goroutine, and that it stops with its
// context.
func TestVerdictWaits(t *testing.T) {
	k := nfqueuetest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Bind(ctx, 1, nfqueue.Config{Mode: nfqueue.CopyPacket}); err != nil {
		t.Fatal(err)
	}
	id, err := k.Queue(1, nfqueue.Packet{Family: 2, Payload: udpPacket("x")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for p, err := range c.Packets(ctx) {
			if err != nil {
				done <- err
				return
			}
			done <- c.SetVerdict(ctx, 1, p.ID, nfqueue.Decision{Verdict: nfqueue.Drop})
			return
		}
	}()
	v, err := k.Verdict(ctx, 1, id)
	if err != nil || v.Verdict != nfqueue.Drop || v.ID != id || string(v.Packet.Payload[28:]) != "x" {
		t.Errorf("Verdict = %+v, %v", v, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithCancel(ctx)
	stop()
	if _, err := k.Verdict(short, 1, id+1); !errors.Is(err, context.Canceled) {
		t.Errorf("Verdict of a packet never queued, context cancelled: %v", err)
	}
	if _, err := k.Queue(2, nfqueue.Packet{}); !errors.Is(err, nfqueuetest.ErrNotBound) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Queue on an unbound queue: %v", err)
	}
}

func newFake() *nfqueuetest.Kernel { return nfqueuetest.New() }
