//go:build linux

package nfqueue_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"github.com/nlkit/netlink/netfilter/nfqueue"
	"golang.org/x/sys/unix"
)

// Netfilter hooks (enum nf_inet_hooks; the bridge family's NF_BR_FORWARD
// is 2 too).
const (
	hookForward  = 2
	hookLocalOut = 3
)

// queueOutput makes ns queue what it sends to proto port to queue 5, on
// the output hook.
func queueOutput(t *testing.T, ns *nstest.NS, nft bool, proto string, port int) {
	t.Helper()
	if nft {
		nftRules(t, ns, fmt.Sprintf(`
table ip nfqout {
	chain out { type filter hook output priority filter; %s dport %d queue num 5; }
}`, proto, port))
		return
	}
	iptables(t, ns, "-A", "OUTPUT", "-p", proto, "--dport", strconv.Itoa(port), "-j", "NFQUEUE", "--queue-num", "5")
}

// inNSErr is nstest.NS.Do: fn runs on a thread in ns, which it leaves
// with the goroutine (the thread exits); unlike inNS, it may run on any
// goroutine.
func inNSErr(ns *nstest.NS, fn func() error) error { return ns.Do(fn) }

// sendAs sends payload to 198.18.0.2 port 9998 from a UDP socket of ns
// opened by a thread whose filesystem uid and gid were uid and gid: the
// kernel reports a packet's owner (NFQA_UID, NFQA_GID) from the
// credentials its socket was opened with (the file's fsuid and fsgid).
// The thread, and its credentials, end with inNSErr's goroutine.
func sendAs(t *testing.T, ns *nstest.NS, uid, gid int, payload string) {
	t.Helper()
	err := inNSErr(ns, func() error {
		if err := unix.Setfsgid(gid); err != nil {
			return fmt.Errorf("setfsgid %d: %w", gid, err)
		}
		if err := unix.Setfsuid(uid); err != nil {
			return fmt.Errorf("setfsuid %d: %w", uid, err)
		}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("socket: %w", err)
		}
		defer unix.Close(fd)
		return unix.Sendto(fd, []byte(payload), 0, &unix.SockaddrInet4{Port: 9998, Addr: [4]byte{198, 18, 0, 2}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPacketOwner queues, on a's output hook, datagrams sent from
// sockets of two owners, with FlagUIDGID: each packet carries its
// socket's uid and gid. Configure then clears the flag, and the next
// packet carries none.
func TestPacketOwner(t *testing.T) {
	nft := queuesWithNft(t)
	a, b := pair(t)
	queueOutput(t, a, nft, "udp", 9998)
	in := listenUDP(t, b, "198.18.0.2:9998")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	q := dialQueue(t, a)
	if err := q.Bind(ctx, 5, nfqueue.Config{Mode: nfqueue.CopyPacket, Flags: nfqueue.FlagUIDGID, FlagsMask: nfqueue.FlagUIDGID}); err != nil {
		t.Fatal(err)
	}
	va, _ := interfaceIndex(t, a, "va")
	owners := map[string][2]uint32{"owner-4242": {4242, 4343}, "owner-0": {0, 0}}
	for body, o := range owners {
		sendAs(t, a, int(o[0]), int(o[1]), body)
	}
	n := 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Hook != hookLocalOut || p.OutDev != uint32(va) || p.InDev != 0 || len(p.Payload) < 28 {
			t.Fatalf("packet %d: hook %d in %d out %d payload %x, want the output hook, out va (%d)", n, p.Hook, p.InDev, p.OutDev, p.Payload, va)
		}
		body := string(p.Payload[28:])
		o, ok := owners[body]
		if !ok {
			t.Fatalf("queued %q", body)
		}
		if p.Has&(nfqueue.HasUID|nfqueue.HasGID) != nfqueue.HasUID|nfqueue.HasGID || p.UID != o[0] || p.GID != o[1] {
			t.Errorf("%s: uid %d gid %d (has %v %v), want %d %d", body, p.UID, p.GID, p.Has&nfqueue.HasUID != 0, p.Has&nfqueue.HasGID != 0, o[0], o[1])
		}
		if err := q.SetVerdict(ctx, 5, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
			t.Fatal(err)
		}
		if n++; n == len(owners) {
			break
		}
	}
	in.received(ctx, t, "owner-4242", "owner-0")

	// The flag cleared, the kernel sends no owner.
	if err := q.Configure(ctx, 5, nfqueue.Config{FlagsMask: nfqueue.FlagUIDGID}); err != nil {
		t.Fatal(err)
	}
	sendAs(t, a, 4242, 4343, "anonymous")
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Has&(nfqueue.HasUID|nfqueue.HasGID) != 0 || !bytes.HasSuffix(p.Payload, []byte("anonymous")) {
			t.Errorf("without FlagUIDGID: payload %x, uid %d gid %d (has %v %v), want no owner", p.Payload, p.UID, p.GID, p.Has&nfqueue.HasUID != 0, p.Has&nfqueue.HasGID != 0)
		}
		if err := q.SetVerdict(ctx, 5, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
			t.Fatal(err)
		}
		break
	}
	in.received(ctx, t, "owner-4242", "owner-0", "anonymous")
}

// TestGSO sends 256 KiB over TCP from a to b, queued on a's output hook.
// With FlagGSO the kernel queues TCP's segmentation-offload packets
// whole: larger than the link's MTU, with SkbGSO and SkbCsumNotReady in
// SkbInfo; accepted, they reach b intact. Without it the kernel segments
// them before queueing, and sends no SkbInfo.
func TestGSO(t *testing.T) {
	for _, gso := range []bool{true, false} {
		t.Run(fmt.Sprintf("gso=%v", gso), func(t *testing.T) {
			nft := queuesWithNft(t)
			a, b := pair(t)
			queueOutput(t, a, nft, "tcp", 9997)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()

			var l net.Listener
			inNS(t, b, func() {
				var err error
				if l, err = net.Listen("tcp", "198.18.0.2:9997"); err != nil {
					t.Error(err)
				}
			})
			if l == nil {
				t.FailNow()
			}
			defer l.Close()
			got := make(chan []byte, 1)
			go func() {
				c, err := l.Accept()
				if err != nil {
					got <- nil
					return
				}
				defer c.Close()
				b, _ := io.ReadAll(c)
				got <- b
			}()

			q := dialQueue(t, a)
			cfg := nfqueue.Config{Mode: nfqueue.CopyPacket, FlagsMask: nfqueue.FlagGSO}
			if gso {
				cfg.Flags = nfqueue.FlagGSO
			}
			if err := q.Bind(ctx, 5, cfg); err != nil {
				t.Fatal(err)
			}
			va, _ := interfaceIndex(t, a, "va")

			data := make([]byte, 256<<10)
			for i := range data {
				data[i] = byte(i * 7 / 3)
			}
			sent := make(chan error, 1)
			go func() {
				sent <- inNSErr(a, func() error {
					c, err := net.Dial("tcp", "198.18.0.2:9997")
					if err != nil {
						return err
					}
					defer c.Close()
					_, err = c.Write(data)
					return err
				})
			}()

			// The queue's reader stops once b read the connection to its
			// end (a's FIN accepted).
			pctx, stop := context.WithCancel(ctx)
			var received []byte
			readDone := make(chan struct{})
			go func() {
				defer close(readDone)
				select {
				case received = <-got:
				case <-ctx.Done():
				}
				stop()
			}()
			packets, large, gsoPackets := 0, 0, 0
			for p, err := range q.Packets(pctx) {
				if pctx.Err() != nil {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				packets++
				if p.Hook != hookLocalOut || p.OutDev != uint32(va) || len(p.Payload) < 20 {
					t.Fatalf("packet %d: hook %d out %d payload %d bytes, want the output hook, out va (%d)", packets, p.Hook, p.OutDev, len(p.Payload), va)
				}
				whole := uint32(len(p.Payload))
				if p.Has&nfqueue.HasCapLen != 0 {
					whole = p.CapLen
				}
				ipLen := uint32(binary.BigEndian.Uint16(p.Payload[2:]))
				if ipLen != whole {
					t.Errorf("packet %d: IP total length %d, queued %d bytes (cap len %d, has %v)", packets, ipLen, len(p.Payload), p.CapLen, p.Has&nfqueue.HasCapLen != 0)
				}
				if ipLen > 1500 {
					large++
				}
				if gso {
					if p.SkbInfo&nfqueue.SkbGSO != 0 {
						gsoPackets++
						if ipLen <= 1500 || p.SkbInfo&nfqueue.SkbCsumNotReady == 0 {
							t.Errorf("packet %d: GSO, %d bytes, skb info %#x: want more than the MTU, the checksum not ready", packets, ipLen, p.SkbInfo)
						}
					} else if ipLen > 1500 {
						t.Errorf("packet %d: %d bytes, skb info %#x (has %v): want SkbGSO", packets, ipLen, p.SkbInfo, p.Has&nfqueue.HasSkbInfo != 0)
					}
				} else if p.Has&nfqueue.HasSkbInfo != 0 {
					t.Errorf("packet %d: skb info %#x without FlagGSO", packets, p.SkbInfo)
				}
				if err := q.SetVerdict(ctx, 5, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
					t.Fatal(err)
				}
			}
			<-readDone
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(received, data) {
				t.Fatalf("b received %d bytes, not the %d a sent", len(received), len(data))
			}
			t.Logf("%d packets queued, %d GSO, %d larger than the MTU", packets, gsoPackets, large)
			if gso && gsoPackets == 0 {
				t.Error("with FlagGSO, no GSO packet was queued")
			}
			if !gso && large != 0 {
				t.Errorf("without FlagGSO, %d packets larger than the MTU were queued", large)
			}
		})
	}
}

// bridged is three namespaces: a (198.18.0.1 on va) and b (198.18.0.2 on
// vb), each joined by a veth pair to a port (pa, pb) of the bridge br0 in
// br, and a UDP server on b's port 9999. With a VLAN, the addresses are on
// VLAN links of va and vb (va.N, vb.N), so that the frames the bridge
// forwards are tagged.
type bridged struct {
	a, b, br *nstest.NS
	*inbox
}

func newBridged(t *testing.T, vlan uint16) *bridged {
	w := &bridged{a: nstest.New(t), b: nstest.New(t), br: nstest.New(t)}
	w.br.Batch(t, []string{
		"link add br0 type bridge",
		"link add pa type veth peer name va netns " + w.a.Name,
		"link add pb type veth peer name vb netns " + w.b.Name,
		"link set pa master br0", "link set pb master br0",
		"link set pa up", "link set pb up", "link set br0 up",
	})
	for _, h := range []struct {
		ns         *nstest.NS
		link, addr string
	}{{w.a, "va", "198.18.0.1/24"}, {w.b, "vb", "198.18.0.2/24"}} {
		lines := []string{"link set " + h.link + " up"}
		if vlan != 0 {
			v := fmt.Sprintf("%s.%d", h.link, vlan)
			lines = append(lines, fmt.Sprintf("link add link %s name %s type vlan id %d", h.link, v, vlan), "link set "+v+" up")
			h.link = v
		}
		h.ns.Batch(t, append(lines, "addr add "+h.addr+" dev "+h.link))
	}
	w.inbox = listenUDP(t, w.b, "198.18.0.2:9999")
	return w
}

// TestPhysDev queues UDP that a bridge forwards from a to b: through
// br_netfilter, on the IPv4 forward hook (an iptables or nftables ip
// rule), and, where nftables queues, on the bridge family's forward hook.
// The packet's logical interfaces are the bridge's, its physical ones the
// ports it came in and goes out by; the bridge family's carries the
// Ethernet header too, and the VLAN tag of a tagged frame.
func TestPhysDev(t *testing.T) {
	t.Run("inet", func(t *testing.T) {
		nft := queuesWithNft(t)
		if _, ok := vmtest.Guest(); ok {
			// Debian's kernels have br_netfilter as a module, which
			// nothing here makes the kernel load.
			if err := vmtest.LoadModule("br_netfilter"); err != nil {
				t.Fatal(err)
			}
		}
		w := newBridged(t, 0)
		if out, err := exec.Command("ip", "netns", "exec", w.br.Name, "sysctl", "-w", "net.bridge.bridge-nf-call-iptables=1").CombinedOutput(); err != nil {
			lacks(t, "no br_netfilter (bridged packets through the IPv4 hooks): %v: %s", err, out)
		}
		if nft {
			nftRules(t, w.br, `
table ip nfqbr {
	chain bridged { type filter hook forward priority filter; udp dport 9999 queue num 3; }
}`)
		} else {
			iptables(t, w.br, "-A", "FORWARD", "-p", "udp", "--dport", "9999", "-j", "NFQUEUE", "--queue-num", "3")
		}
		checkPhysDev(t, w, 2, 0)
	})
	for _, vlan := range []uint16{0, 5} {
		t.Run(fmt.Sprintf("bridge/vlan=%d", vlan), func(t *testing.T) {
			if !queuesWithNft(t) {
				lacks(t, "the bridge family queues with nftables only (ebtables has no queue target), and this machine's nftables cannot queue")
			}
			w := newBridged(t, vlan)
			nftRules(t, w.br, `
table bridge nfqbr {
	chain bridged { type filter hook forward priority filter; udp dport 9999 queue num 3; }
}`)
			checkPhysDev(t, w, unix.NFPROTO_BRIDGE, vlan)
		})
	}
}

// checkPhysDev sends two datagrams from a to b, and checks the packets
// br queues to queue 3, of family and tagged with vlan (0 for none),
// before accepting them.
func checkPhysDev(t *testing.T, w *bridged, family uint8, vlan uint16) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	q := dialQueue(t, w.br)
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket}); err != nil {
		t.Fatal(err)
	}
	br, _ := interfaceIndex(t, w.br, "br0")
	pa, _ := interfaceIndex(t, w.br, "pa")
	pb, _ := interfaceIndex(t, w.br, "pb")
	_, va := interfaceIndex(t, w.a, "va")
	_, vb := interfaceIndex(t, w.b, "vb")
	inNS(t, w.a, func() {
		c, err := net.Dial("udp", "198.18.0.2:9999")
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		for _, p := range []string{"phys-0", "phys-1"} {
			c.Write([]byte(p))
		}
	})
	n := 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Family != family || p.Hook != hookForward || p.HWProtocol != 0x0800 || len(p.Payload) < 28 {
			t.Errorf("packet %d: family %d hook %d protocol %#x payload %x, want family %d, the forward hook, IPv4", n, p.Family, p.Hook, p.HWProtocol, p.Payload, family)
		}
		if p.InDev != uint32(br) || p.OutDev != uint32(br) || p.PhysInDev != uint32(pa) || p.PhysOutDev != uint32(pb) {
			t.Errorf("packet %d: in %d out %d, physical in %d out %d; want br0 (%d) and br0, pa (%d) and pb (%d)", n, p.InDev, p.OutDev, p.PhysInDev, p.PhysOutDev, br, pa, pb)
		}
		if !bytes.Equal(p.HWAddr, va) {
			t.Errorf("packet %d: hardware address %x, want va's %s", n, p.HWAddr, va)
		}
		if family == unix.NFPROTO_BRIDGE {
			want := append(append(bytes.Clone(vb), va...), 0x08, 0x00)
			if !bytes.Equal(p.L2Header, want) {
				t.Errorf("packet %d: Ethernet header %x, want %x", n, p.L2Header, want)
			}
		} else if p.L2Header != nil {
			t.Errorf("packet %d: Ethernet header %x outside the bridge family", n, p.L2Header)
		}
		// The kernel keeps a received frame's tag beside it, not in its
		// Ethernet header (veth's VLAN offload).
		if vlan != 0 && (p.Has&nfqueue.HasVLAN == 0 || p.VLANProto != 0x8100 || p.VLANTCI != vlan) {
			t.Errorf("packet %d: VLAN protocol %#x TCI %d (has %v), want 0x8100 %d", n, p.VLANProto, p.VLANTCI, p.Has&nfqueue.HasVLAN != 0, vlan)
		}
		if vlan == 0 && p.Has&nfqueue.HasVLAN != 0 {
			t.Errorf("packet %d: VLAN protocol %#x TCI %d, untagged", n, p.VLANProto, p.VLANTCI)
		}
		if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	w.received(ctx, t, "phys-0", "phys-1")
}

