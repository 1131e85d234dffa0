//go:build linux

package nfqueue_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/conntrack"
	"github.com/nlkit/netlink/netfilter/nfqueue"
)

// inNS runs fn on a thread in ns (nstest.NS.Do) and fails the test if
// the thread cannot join ns.
func inNS(t testing.TB, ns *nstest.NS, fn func()) {
	t.Helper()
	if err := ns.Do(func() error { fn(); return nil }); err != nil {
		t.Fatal(err)
	}
}

// world is two namespaces joined by a veth pair, a (198.18.0.1) and b
// (198.18.0.2), where b marks UDP to port 9999 with 7 and queues it to
// queue 3 before routing, and counts the packets marked 0x55 on their way
// in, and has a UDP
// server on 9999 whose datagrams come to its inbox. The rules are iptables'
// (NFQUEUE target, mark match) where iptables-legacy is installed, as on
// this machine, whose nftables lacks the queue expression; else
// nftables' (queue expression, nft_queue), as in the VMs of
// internal/vmtest, which have no iptables.
type world struct {
	a, b *nstest.NS
	nft  bool
	*inbox
}

// inbox is what a UDP server received.
type inbox struct {
	mu  sync.Mutex
	got []string
}

// queuesWithNft reports whether the tests queue with nftables rules (where
// iptables-legacy is not installed, as in the VMs of internal/vmtest) or
// with iptables' (this machine, whose nftables lacks the queue
// expression), and skips the test when neither is installed.
func queuesWithNft(t *testing.T) bool {
	t.Helper()
	_, noIptables := exec.LookPath("iptables-legacy")
	_, noNft := exec.LookPath("nft")
	if noIptables != nil && noNft != nil {
		lacks(t, "neither iptables-legacy nor nft is installed (bash .ci/e2e-deps.sh installs them)")
	}
	return noIptables != nil
}

// lacks skips t for what the kernel or the machine lacks. In a VM of
// internal/vmtest, which has what these tests need, it fails t instead:
// TestNftablesVM's mustRun sees a test skip, not its subtests.
func lacks(t *testing.T, format string, args ...any) {
	t.Helper()
	if k, ok := vmtest.Guest(); ok {
		t.Fatalf("in the VM of Linux %s: "+format, append([]any{k}, args...)...)
	}
	t.Skipf(format, args...)
}

// nftRules loads ruleset into ns's nftables, and skips the test when the
// kernel lacks an expression it uses (nft_queue, here).
func nftRules(t *testing.T, ns *nstest.NS, ruleset string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "No such file or directory") {
			lacks(t, "this kernel has no nftables queue expression (nft_queue), and iptables-legacy is not installed: %s", out)
		}
		t.Fatalf("nft -f: %v: %s", err, out)
	}
}

// iptables runs iptables-legacy in ns.
func iptables(t *testing.T, ns *nstest.NS, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "iptables-legacy"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("iptables %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// pair returns two namespaces joined by a veth pair, va in a (198.18.0.1)
// and vb in b (198.18.0.2).
func pair(t *testing.T) (a, b *nstest.NS) {
	a, b = nstest.New(t), nstest.New(t)
	a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.Name)
	a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "link set va up"})
	b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "link set vb up"})
	return a, b
}

// listenUDP runs a UDP server on addr in ns until the test ends; the
// datagrams it receives come to the inbox.
func listenUDP(t *testing.T, ns *nstest.NS, addr string) *inbox {
	var u net.PacketConn
	inNS(t, ns, func() {
		var err error
		if u, err = net.ListenPacket("udp", addr); err != nil {
			t.Error(err)
		}
	})
	if u == nil {
		t.FailNow()
	}
	t.Cleanup(func() { u.Close() })
	in := &inbox{}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := u.ReadFrom(buf)
			if err != nil {
				return
			}
			in.mu.Lock()
			in.got = append(in.got, string(buf[:n]))
			in.mu.Unlock()
		}
	}()
	return in
}

