//go:build linux

package wireguard_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/nlkit/netlink/genetlink/wireguard"
	"github.com/nlkit/netlink/internal/nstest"
)

// tunnelEnd is one end of a tunnel TestHandshake builds: its namespace,
// a Conn in it, its keys, and its addresses on the veth (under) and on
// wg0 (inner).
type tunnelEnd struct {
	ns    *nstest.NS
	wg    *wireguard.Conn
	priv  wireguard.Key
	port  int
	under netip.Addr
	inner netip.Addr
}

// TestHandshake: two WireGuard devices in two namespaces joined by a veth
// pair, their keys and peers set with ConfigureDevice (a's peer with b's
// endpoint, b's without one), exchange a UDP datagram and its answer
// through the tunnel; then each device has a handshake with the other
// (not zero, not in the future), bytes received and sent, b has learned
// a's endpoint, and both read as wg show all dump prints them. Once over
// IPv4 and once over IPv6, inside and out.
func TestHandshake(t *testing.T) {
	for _, tc := range []struct {
		name           string
		underA, underB string
		innerA, innerB string
		bits           int
	}{
		{"IPv4", "198.18.0.1", "198.18.0.2", "198.18.1.1", "198.18.1.2", 24},
		{"IPv6", "2001:db8::1", "2001:db8::2", "2001:db8:1::1", "2001:db8:1::2", 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTunnelEnd(t, 51820, tc.underA, tc.innerA)
			b := newTunnelEnd(t, 51821, tc.underB, tc.innerB)
			a.ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.ns.Name)
			for _, e := range []*tunnelEnd{a, b} {
				veth := "va"
				if e == b {
					veth = "vb"
				}
				e.ns.Run(t, "addr", "add", fmt.Sprintf("%s/%d", e.under, tc.bits), "dev", veth, "nodad")
				e.ns.Run(t, "link", "set", veth, "up")
				e.ns.Run(t, "addr", "add", fmt.Sprintf("%s/%d", e.inner, tc.bits), "dev", "wg0", "nodad")
			}

			ctx := context.Background()
			psk := key(t)
			for _, e := range [][2]*tunnelEnd{{a, b}, {b, a}} {
				self, other := e[0], e[1]
				peer := wireguard.PeerConfig{
					PublicKey:    other.priv.PublicKey(),
					PresharedKey: &psk,
					AllowedIPs:   []netip.Prefix{netip.PrefixFrom(other.inner, other.inner.BitLen())},
				}
				if self == a {
					peer.Endpoint = netip.AddrPortFrom(b.under, uint16(b.port))
				}
				err := self.wg.ConfigureDevice(ctx, "wg0", wireguard.Config{PrivateKey: &self.priv, ListenPort: &self.port, Peers: []wireguard.PeerConfig{peer}})
				if err != nil {
					t.Fatal(err)
				}
				self.ns.Run(t, "link", "set", "wg0", "up")
			}
			a.ns.WaitLocal(t, a.under.String(), a.inner.String())
			b.ns.WaitLocal(t, b.under.String(), b.inner.String())

			exchange(t, a, b)

			now := time.Now()
			for _, e := range [][2]*tunnelEnd{{a, b}, {b, a}} {
				self, other := e[0], e[1]
				dev := stableDevice(t, self)
				if len(dev.Peers) != 1 {
					t.Fatalf("%s: %d peers, want 1", self.inner, len(dev.Peers))
				}
				p := dev.Peers[0]
				if p.PublicKey != other.priv.PublicKey() || p.PresharedKey != psk {
					t.Errorf("%s: peer %v with preshared key %v, want %v with %v", self.inner, p.PublicKey, p.PresharedKey, other.priv.PublicKey(), psk)
				}
				if p.LastHandshake.IsZero() || p.LastHandshake.After(now.Add(time.Minute)) {
					t.Errorf("%s: last handshake %v (now %v): want one, not in the future", self.inner, p.LastHandshake, now)
				}
				if p.ReceiveBytes == 0 || p.TransmitBytes == 0 {
					t.Errorf("%s: received %d bytes, sent %d: want both", self.inner, p.ReceiveBytes, p.TransmitBytes)
				}
				// a's endpoint is the one it was given; b's, the address
				// and port a's datagrams came from.
				if want := netip.AddrPortFrom(other.under, uint16(other.port)); p.Endpoint != want {
					t.Errorf("%s: endpoint %v, want %v", self.inner, p.Endpoint, want)
				}
				if p.ProtocolVersion != 1 {
					t.Errorf("%s: protocol version %d, want 1", self.inner, p.ProtocolVersion)
				}
			}
		})
	}
}

// newTunnelEnd makes a namespace with a WireGuard device wg0 and a Conn
// in it, and a private key.
func newTunnelEnd(t *testing.T, port int, under, inner string) *tunnelEnd {
	t.Helper()
	ns, wg := wgDevice(t)
	return &tunnelEnd{ns: ns, wg: wg, priv: key(t), port: port, under: netip.MustParseAddr(under), inner: netip.MustParseAddr(inner)}
}

// exchange sends a UDP datagram from a's inner address to b's through the
// tunnel and b's answer back, again every half second until both arrive
// (the first ones wait for the handshake), for up to a minute.
func exchange(t *testing.T, a, b *tunnelEnd) {
	t.Helper()
	listen := func(e *tunnelEnd) *net.UDPConn {
		var c *net.UDPConn
		err := e.ns.Do(func() error {
			var err error
			c, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(e.inner, 0)))
			return err
		})
		if err != nil {
			t.Fatalf("listening on %v: %v", e.inner, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ca, cb := listen(a), listen(b)
	to := cb.LocalAddr().(*net.UDPAddr).AddrPort()
	ping, pong := []byte("ping through wg0"), []byte("pong through wg0")
	buf := make([]byte, 64)
	deadline := time.Now().Add(time.Minute) // a few handshake retries (5 s each) under TCG on a busy machine
	for tries := 1; ; tries++ {
		if time.Now().After(deadline) {
			t.Fatalf("no answer through the tunnel from %v after %d tries in a minute", to, tries-1)
		}
		if _, err := ca.WriteToUDPAddrPort(ping, to); err != nil {
			t.Fatalf("sending to %v: %v", to, err)
		}
		cb.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, from, err := cb.ReadFromUDPAddrPort(buf)
		if err != nil || !bytes.Equal(buf[:n], ping) {
			continue
		}
		if _, err := cb.WriteToUDPAddrPort(pong, from); err != nil {
			t.Fatalf("answering %v: %v", from, err)
		}
		ca.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if n, _, err := ca.ReadFromUDPAddrPort(buf); err == nil && bytes.Equal(buf[:n], pong) {
			t.Logf("an answer through the tunnel after %d tries", tries)
			return
		}
	}
}

// stableDevice reads e's wg0 with Device, then with wg show all dump,
// then with Device again, until both of ours are the same (a keepalive
// may come between), at most 5 times; then it compares the device with
// the dump and returns it.
func stableDevice(t *testing.T, e *tunnelEnd) wireguard.Device {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		before, err := e.wg.Device(ctx, "wg0")
		if err != nil {
			t.Fatal(err)
		}
		theirs := wgDump(t, e.ns)
		after, err := e.wg.Device(ctx, "wg0")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) && i < 4 {
			continue
		}
		if theirs == nil {
			t.Log("no wg: compared with our own reading only")
		} else {
			compareLines(t, dumpLines(after), theirs)
		}
		return after
	}
}