// TestRepeat gives a queued packet NF_REPEAT: it goes through b's
// prerouting hook again, so the rule queues it again, with a new ID; the
// second time it is accepted, and b's server receives it once.
func TestRepeat(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket}); err != nil {
		t.Fatal(err)
	}
	w.send(t, "repeat-0")
	var ids []uint32
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(p.Payload, []byte("repeat-0")) || p.Hook != 0 {
			t.Fatalf("queued %x on hook %d, want repeat-0 before routing", p.Payload, p.Hook)
		}
		ids = append(ids, p.ID)
		v := nfqueue.Repeat
		if len(ids) == 2 {
			v = nfqueue.Accept
		}
		if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: v}); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 2 {
			break
		}
	}
	w.received(ctx, t, "repeat-0")
	if ids[1] <= ids[0] {
		t.Errorf("the repeated packet's IDs %v, want a new, higher one", ids)
	}
}

// TestMangleResize accepts queued datagrams with payloads of another
// length (the IPv4 and UDP lengths and the IPv4 checksum fixed): the
// kernel grows or trims the packet, and b's server receives the new
// datagrams.
func TestMangleResize(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket}); err != nil {
		t.Fatal(err)
	}
	into := map[string]string{
		"grow-0":                  "grow-0 " + strings.Repeat("longer ", 100),
		"shrink-1 and some bytes": "s-1",
	}
	for from := range into {
		w.send(t, from)
	}
	n := 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Payload) < 28 || p.Payload[0] != 0x45 {
			t.Fatalf("queued %x, want IPv4 without options", p.Payload)
		}
		to, ok := into[string(p.Payload[28:])]
		if !ok {
			t.Fatalf("queued %q", p.Payload[28:])
		}
		pl := append(bytes.Clone(p.Payload[:28]), to...)
		binary.BigEndian.PutUint16(pl[2:], uint16(len(pl))) // IPv4 total length
		binary.BigEndian.PutUint16(pl[10:], 0)
		binary.BigEndian.PutUint16(pl[10:], ipv4Sum(pl[:20]))   // IPv4 checksum
		binary.BigEndian.PutUint16(pl[24:], uint16(len(pl)-20)) // UDP length
		binary.BigEndian.PutUint16(pl[26:], 0)                  // UDP checksum: none
		if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept, Payload: pl}); err != nil {
			t.Fatal(err)
		}
		if n++; n == len(into) {
			break
		}
	}
	var want []string
	for _, to := range into {
		want = append(want, to)
	}
	w.received(ctx, t, want...)
}