func newWorld(t *testing.T) *world { return newWorldWith(t, false) }

// newWorldWith is newWorld, with b's connections tracked when track is
// set (a rule that reads their state).
func newWorldWith(t *testing.T, track bool) *world {
	nft := queuesWithNft(t)
	a, b := pair(t)
	w := &world{a: a, b: b, nft: nft}
	if w.nft {
		ct := ""
		if track {
			ct = "ct state new,established "
		}
		nftRules(t, w.b, `
table ip nfq30 {
	chain pre { type filter hook prerouting priority mangle; udp dport 9999 `+ct+`meta mark set 0x7 queue num 3; }
	chain in { type filter hook input priority filter; udp dport 9999 meta mark 0x55 counter; }
}`)
	} else {
		ct := []string{}
		if track {
			ct = []string{"-m", "conntrack", "--ctstate", "NEW,ESTABLISHED"}
		}
		w.iptables(t, "-t", "mangle", "-A", "PREROUTING", "-p", "udp", "--dport", "9999", "-j", "MARK", "--set-mark", "7")
		w.iptables(t, slices.Concat([]string{"-t", "mangle", "-A", "PREROUTING", "-p", "udp", "--dport", "9999"}, ct, []string{"-j", "NFQUEUE", "--queue-num", "3"})...)
		w.iptables(t, "-A", "INPUT", "-p", "udp", "--dport", "9999", "-m", "mark", "--mark", "0x55")
	}
	w.inbox = listenUDP(t, w.b, "198.18.0.2:9999")
	return w
}

// iptables runs iptables-legacy in b.
func (w *world) iptables(t *testing.T, args ...string) string {
	t.Helper()
	return iptables(t, w.b, args...)
}

// marked returns how many packets b's mark rule counted, and the listing
// it read that from.
func (w *world) marked(t *testing.T) (int, string) {
	t.Helper()
	if w.nft {
		out, err := exec.Command("ip", "netns", "exec", w.b.Name, "nft", "list", "chain", "ip", "nfq30", "in").CombinedOutput()
		if err != nil {
			t.Fatalf("nft list chain: %v: %s", err, out)
		}
		// "udp dport 9999 meta mark 0x00000055 counter packets 1 bytes 36"
		_, after, ok := strings.Cut(string(out), "counter packets ")
		n, err := strconv.Atoi(strings.Fields(after + " x")[0])
		if !ok || err != nil {
			t.Fatalf("no counter in:\n%s", out)
		}
		return n, string(out)
	}
	// The mark rule, the only rule of b's INPUT chain: "pkts bytes target
	// prot opt in out source destination ... mark match 0x55".
	out := w.iptables(t, "-L", "INPUT", "-v", "-x", "-n")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	fs := strings.Fields(lines[len(lines)-1])
	n, err := strconv.Atoi(fs[0])
	if len(fs) < 2 || err != nil || !strings.Contains(out, "mark match 0x55") {
		t.Fatalf("no mark rule in:\n%s", out)
	}
	return n, out
}

// send sends one datagram from a to b's port 9999 per payload.
func (w *world) send(t *testing.T, payloads ...string) {
	inNS(t, w.a, func() {
		c, err := net.Dial("udp", "198.18.0.2:9999")
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		for _, p := range payloads {
			c.Write([]byte(p))
		}
	})
}

