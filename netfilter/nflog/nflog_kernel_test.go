//go:build linux

package nflog_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/conntrack"
	"github.com/nlkit/netlink/netfilter/nflog"
	"golang.org/x/sys/unix"
)

func inNS(t testing.TB, ns *nstest.NS, fn func()) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		f, err := os.Open(ns.Path)
		if err != nil {
			done <- err
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			done <- err
			return
		}
		fn()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func nftIn(t testing.TB, ns *nstest.NS, ruleset string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft -f: %v: %s", err, out)
	}
}

func dialLog(t testing.TB, ns *nstest.NS) *nflog.Conn {
	t.Helper()
	c, err := nflog.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// collect reads n packets from c, cloned. With NLKIT_CAPTURE=1 it reads
// the messages with Receive instead and appends them to
// testdata/packets.bin, the fuzz seeds.
func collect(ctx context.Context, t *testing.T, c *nflog.Conn, n int) []nflog.Packet {
	t.Helper()
	var out []nflog.Packet
	if os.Getenv("NLKIT_CAPTURE") != "" {
		var raw []byte
		for len(out) < n {
			msgs, err := c.NL.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Header.Type == netlink.TypeDone { // the end of a batch of several packets
					continue
				}
				raw = netlink.AppendMessage(raw, m.Header, m.Data)
				var p nflog.Packet
				if err := p.Decode(m.Data); err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
		}
		f, err := os.OpenFile("testdata/packets.bin", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(raw)
		f.Close()
		return out
	}
	for p, err := range c.Packets(ctx) {
		if err != nil {
			t.Fatalf("after %d packets: %v", len(out), err)
		}
		out = append(out, p.Clone())
		if len(out) == n {
			break
		}
	}
	return out
}

// TestLogGroup logs the packets of real traffic between two namespaces
// with nftables "log group" rules, on the way out of a (group 6) and on
// the way in to b (group 5), and checks every field against what the
// test sent and the links it made.
func TestLogGroup(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	a, b := nstest.New(t), nstest.New(t)
	a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.Name)
	a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "addr add 2001:db8::1/64 dev va nodad", "link set va up"})
	b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "addr add 2001:db8::2/64 dev vb nodad", "link set vb up"})
	nftIn(t, a, "table inet ct27log {\n chain out {\n type filter hook output priority 0;\n udp dport 9999 log prefix \"ct27-out\" group 6\n }\n}\n")
	nftIn(t, b, "table inet ct27log {\n chain in {\n type filter hook input priority 0;\n udp dport 9999 meta mark set 0x42 log prefix \"ct27-in\" group 5\n udp dport 9997 log group 4\n }\n}\n")
	var va, vb *net.Interface
	inNS(t, a, func() { va, _ = net.InterfaceByName("va") })
	inNS(t, b, func() { vb, _ = net.InterfaceByName("vb") })
	if va == nil || vb == nil {
		t.Fatal("no veth pair")
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stampReceipts(ctx, t, a, b)
	in, out := dialLog(t, b), dialLog(t, a)
	if err := in.Bind(ctx, 5, nflog.Config{Mode: nflog.CopyPacket, Range: 0xffff, Flags: nflog.FlagSeq, Timeout: 10, QueueThreshold: 2, BufferSize: 8192}); err != nil {
		t.Fatal(err)
	}
	if err := out.Bind(ctx, 6, nflog.Config{Mode: nflog.CopyPacket, Range: 20, Timeout: 1}); err != nil {
		t.Fatal(err)
	}
	if err := out.BindFamily(ctx, 2); err != nil { // obsolete, accepted
		t.Fatal(err)
	}
	if err := out.Configure(ctx, 6, nflog.Config{Flags: nflog.FlagSeqGlobal}); err != nil {
		t.Fatal(err)
	}
	// The group is this socket's: another is refused.
	other := dialLog(t, b)
	if err := other.Bind(ctx, 5, nflog.Config{}); !errors.Is(err, syscall.EPERM) {
		t.Errorf("binding a bound group: %v, want EPERM", err)
	}
	if err := other.Bind(ctx, 7, nflog.Config{Mode: 9}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("copy mode 9: %v, want an error before sending", err)
	}

	// Three datagrams over IPv4 and one over IPv6, from a to b.
	payloads := []string{"nflog-0", "nflog-1", "nflog-2", "nflog-6"}
	inNS(t, a, func() {
		for i, p := range payloads {
			dst := "198.18.0.2:9999"
			if i == 3 {
				dst = "[2001:db8::2]:9999"
			}
			c, err := net.Dial("udp", dst)
			if err != nil {
				t.Error(err)
				return
			}
			c.Write([]byte(p))
			c.Close()
		}
	})

	// The IPv4 packets wait for ARP and the IPv6 one for neighbour
	// discovery, so they may reach b in either order: each is told by its
	// payload, and the sequence numbers are those of the order they came.
	got := collect(ctx, t, in, len(payloads))
	seqs := map[uint32]bool{}
	for n, p := range got {
		i := slices.IndexFunc(payloads, func(s string) bool { return bytes.HasSuffix(p.Payload, []byte(s)) })
		if i < 0 {
			t.Fatalf("logged packet %d in b: payload %x is none the test sent", n, p.Payload)
		}
		what := fmt.Sprintf("logged packet %d in b (%s)", n, payloads[i])
		v6 := i == 3
		wantProto, wantFamily := uint16(0x0800), uint8(2)
		if v6 {
			wantProto, wantFamily = 0x86dd, 10
		}
		if p.Prefix != "ct27-in" || p.Group != 5 || p.Family != wantFamily || p.Hook != 1 || p.HWProtocol != wantProto {
			t.Errorf("%s: prefix %q group %d family %d hook %d protocol %#x", what, p.Prefix, p.Group, p.Family, p.Hook, p.HWProtocol)
		}
		if p.Has&nflog.HasMark == 0 || p.Mark != 0x42 {
			t.Errorf("%s: mark %#x (%v), want 0x42", what, p.Mark, p.Has&nflog.HasMark != 0)
		}
		if p.InDev != uint32(vb.Index) || p.OutDev != 0 {
			t.Errorf("%s: in %d out %d, want in %d (vb)", what, p.InDev, p.OutDev, vb.Index)
		}
		if p.HWType != 1 || !bytes.Equal(p.HWAddr, va.HardwareAddr) {
			t.Errorf("%s: hardware type %d address %x, want 1 (ARPHRD_ETHER) and va's %s", what, p.HWType, p.HWAddr, va.HardwareAddr)
		}
		if len(p.HWHeader) != 14 || !bytes.Equal(p.HWHeader[:6], vb.HardwareAddr) || !bytes.Equal(p.HWHeader[6:12], va.HardwareAddr) || binary.BigEndian.Uint16(p.HWHeader[12:]) != wantProto {
			t.Errorf("%s: hardware header %x", what, p.HWHeader)
		}
		if !bytes.HasSuffix(p.Payload, []byte(payloads[i])) {
			t.Errorf("%s: payload %x does not end in %q", what, p.Payload, payloads[i])
		}
		if !v6 && (len(p.Payload) != 20+8+len(payloads[i]) || !bytes.Equal(p.Payload[12:16], []byte{198, 18, 0, 1}) || !bytes.Equal(p.Payload[16:20], []byte{198, 18, 0, 2})) {
			t.Errorf("%s: IPv4 packet %x", what, p.Payload)
		}
		if p.Has&nflog.HasSeq == 0 || p.Seq != uint32(n) || seqs[p.Seq] {
			t.Errorf("%s: seq %d (%v), want %d", what, p.Seq, p.Has&nflog.HasSeq != 0, n)
		}
		seqs[p.Seq] = true
		if p.Has&nflog.HasTimestamp == 0 || p.Timestamp.IsZero() {
			t.Errorf("%s: no timestamp", what)
		}
		if p.Has&nflog.HasUID != 0 {
			t.Errorf("%s: a received packet has no local owner, but uid %d", what, p.UID)
		}
		if len(p.Unknown) != 0 {
			t.Errorf("%s: undecoded attributes % x", what, p.Unknown)
		}
	}

	got = collect(ctx, t, out, len(payloads))
	for i, p := range got {
		what := fmt.Sprintf("logged packet %d out of a", i)
		if p.Prefix != "ct27-out" || p.Group != 6 || p.Hook != 3 {
			t.Errorf("%s: prefix %q group %d hook %d", what, p.Prefix, p.Group, p.Hook)
		}
		if p.OutDev != uint32(va.Index) || p.InDev != 0 {
			t.Errorf("%s: in %d out %d, want out %d (va)", what, p.InDev, p.OutDev, va.Index)
		}
		if p.Has&nflog.HasUID == 0 || p.UID != uint32(os.Getuid()) || p.Has&nflog.HasGID == 0 || p.GID != uint32(os.Getgid()) {
			t.Errorf("%s: uid %d gid %d (%v), want the test's %d %d", what, p.UID, p.GID, p.Has, os.Getuid(), os.Getgid())
		}
		if len(p.Payload) != 20 {
			t.Errorf("%s: %d bytes of payload, want the copy range's 20", what, len(p.Payload))
		}
		if p.Has&nflog.HasSeqGlobal == 0 || p.Has&nflog.HasSeq != 0 {
			t.Errorf("%s: sequence numbers %v, want the global one that Configure asked for", what, p.Has)
		}
	}

	if err := in.Unbind(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if err := other.Bind(ctx, 5, nflog.Config{}); err != nil {
		t.Errorf("binding an unbound group: %v", err)
	}
}

// TestOverrunReported logs packets to a group whose socket nobody reads
// and whose receive buffer is small: the kernel drops what does not fit,
// and Packets reports the loss as an error wrapping netlink.ErrOverrun,
// then goes on with the packets that came after.
func TestOverrunReported(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	a, b := nstest.New(t), nstest.New(t)
	a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.Name)
	a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "link set va up"})
	b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "link set vb up"})
	nftIn(t, b, "table inet ct27log {\n chain in {\n type filter hook input priority 0;\n udp dport 9999 log prefix \"burst\" group 8\n }\n}\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := nflog.Dial(&netlink.Config{NetNS: b.Path, ReadBuffer: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Bind(ctx, 8, nflog.Config{Mode: nflog.CopyPacket, Timeout: 1, QueueThreshold: 1}); err != nil {
		t.Fatal(err)
	}
	send := func(n int, tag string) {
		inNS(t, a, func() {
			u, err := net.Dial("udp", "198.18.0.2:9999")
			if err != nil {
				t.Error(err)
				return
			}
			defer u.Close()
			for i := range n {
				u.Write([]byte(fmt.Sprintf("%s-%d", tag, i)))
			}
		})
	}
	send(500, "lost") // 500 logged packets of 200-odd bytes each: more than 16 KiB
	overrun, after := false, false
	sentLater := false
	for p, err := range c.Packets(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			overrun = true
			if !sentLater {
				sentLater = true
				send(1, "after")
			}
			continue
		}
		if err != nil {
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

// stampReceipts makes the kernel time-stamp the packets b receives, as
// 6.1 needs for NFULA_TIMESTAMP: it logs a packet's receive timestamp
// only when the packet has one, which the receive path gives it only
// while some socket asks for receive timestamps (6.12 stamps every
// packet logged before routing or on input). It opens such a socket,
// open until the test ends, and, as the kernel switches timestamps on
// from a work queue, sends datagrams from a to b's port 9997, which b
// logs to group 4, until one comes with a timestamp.
func stampReceipts(ctx context.Context, t *testing.T, a, b *nstest.NS) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMP, 1); err != nil {
		t.Fatal(err)
	}
	c := dialLog(t, b)
	if err := c.Bind(ctx, 4, nflog.Config{Mode: nflog.CopyMeta, Timeout: 1}); err != nil {
		t.Fatal(err)
	}
	send := func() {
		inNS(t, a, func() {
			u, err := net.Dial("udp", "198.18.0.2:9997")
			if err != nil {
				t.Error(err)
				return
			}
			u.Write([]byte("stamp"))
			u.Close()
		})
	}
	send()
	for p, err := range c.Packets(ctx) {
		if err != nil {
			t.Fatalf("waiting for a time-stamped packet: %v", err)
		}
		if p.Has&nflog.HasTimestamp != 0 {
			break
		}
		send()
	}
	if err := c.Unbind(ctx, 4); err != nil {
		t.Fatal(err)
	}
}

