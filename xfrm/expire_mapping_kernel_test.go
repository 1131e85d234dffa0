//go:build linux

package xfrm_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// ipExpire formats an EXPIRE as ip -s xfrm monitor prints it.
func ipExpire(x *xfrm.Expire) []string {
	lines := ipState(x.State)
	lines[0] = "Expired " + lines[0]
	hard := 0
	if x.Hard {
		hard = 1
	}
	return append(lines, fmt.Sprintf("hard %d", hard))
}

// ipMapping formats a MAPPING as ip xfrm monitor prints it.
func ipMapping(m *xfrm.Mapping) []string {
	return []string{
		fmt.Sprintf("Mapping change %s:%d -> %s:%d", m.OldSrc, m.OldSport, m.NewSrc, m.NewSport),
		fmt.Sprintf("dst %s reqid %#x protocol %s SPI %#x", m.ID.Dst, m.ReqID, m.ID.Proto, m.ID.SPI),
	}
}

// events yields the events of the types typs that w's Watch yields, until
// want returns true for the events so far; it fails the test after a
// minute (a hang guard: the kernel's timers may run late in a busy VM).
func events(t *testing.T, w *xfrm.Conn, want func([]xfrm.Event) bool, typs ...netlink.HeaderType) []xfrm.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var got []xfrm.Event
	for e, err := range w.Watch(ctx) {
		if err != nil {
			t.Fatalf("after events %v: %v", types(got), err)
		}
		if slices.Contains(typs, e.Type) {
			got = append(got, e)
			if want(got) {
				return got
			}
		}
	}
	return got
}

func types(es []xfrm.Event) []netlink.HeaderType {
	var ts []netlink.HeaderType
	for _, e := range es {
		ts = append(ts, e.Type)
	}
	return ts
}

// TestWatchStateExpireSeconds: an SA whose lifetimes are a soft second
// and three hard ones (since it was added) expires by the kernel's timer:
// a soft EXPIRE, then a hard one as the kernel deletes the SA. Watch and
// ip -s xfrm monitor see the same two, in that order. The test waits for
// the events, without a bound on when they come but a hang guard. It
// needs ESP (the VM: TestStatesVM).
//
// The kernel checks the lifetimes when its timer for the SA runs, a
// second after the SA was added, then when the soft one ran out: should
// the first run come after both ran out (a busy machine), the kernel
// sends the hard EXPIRE alone, and the test skips.
func TestWatchStateExpireSeconds(t *testing.T) {
	ns := nstest.New(t)
	c, w := dial(t, ns), dial(t, ns)
	needStates(t, c)
	if err := w.NL.JoinGroup(uint32(xfrm.GroupExpire)); err != nil {
		t.Fatal(err)
	}
	mon := startIPMonitor(t, ns, c)
	mon.sync("10.253.0.0/16")

	s := testStates[0].s // tunnel esp 198.18.0.1 -> 198.18.0.2
	s.Lifetime.SoftAddExpires, s.Lifetime.HardAddExpires = 1, 3
	if err := c.AddState(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	got := events(t, w, func(es []xfrm.Event) bool { return es[len(es)-1].Expire == nil || es[len(es)-1].Expire.Hard }, xfrm.EventExpire)
	if len(got) == 1 && got[0].Expire != nil {
		t.Skip("the kernel's timer first ran after both lifetimes ran out: a hard EXPIRE alone")
	}
	if len(got) != 2 || got[0].Expire == nil || got[0].Expire.Hard || got[1].Expire == nil {
		t.Fatalf("EXPIREs %+v, want a soft one then a hard one", got)
	}
	for _, e := range got {
		x := e.Expire
		if x.State.SPI != s.SPI || x.State.Src != s.Src || x.State.Dst != s.Dst || x.State.Proto != s.Proto ||
			x.State.Lifetime.SoftAddExpires != 1 || x.State.Lifetime.HardAddExpires != 3 {
			t.Errorf("EXPIRE (hard %v) of %s with lifetimes %d/%d s, want the SA's", x.Hard, x.State.String(),
				x.State.Lifetime.SoftAddExpires, x.State.Lifetime.HardAddExpires)
		}
	}
	if _, err := c.GetState(context.Background(), s.ID()); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("after the hard EXPIRE, GetState: %v, want ESRCH (deleted)", err)
	}

	ip := blocksOf(mon.sync("10.254.0.0/16"), "Expired ")
	t.Logf("ip -s xfrm monitor printed %q", ip)
	if len(ip) != len(got) {
		t.Fatalf("ip xfrm monitor printed %d EXPIREs, Watch saw %d: %q", len(ip), len(got), ip)
	}
	for i, e := range got {
		if want := ipExpire(e.Expire); !slices.Equal(ip[i], want) {
			t.Errorf("EXPIRE %d: ip xfrm monitor printed\n%q\nwe read\n%q", i, ip[i], want)
		}
	}
}