// received waits until the server got want (in any order), and fails
// the test if ctx ends first or it got anything else.
func (in *inbox) received(ctx context.Context, t *testing.T, want ...string) {
	t.Helper()
	slices.Sort(want)
	for {
		in.mu.Lock()
		got := slices.Clone(in.got)
		in.mu.Unlock()
		slices.Sort(got)
		if slices.Equal(got, want) {
			return
		}
		if len(got) > len(want) {
			t.Fatalf("received %q, want %q", got, want)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("received %q, want %q", got, want)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func dialQueue(t testing.TB, ns *nstest.NS) *nfqueue.Conn {
	t.Helper()
	c, err := nfqueue.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestVerdicts queues real packets and gives each a verdict from the
// loop's body: accept, drop, accept with a new payload, accept with a
// mark, queue again to queue 4 (whose reader accepts it); what b's server
// receives, and b's mark counter, show each took.
func TestVerdicts(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket, Range: 0xffff}); err != nil {
		t.Fatal(err)
	}
	other := dialQueue(t, w.b)
	if err := other.Bind(ctx, 3, nfqueue.Config{}); !errors.Is(err, syscall.EPERM) {
		t.Errorf("binding a bound queue: %v, want EPERM", err)
	}
	if err := other.Bind(ctx, 4, nfqueue.Config{Mode: 7}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("copy mode 7: %v, want an error before sending", err)
	}
	if err := q.SetVerdict(ctx, 3, 123456, nfqueue.Decision{Verdict: nfqueue.Accept}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("a verdict for a packet the queue does not hold: %v, want ENOENT", err)
	}

	// Queue 4 gets the packet queue 3 sends on with QueueTo(4).
	q4 := dialQueue(t, w.b)
	if err := q4.Bind(ctx, 4, nfqueue.Config{Mode: nfqueue.CopyPacket, Range: 0xffff}); err != nil {
		t.Fatal(err)
	}

	vb, _ := interfaceIndex(t, w.b, "vb")
	_, va := interfaceIndex(t, w.a, "va")
	w.send(t, "accept-0", "drop-1", "mangle-2", "mark-3", "requeue-4")
	n := 0
	var ids []uint32
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Queue != 3 || p.Family != 2 || p.Hook != 0 || p.HWProtocol != 0x0800 || p.InDev != uint32(vb) || p.OutDev != 0 || len(p.Payload) < 28 {
			t.Errorf("packet %d: queue %d family %d hook %d protocol %#x in %d out %d, payload %x", n, p.Queue, p.Family, p.Hook, p.HWProtocol, p.InDev, p.OutDev, p.Payload)
		}
		if p.Has&nfqueue.HasMark == 0 || p.Mark != 7 {
			t.Errorf("packet %d: mark %#x (%v), want the rule's 7", n, p.Mark, p.Has&nfqueue.HasMark != 0)
		}
		if !bytes.Equal(p.HWAddr, va) {
			t.Errorf("packet %d: hardware address %x, want va's %s", n, p.HWAddr, va)
		}
		ids = append(ids, p.ID)
		body := string(p.Payload[28:])
		var d nfqueue.Decision
		switch {
		case strings.HasPrefix(body, "accept"):
			d.Verdict = nfqueue.Accept
		case strings.HasPrefix(body, "drop"):
			d.Verdict = nfqueue.Drop
		case strings.HasPrefix(body, "mangle"):
			// Same length, new bytes; a UDP checksum of 0 is none.
			pl := bytes.Clone(p.Payload)
			copy(pl[28:], "MANGLE")
			pl[26], pl[27] = 0, 0
			d = nfqueue.Decision{Verdict: nfqueue.Accept, Payload: pl}
		case strings.HasPrefix(body, "mark"):
			d = nfqueue.Decision{Verdict: nfqueue.Accept, Mark: 0x55, SetMark: true}
		case strings.HasPrefix(body, "requeue"):
			d.Verdict = nfqueue.QueueTo(4)
		default:
			t.Fatalf("queued %q", body)
		}
		if err := q.SetVerdict(ctx, 3, p.ID, d); err != nil {
			t.Fatal(err)
		}
		if n++; n == 5 {
			break
		}
	}
	for p, err := range q4.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Queue != 4 || !bytes.HasSuffix(p.Payload, []byte("requeue-4")) {
			t.Errorf("queue 4 got queue %d payload %x, want the requeued packet", p.Queue, p.Payload)
		}
		if err := q4.SetVerdict(ctx, 4, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
			t.Fatal(err)
		}
		break
	}
	w.received(ctx, t, "accept-0", "MANGLE-2", "mark-3", "requeue-4")
	if !slices.IsSorted(ids) || ids[0] == ids[3] {
		t.Errorf("packet IDs %v, want increasing", ids)
	}
	// The second verdict on a packet is for one the queue no longer holds.
	if err := q.SetVerdict(ctx, 3, ids[0], nfqueue.Decision{Verdict: nfqueue.Accept}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("a second verdict: %v, want ENOENT", err)
	}
	// Unbound, the queue is free for another socket.
	if err := q.Unbind(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := other.Bind(ctx, 3, nfqueue.Config{}); err != nil {
		t.Errorf("binding an unbound queue: %v", err)
	}
	// The mark rule counted one packet.
	if n, out := w.marked(t); n != 1 {
		t.Errorf("the mark rule counted %d packets, want 1:\n%s", n, out)
	}
}

// TestBatchVerdict queues three packets and accepts them with one
// batched verdict on the last one's ID.
func TestBatchVerdict(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyMeta}); err != nil {
		t.Fatal(err)
	}
	w.send(t, "b-0", "b-1", "b-2")
	var last uint32
	n := 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Payload) != 0 {
			t.Errorf("CopyMeta sent %d bytes of payload", len(p.Payload))
		}
		last = p.ID
		if n++; n == 3 {
			break
		}
	}
	if err := q.SetVerdictBatch(ctx, 3, last, nfqueue.Accept, 0x55, true); err != nil {
		t.Fatal(err)
	}
	w.received(ctx, t, "b-0", "b-1", "b-2")
}