// TestLogConntrack binds a group with FlagConntrack: each logged packet
// carries its conntrack entry (NFULA_CT, NFULA_CT_INFO), which decodes as
// a conntrack.Flow of the datagram's tuple and is the entry the table
// lists. The kernel needs CONFIG_NETFILTER_NETLINK_GLUE_CT, which
// Debian's kernels have and this machine's lacks (the bind fails with
// EOPNOTSUPP): the test runs in the VMs of internal/vmtest.
func TestLogConntrack(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	a, b := nstest.New(t), nstest.New(t)
	a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.Name)
	a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "link set va up"})
	b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "link set vb up"})
	nftIn(t, b, "table inet ct30log {\n chain in {\n type filter hook input priority 0;\n udp dport 9999 ct state new,established log group 7\n }\n}\n")
	// A server in b, so that a's second datagram is not refused by the
	// ICMP error of its first.
	inNS(t, b, func() {
		u, err := net.ListenPacket("udp", "198.18.0.2:9999")
		if err != nil {
			t.Error(err)
			return
		}
		t.Cleanup(func() { u.Close() })
	})
	if t.Failed() {
		t.FailNow()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in := dialLog(t, b)
	err := in.Bind(ctx, 7, nflog.Config{Mode: nflog.CopyPacket, Flags: nflog.FlagConntrack, Timeout: 1})
	if errors.Is(err, syscall.EOPNOTSUPP) {
		t.Skipf("this kernel adds no conntrack entries to logged packets (CONFIG_NETFILTER_NETLINK_GLUE_CT): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	inNS(t, a, func() {
		c, err := net.Dial("udp", "198.18.0.2:9999")
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		c.Write([]byte("ct-0"))
		c.Write([]byte("ct-1"))
	})
	var ids []uint32
	for i, p := range collect(ctx, t, in, 2) {
		const ipCTNew = 2 // IP_CT_NEW: no reply seen yet
		if p.CT == nil || p.Has&nflog.HasCTInfo == 0 || p.CTInfo != ipCTNew {
			t.Errorf("packet %d: conntrack %x, info %d (has %v), want an entry and IP_CT_NEW", i, p.CT, p.CTInfo, p.Has&nflog.HasCTInfo != 0)
		}
		var f conntrack.Flow
		if err := f.Decode(append(netfilter.Header{Family: 2}.Append(nil), p.CT...)); err != nil {
			t.Fatalf("packet %d: conntrack attributes: %v", i, err)
		}
		if f.Orig.Src != netip.MustParseAddr("198.18.0.1") || f.Orig.Dst != netip.MustParseAddr("198.18.0.2") || f.Orig.Proto != 17 || f.Orig.DstPort != 9999 || f.ID == 0 {
			t.Errorf("packet %d: conntrack entry %v id %d, want UDP from 198.18.0.1 to 198.18.0.2 port 9999", i, f.Orig, f.ID)
		}
		ids = append(ids, f.ID)
	}
	ct, err := conntrack.Dial(&netlink.Config{NetNS: b.Path})
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
	}
	if len(ids) != 2 || ids[0] != ids[1] || !slices.Equal(listed, ids[:1]) {
		t.Errorf("the packets' entries %v, the table's %v: want one entry", ids, listed)
	}
}