// ipv4Sum is the checksum of an IPv4 header whose checksum field is 0.
func ipv4Sum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// queueState is a queue's line of /proc/net/netfilter/nfnetlink_queue.
type queueState struct {
	total, mode, copyRange, dropped, userDropped int
}

// procQueue reads queue's line of ns's /proc/net/netfilter/nfnetlink_queue
// ("queue_number peer_portid queue_total copy_mode copy_range
// queue_dropped queue_user_dropped id_sequence 1").
func procQueue(t *testing.T, ns *nstest.NS, queue int) queueState {
	t.Helper()
	b, err := exec.Command("ip", "netns", "exec", ns.Name, "cat", "/proc/net/netfilter/nfnetlink_queue").Output()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		fs := strings.Fields(line)
		if len(fs) < 7 || fs[0] != strconv.Itoa(queue) {
			continue
		}
		var v [5]int
		for i, f := range []string{fs[2], fs[3], fs[4], fs[5], fs[6]} {
			if v[i], err = strconv.Atoi(f); err != nil {
				t.Fatalf("/proc/net/netfilter/nfnetlink_queue: %q", b)
			}
		}
		return queueState{v[0], v[1], v[2], v[3], v[4]}
	}
	t.Fatalf("/proc/net/netfilter/nfnetlink_queue has no queue %d: %q", queue, b)
	return queueState{}
}