// TestQueueWithoutReader fills a queue nobody reads. Without fail-open
// the packets past its length are dropped, and those in it wait for
// their verdicts; with fail-open, those past its length are accepted.
func TestQueueWithoutReader(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		t.Run(fmt.Sprintf("failopen=%v", failOpen), func(t *testing.T) {
			w := newWorld(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			q := dialQueue(t, w.b)
			cfg := nfqueue.Config{Mode: nfqueue.CopyPacket, MaxLen: 2, FlagsMask: nfqueue.FlagFailOpen}
			if failOpen {
				cfg.Flags = nfqueue.FlagFailOpen
			}
			if err := q.Bind(ctx, 3, cfg); err != nil {
				t.Fatal(err)
			}
			w.send(t, "q-0", "q-1", "q-2", "q-3", "q-4")
			if failOpen {
				w.received(ctx, t, "q-2", "q-3", "q-4") // past the queue's length: accepted
				// The kernel's counters: two wait, none was dropped.
				if s := procQueue(t, w.b, 3); s.total != 2 || s.dropped != 0 {
					t.Errorf("/proc: %d queued, %d dropped; want 2, 0", s.total, s.dropped)
				}
			}
			// The two in the queue wait for their verdicts; give them.
			n := 0
			for p, err := range q.Packets(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
					t.Fatal(err)
				}
				if n++; n == 2 {
					break
				}
			}
			if failOpen {
				w.received(ctx, t, "q-0", "q-1", "q-2", "q-3", "q-4")
			} else {
				w.received(ctx, t, "q-0", "q-1")
				// What was dropped stays dropped: the kernel counts it.
				if s := waitQueue(ctx, t, w.b, 3, func(s queueState) bool { return s.dropped == 3 }); s.dropped != 3 || s.total != 0 {
					t.Errorf("/proc: %d queued, %d dropped; want 0, 3", s.total, s.dropped)
				}
			}
		})
	}
}

func interfaceIndex(t *testing.T, ns *nstest.NS, name string) (int, net.HardwareAddr) {
	var ifi *net.Interface
	inNS(t, ns, func() { ifi, _ = net.InterfaceByName(name) })
	if ifi == nil {
		t.Fatalf("no link %s", name)
	}
	return ifi.Index, ifi.HardwareAddr
}

