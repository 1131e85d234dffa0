package nflogtest_test

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
	"github.com/nlkit/netlink/netfilter/nflog"
	"github.com/nlkit/netlink/netfilter/nflog/nflogtest"
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
// kernel's where b logs the UDP datagrams to its port 9999 to group 5,
// with prefix "t30", on their way in.
type world interface {
	// dial opens a Conn, closed when the test ends.
	dial(t *testing.T) *nflog.Conn
	// send sends one UDP datagram to port 9999 per body.
	send(t *testing.T, bodies ...string)
	// stats returns group 5's state as /proc/net/netfilter/nfnetlink_log
	// prints it, without the socket's port and the counts.
	stats(t *testing.T) string
}

// udpPacket is an IPv4 UDP datagram from 198.18.0.1:40000 to
// 198.18.0.2:9999 with body, as b logs it.
func udpPacket(body string) []byte {
	p := make([]byte, 28, 28+len(body))
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:], uint16(28+len(body)))
	copy(p[12:], []byte{198, 18, 0, 1, 198, 18, 0, 2})
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
	for _, e := range []syscall.Errno{syscall.EPERM, syscall.EBUSY, syscall.ENODEV, syscall.EINVAL, syscall.EOPNOTSUPP} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}

// scenario binds, configures and unbinds group 5 and logs packets to it,
// each step logged as it came out.
func scenario(t *testing.T, w world) []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var log []string
	logf := func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
	c, other := w.dial(t), w.dial(t)

	logf("configure unbound: %s", errName(c.Configure(ctx, 5, nflog.Config{Timeout: 1})))
	logf("unbind unbound: %s", errName(c.Unbind(ctx, 5)))
	logf("bind family: %s", errName(c.BindFamily(ctx, 2)))
	logf("bind: %s", errName(c.Bind(ctx, 5, nflog.Config{})))
	logf("stats after bind: %s", w.stats(t))
	logf("bind again: %s", errName(c.Bind(ctx, 5, nflog.Config{})))
	logf("bind from another: %s", errName(other.Bind(ctx, 5, nflog.Config{})))
	logf("configure from another: %s", errName(other.Configure(ctx, 5, nflog.Config{Timeout: 1})))
	logf("configure: %s", errName(c.Configure(ctx, 5, nflog.Config{QueueThreshold: 1, Timeout: 7, Flags: nflog.FlagSeq})))
	logf("stats: %s", w.stats(t))

	// readUntil reads c's packets up to the one whose payload ends in
	// body, logging each.
	readUntil := func(c *nflog.Conn, body string) {
		for p, err := range c.Packets(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			var b []byte
			if len(p.Payload) >= 28 {
				b = p.Payload[28:]
			}
			logf("packet group=%d family=%d hook=%d proto=%#x prefix=%q payload=%d %q seq=%d(%v) global=%d(%v)",
				p.Group, p.Family, p.Hook, p.HWProtocol, p.Prefix, len(p.Payload), b,
				p.Seq, p.Has&nflog.HasSeq != 0, p.SeqGlobal, p.Has&nflog.HasSeqGlobal != 0)
			if strings.HasSuffix(string(p.Payload), body) {
				return
			}
		}
	}
	w.send(t, "whole-0")
	readUntil(c, "whole-0")
	logf("copy 30: %s", errName(c.Configure(ctx, 5, nflog.Config{Mode: nflog.CopyPacket, Range: 30})))
	logf("stats: %s", w.stats(t))
	w.send(t, "cut-1")
	readUntil(c, "cu")
	logf("copy metadata: %s", errName(c.Configure(ctx, 5, nflog.Config{Mode: nflog.CopyMeta, Range: 30})))
	logf("stats: %s", w.stats(t))
	w.send(t, "meta-2")
	logf("copy nothing: %s", errName(c.Configure(ctx, 5, nflog.Config{Mode: nflog.CopyNone})))
	logf("stats: %s", w.stats(t))
	w.send(t, "none-3")
	logf("copy all: %s", errName(c.Configure(ctx, 5, nflog.Config{Mode: nflog.CopyPacket, Range: 1 << 20})))
	logf("stats: %s", w.stats(t))
	w.send(t, "after-4")
	readUntil(c, "after-4")
	logf("global numbers: %s", errName(c.Configure(ctx, 5, nflog.Config{Flags: nflog.FlagSeqGlobal})))
	w.send(t, "global-5", "global-6")
	readUntil(c, "global-6")

	logf("unbind: %s", errName(c.Unbind(ctx, 5)))
	logf("stats: %s", w.stats(t))
	logf("bind from another: %s", errName(other.Bind(ctx, 5, nflog.Config{QueueThreshold: 1})))
	w.send(t, "again-7")
	readUntil(other, "again-7")
	logf("unbind: %s", errName(other.Unbind(ctx, 5)))
	return log
}

// fakeWorld is the scenario's world on the fake.
type fakeWorld struct{ k *nflogtest.Kernel }

func (w *fakeWorld) dial(t *testing.T) *nflog.Conn {
	c, err := w.k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (w *fakeWorld) send(t *testing.T, bodies ...string) {
	for _, b := range bodies {
		_, err := w.k.Log(5, nflog.Packet{Family: 2, Hook: 1, HWProtocol: 0x0800, Prefix: "t30", InDev: 2, Payload: udpPacket(b)})
		if err != nil && !errors.Is(err, nflogtest.ErrNotBound) {
			t.Fatal(err)
		}
	}
}

func (w *fakeWorld) stats(*testing.T) string {
	s, ok := w.k.Stats(5)
	if !ok {
		return "not bound"
	}
	return fmt.Sprintf("mode=%d range=%d timeout=%d", s.Mode, s.Range, s.Timeout)
}

func newFake() *nflogtest.Kernel { return nflogtest.New() }

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
		"stats after bind: mode=2 range=65531 timeout=100",
		`packet group=5 family=2 hook=1 proto=0x800 prefix="t30" payload=35 "whole-0" seq=0(true) global=0(false)`,
		`packet group=5 family=2 hook=1 proto=0x800 prefix="t30" payload=30 "cu" seq=1(true) global=0(false)`,
		`packet group=5 family=2 hook=1 proto=0x800 prefix="t30" payload=36 "global-6" seq=0(false) global=2(true)`,
	} {
		if !slices.Contains(log, want) {
			t.Errorf("no %q", want)
		}
	}
}

// TestLogUnbound checks Log's error for a group nobody bound, and that a
// packet logged goes to the Conn that bound the group alone.
func TestLogUnbound(t *testing.T) {
	k := nflogtest.New()
	if _, err := k.Log(1, nflog.Packet{}); !errors.Is(err, nflogtest.ErrNotBound) {
		t.Errorf("Log to an unbound group: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, _ := k.Dial(nil)
	defer a.Close()
	b, _ := k.Dial(nil)
	defer b.Close()
	if err := a.Bind(ctx, 1, nflog.Config{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Bind(ctx, 2, nflog.Config{}); err != nil {
		t.Fatal(err)
	}
	for _, g := range []uint16{1, 2} {
		if _, err := k.Log(g, nflog.Packet{Family: 2, Prefix: fmt.Sprint("to ", g)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []*nflog.Conn{a, b} {
		for p, err := range c.Packets(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprint("to ", i+1); p.Prefix != want || p.Group != uint16(i+1) {
				t.Errorf("Conn %d got %q of group %d, want %q", i, p.Prefix, p.Group, want)
			}
			break
		}
	}
}