// waitQueue waits until ok(queue's state) or ctx ends, and returns the
// last state it read.
func waitQueue(ctx context.Context, t *testing.T, ns *nstest.NS, queue int, ok func(queueState) bool) queueState {
	t.Helper()
	for {
		s := procQueue(t, ns, queue)
		if ok(s) || ctx.Err() != nil {
			return s
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestQueueConfigure binds queue 3 holding 2 packets, copying 100 bytes,
// then Configure makes it hold 4, copy 40 and fail open: the kernel's
// /proc line says so; of 6 datagrams nobody reads yet, 4 wait in the
// queue and 2 are accepted, none dropped; the 4 carry 40 bytes and their
// whole length.
func TestQueueConfigure(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	q := dialQueue(t, w.b)
	if err := q.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket, Range: 100, MaxLen: 2}); err != nil {
		t.Fatal(err)
	}
	if s := procQueue(t, w.b, 3); s.mode != int(nfqueue.CopyPacket) || s.copyRange != 100 {
		t.Errorf("bound: copy mode %d range %d, want %d 100", s.mode, s.copyRange, nfqueue.CopyPacket)
	}
	if err := q.Configure(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket, Range: 40, MaxLen: 4, Flags: nfqueue.FlagFailOpen, FlagsMask: nfqueue.FlagFailOpen}); err != nil {
		t.Fatal(err)
	}
	if s := procQueue(t, w.b, 3); s.mode != int(nfqueue.CopyPacket) || s.copyRange != 40 {
		t.Errorf("configured: copy mode %d range %d, want %d 40", s.mode, s.copyRange, nfqueue.CopyPacket)
	}
	var sent []string
	for i := range 6 {
		sent = append(sent, fmt.Sprintf("c-%d-%s", i, strings.Repeat("x", 30)))
	}
	w.send(t, sent...)
	w.received(ctx, t, sent[4:]...) // past the queue's length: accepted
	if s := procQueue(t, w.b, 3); s.total != 4 || s.dropped != 0 || s.userDropped != 0 {
		t.Errorf("/proc: %d queued, %d dropped, %d not delivered; want 4, 0, 0", s.total, s.dropped, s.userDropped)
	}
	n := 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Payload) != 40 || p.Has&nfqueue.HasCapLen == 0 || p.CapLen != uint32(28+len(sent[0])) {
			t.Errorf("packet %d: %d bytes, cap len %d (has %v), want 40 of %d", n, len(p.Payload), p.CapLen, p.Has&nfqueue.HasCapLen != 0, 28+len(sent[0]))
		}
		if err := q.SetVerdict(ctx, 3, p.ID, nfqueue.Decision{Verdict: nfqueue.Accept}); err != nil {
			t.Fatal(err)
		}
		if n++; n == 4 {
			break
		}
	}
	w.received(ctx, t, sent...)
	if s := waitQueue(ctx, t, w.b, 3, func(s queueState) bool { return s.total == 0 }); s.total != 0 {
		t.Errorf("/proc: %d queued after the verdicts", s.total)
	}
}