// TestCapture writes testdata/packets.bin, the messages of three queued
// packets, which the fuzz seeds and the
// allocation test read. It runs with NLKIT_CAPTURE=1.
func TestCapture(t *testing.T) {
	if os.Getenv("NLKIT_CAPTURE") == "" {
		t.Skip("set NLKIT_CAPTURE=1 to rewrite testdata/packets.bin")
	}
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	cfg := nfqueue.Config{Mode: nfqueue.CopyPacket, Flags: nfqueue.FlagUIDGID, FlagsMask: nfqueue.FlagUIDGID} // FlagConntrack: EOPNOTSUPP here, without CONFIG_NETFILTER_NETLINK_GLUE_CT
	if err := q.Bind(ctx, 3, cfg); err != nil {
		t.Fatal(err)
	}
	w.send(t, "c-0", "c-1", "c-2")
	var raw []byte
	for n := 0; n < 3; {
		msgs, err := q.NL.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			var p nfqueue.Packet
			if err := p.Decode(m.Data); err != nil {
				t.Fatal(err)
			}
			raw = netlink.AppendMessage(raw, m.Header, m.Data)
			if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if err := os.WriteFile("testdata/packets.bin", raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPacketConntrack binds queue 3 with FlagConntrack: each queued packet
// carries its conntrack entry (NFQA_CT, NFQA_CT_INFO), which decodes as a
// conntrack.Flow of the datagram's tuple, and is the entry conntrack
// lists once the packet is accepted, with the mark the second verdict
// set (Decision.ConnMark). The second datagram goes out, from
// the same socket, once the first was accepted and received: queued
// together, each would carry an unconfirmed entry of its own, and the
// table would keep the first's (what Debian's 6.1 and 6.12 did when the
// test sent both at once). The kernel needs
// CONFIG_NETFILTER_NETLINK_GLUE_CT, which Debian's kernels have and this
// machine's lacks (the bind fails with EOPNOTSUPP): the test runs in the
// VMs of internal/vmtest.
func TestPacketConntrack(t *testing.T) {
	w := newWorldWith(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket, Flags: nfqueue.FlagConntrack, FlagsMask: nfqueue.FlagConntrack})
	if errors.Is(err, syscall.EOPNOTSUPP) {
		lacks(t, "this kernel adds no conntrack entries to queued packets (CONFIG_NETFILTER_NETLINK_GLUE_CT): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var c net.Conn
	inNS(t, w.a, func() { c, err = net.Dial("udp", "198.18.0.2:9999") })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ct-0")); err != nil {
		t.Fatal(err)
	}
	var ids []uint32
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		const ipCTNew = 2 // IP_CT_NEW: no reply seen yet
		if p.CT == nil || p.Has&nfqueue.HasCTInfo == 0 || p.CTInfo != ipCTNew {
			t.Errorf("packet %d: conntrack %x, info %d (has %v), want an entry and IP_CT_NEW", len(ids), p.CT, p.CTInfo, p.Has&nfqueue.HasCTInfo != 0)
		}
		var f conntrack.Flow
		if err := f.Decode(append(netfilter.Header{Family: p.Family}.Append(nil), p.CT...)); err != nil {
			t.Fatalf("packet %d: conntrack attributes: %v", len(ids), err)
		}
		if f.Orig.Src != netip.MustParseAddr("198.18.0.1") || f.Orig.Dst != netip.MustParseAddr("198.18.0.2") || f.Orig.Proto != 17 || f.Orig.DstPort != 9999 || f.ID == 0 {
			t.Errorf("packet %d: conntrack entry %v id %d, want UDP from 198.18.0.1 to 198.18.0.2 port 9999", len(ids), f.Orig, f.ID)
		}
		ids = append(ids, f.ID)
		d := nfqueue.Decision{Verdict: nfqueue.Accept}
		if len(ids) == 2 {
			d.ConnMark, d.SetConnMark = 0x99, true // the entry's mark, set with the verdict
		}
		if err := q.SetVerdict(ctx, 3, p.ID, d); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 2 {
			break
		}
		w.received(ctx, t, "ct-0")
		if _, err := c.Write([]byte("ct-1")); err != nil {
			t.Fatal(err)
		}
	}
	w.received(ctx, t, "ct-0", "ct-1")
	// Both datagrams are of one connection, the one the table lists.
	ct, err := conntrack.Dial(&netlink.Config{NetNS: w.b.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Close()
	var listed []uint32
	for f, err := range ct.Flows(ctx, conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 17, DstPort: 9999}, Match: conntrack.MatchProto | conntrack.MatchDstPort}}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, f.ID)
		if f.Mark != 0x99 {
			t.Errorf("the entry's mark %#x, want the second verdict's 0x99", f.Mark)
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] || !slices.Equal(listed, ids[:1]) {
		t.Errorf("the packets' entries %v, the table's %v: want one entry", ids, listed)
	}
}

// TestOverrunReported queues packets to a socket whose receive buffer is
// small and that nobody reads yet: the kernel drops the packets it cannot
// deliver (counting them in /proc's queue_user_dropped), and Packets
// reports the loss as an error wrapping netlink.ErrOverrun, then goes on
// with the packets queued before and after it, each given its verdict.
func TestOverrunReported(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q, err := nfqueue.Dial(&netlink.Config{NetNS: w.b.Path, ReadBuffer: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket, MaxLen: 4096}); err != nil {
		t.Fatal(err)
	}
	var lost []string
	for i := range 500 { // more than 16 KiB of queued packets
		lost = append(lost, fmt.Sprintf("lost-%d", i))
	}
	w.send(t, lost...)
	// Read only once all 500 went through the queue (the kernel numbered
	// them), some of them dropped for want of room on the socket: a reader
	// that started earlier could keep up with a slow sender (a busy machine
	// defers the veth's receive work to ksoftirqd), and then nothing
	// overruns, or a packet still on its way could fill the socket again
	// and crowd out the one sent after the overrun.
	for {
		seq, dropped := queueCounters(t, w)
		if seq >= uint64(len(lost)) {
			if dropped == 0 {
				t.Fatalf("the kernel queued all %d packets on a 16 KiB socket", len(lost))
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d packets reached the queue", seq, len(lost))
		case <-time.After(10 * time.Millisecond):
		}
	}
	overrun, after, sentLater := false, false, false
	for p, err := range q.Packets(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			overrun = true
			if !sentLater {
				sentLater = true
				w.send(t, "after-0")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
			t.Fatal(err)
		}
		if bytes.HasSuffix(p.Payload, []byte("after-0")) {
			after = true
			break
		}
	}
	if !overrun || !after {
		t.Fatalf("overrun reported: %v; a packet after it: %v", overrun, after)
	}
}

// queueCounters returns queue 3's id_sequence (the packets numbered for
// it so far) and queue_user_dropped (those the kernel could not queue on
// the socket) from b's /proc/net/netfilter/nfnetlink_queue.
func queueCounters(t *testing.T, w *world) (seq, userDropped uint64) {
	t.Helper()
	b, err := exec.Command("ip", "netns", "exec", w.b.Name, "cat", "/proc/net/netfilter/nfnetlink_queue").Output()
	if err != nil {
		t.Fatal(err)
	}
	// queue_number peer_portid queue_total copy_mode copy_range queue_dropped queue_user_dropped id_sequence 1
	fs := strings.Fields(string(b))
	if len(fs) < 8 || fs[0] != "3" {
		t.Fatalf("/proc/net/netfilter/nfnetlink_queue: %q, want queue 3", b)
	}
	userDropped, err1 := strconv.ParseUint(fs[6], 10, 64)
	seq, err2 := strconv.ParseUint(fs[7], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("/proc/net/netfilter/nfnetlink_queue: %q: %v", b, err)
	}
	return seq, userDropped
}