// TestWatchMapping: the peer of an SA with UDP encapsulation (NAT-T)
// sends it ESP from another port, then from another address and port, as
// when a NAT in front of the peer changes its mapping: the kernel decrypts
// each packet, sees where it came from differ from the SA's (encap sport,
// saddr) and sends XFRM_MSG_MAPPING, which Watch and ip xfrm monitor see
// alike. The peer is a second namespace with the SA's twin, behind a veth
// pair; its policy sends UDP to port 9 through the twin. It needs ESP (the
// VM: TestStatesVM).
func TestWatchMapping(t *testing.T) {
	local, peer := nstest.New(t), nstest.New(t)
	c, w, pc := dial(t, local), dial(t, local), dial(t, peer)
	needStates(t, c)
	local.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", peer.Name)
	local.Run(t, "addr", "add", "198.18.0.2/24", "dev", "v0")
	local.Run(t, "link", "set", "v0", "up")
	peer.Run(t, "addr", "add", "198.18.0.1/24", "dev", "v1")
	peer.Run(t, "addr", "add", "198.18.0.3/24", "dev", "v1")
	peer.Run(t, "link", "set", "v1", "up")
	if err := w.NL.JoinGroup(uint32(xfrm.GroupMapping)); err != nil {
		t.Fatal(err)
	}
	mon := startIPMonitor(t, local, c)
	mon.sync("10.253.0.0/16")

	// The local end: the SA, peer 198.18.0.1 port 4500, and the UDP socket
	// on port 4500 that hands ESP to xfrm (UDP_ENCAP).
	ctx := context.Background()
	sa := xfrm.State{Src: a1, Dst: a2, Proto: xfrm.ProtoESP, SPI: 0x1000, ReqID: 9, Lifetime: xfrm.NoLimits(),
		Crypt: &xfrm.Algorithm{Name: "cbc(aes)", Key: key(hexKey16)},
		Auth:  &xfrm.AuthAlgorithm{Name: "hmac(sha256)", Key: key(hexKey32), TruncLen: 128},
		Encap: &xfrm.Encap{Type: xfrm.EncapESPInUDP, SrcPort: 4500, DstPort: 4500}}
	if err := c.AddState(ctx, &sa); err != nil {
		t.Fatal(err)
	}
	inNS(t, local, func() error {
		u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: a2.AsSlice(), Port: 4500})
		if err != nil {
			return err
		}
		t.Cleanup(func() { u.Close() })
		rc, err := u.SyscallConn()
		if err != nil {
			return err
		}
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_ENCAP, unix.UDP_ENCAP_ESPINUDP)
		}); err != nil {
			return err
		}
		return serr
	})

	// The peer: its policy, and send sends a datagram through the SA's
	// twin from src, encapsulated from sport.
	p := xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.PrefixFrom(a2, 32),
		Proto: unix.IPPROTO_UDP, DstPort: 9, DstPortMask: 0xffff},
		Dir: xfrm.DirOut, Lifetime: xfrm.NoLimits(),
		Templates: []xfrm.Template{{Dst: a2, Proto: xfrm.ProtoESP, ReqID: 9, Mode: xfrm.ModeTransport}}}
	if err := pc.AddPolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	send := func(src netip.Addr, sport uint16) {
		t.Helper()
		twin := sa
		twin.Src = src
		twin.Encap = &xfrm.Encap{Type: xfrm.EncapESPInUDP, SrcPort: sport, DstPort: 4500}
		pc.DeleteState(ctx, twin.ID()) // the previous twin, if any
		if err := pc.AddState(ctx, &twin); err != nil {
			t.Fatal(err)
		}
		inNS(t, peer, func() error {
			u, err := net.DialUDP("udp4", &net.UDPAddr{IP: src.AsSlice()}, &net.UDPAddr{IP: a2.AsSlice(), Port: 9})
			if err != nil {
				return err
			}
			defer u.Close()
			_, err = u.Write([]byte("nat-t"))
			return err
		})
	}

	a3 := netip.MustParseAddr("198.18.0.3")
	want := []xfrm.Mapping{
		{OldSrc: a1, OldSport: 4500, NewSrc: a1, NewSport: 4501},
		{OldSrc: a1, OldSport: 4500, NewSrc: a3, NewSport: 4502},
	}
	var got []xfrm.Event
	for i, m := range want {
		send(m.NewSrc, m.NewSport)
		es := events(t, w, func(es []xfrm.Event) bool {
			return es[len(es)-1].Mapping == nil || es[len(es)-1].Mapping.NewSport == m.NewSport
		}, xfrm.EventMapping)
		e := es[len(es)-1]
		if e.Mapping == nil {
			t.Fatalf("MAPPING %d not decoded: %v", i, e.Message)
		}
		m.ID, m.ReqID = xfrm.StateID{Family: xfrm.AFInet, Dst: a2, SPI: sa.SPI, Proto: xfrm.ProtoESP}, sa.ReqID
		if *e.Mapping != m {
			t.Errorf("MAPPING %d: %+v, want %+v", i, *e.Mapping, m)
		}
		got = append(got, es...)
	}

	ip := blocksOf(mon.sync("10.254.0.0/16"), "Mapping change ")
	t.Logf("ip xfrm monitor printed %q", ip)
	if len(ip) != len(got) {
		t.Fatalf("ip xfrm monitor printed %d MAPPINGs, Watch saw %d: %q", len(ip), len(got), ip)
	}
	for i, e := range got {
		if want := ipMapping(e.Mapping); !slices.Equal(ip[i], want) {
			t.Errorf("MAPPING %d: ip xfrm monitor printed\n%q\nwe read\n%q", i, ip[i], want)
		}
	}
}
