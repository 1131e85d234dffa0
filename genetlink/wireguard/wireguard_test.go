package wireguard

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// TestKey: base64 both ways, and the public key of RFC 7748's test
// vector (section 6.1, Alice's keys).
func TestKey(t *testing.T) {
	priv, _ := hex.DecodeString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
	pub, _ := hex.DecodeString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
	k, err := NewKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.PublicKey(); hex.EncodeToString(got[:]) != hex.EncodeToString(pub) {
		t.Errorf("PublicKey = %x, want %x", got, pub)
	}
	again, err := ParseKey(k.String())
	if err != nil || again != k {
		t.Errorf("ParseKey(%q) = %v, %v", k.String(), again, err)
	}
	for _, s := range []string{"", "AAAA", "not base64!", k.String() + "AAAA"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) succeeds", s)
		}
	}
	g, err := GeneratePrivateKey()
	if err != nil || g.IsZero() || g[0]&7 != 0 || g[31]&0xc0 != 0x40 {
		t.Errorf("GeneratePrivateKey = %x, %v: not clamped", g, err)
	}
}

// asReply wraps attrs as a WG_CMD_GET_DEVICE reply.
func asReply(attrs []byte) netlink.Message {
	data := genetlink.AppendHeader(nil, genetlink.Header{Command: 0, Version: 1})
	return netlink.Message{Header: netlink.Header{Type: 30}, Data: append(data, attrs...)}
}

// bigConfig returns a Config of n peers, each with an IPv4 and an IPv6
// allowed IP, some with endpoints, keepalives and preshared keys, and one
// more peer with extra allowed IPs.
func bigConfig(t testing.TB, n, extra int) Config {
	priv, err := GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	port, mark := 51820, uint32(0x42)
	cfg := Config{PrivateKey: &priv, ListenPort: &port, FirewallMark: &mark, ReplacePeers: true}
	for i := range n + 1 {
		var key Key
		key[0], key[1], key[2], key[31] = byte(i), byte(i>>8), byte(i>>16), 0x5a
		p := PeerConfig{PublicKey: key, AllowedIPs: []netip.Prefix{
			netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18 + byte(i>>16), byte(i >> 8), byte(i)}), 32),
			netip.MustParsePrefix(fmt.Sprintf("2001:db8::%x/128", i+1)),
		}}
		if i%3 == 0 {
			p.Endpoint = netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}), uint16(10000+i%50000))
		}
		if i%5 == 0 {
			p.Endpoint = netip.MustParseAddrPort(fmt.Sprintf("[2001:db8:1::%x]:%d", i+1, 20000+i%40000))
		}
		if i%10 == 0 {
			k := 25 * time.Second
			p.PersistentKeepalive = &k
		}
		if i%7 == 0 {
			psk := key
			psk[30] = 0xaa
			p.PresharedKey = &psk
		}
		if i == n {
			for j := range extra {
				p.AllowedIPs = append(p.AllowedIPs, netip.MustParsePrefix(fmt.Sprintf("2001:db8:2::%x:0/112", j+1)))
			}
		}
		cfg.Peers = append(cfg.Peers, p)
	}
	return cfg
}

// checkDevice reports how dev differs from what cfg set.
func checkDevice(t *testing.T, dev Device, cfg Config) {
	t.Helper()
	if dev.PrivateKey != *cfg.PrivateKey || dev.PublicKey != cfg.PrivateKey.PublicKey() && !dev.PublicKey.IsZero() {
		t.Errorf("keys %v %v, want %v", dev.PrivateKey, dev.PublicKey, *cfg.PrivateKey)
	}
	if dev.ListenPort != *cfg.ListenPort || dev.FirewallMark != *cfg.FirewallMark {
		t.Errorf("port %d mark %#x, want %d %#x", dev.ListenPort, dev.FirewallMark, *cfg.ListenPort, *cfg.FirewallMark)
	}
	if len(dev.Peers) != len(cfg.Peers) {
		t.Fatalf("%d peers, want %d", len(dev.Peers), len(cfg.Peers))
	}
	byKey := map[Key]Peer{}
	for _, p := range dev.Peers {
		byKey[p.PublicKey] = p
	}
	bad := 0
	for _, want := range cfg.Peers {
		got, ok := byKey[want.PublicKey]
		var psk Key
		if want.PresharedKey != nil {
			psk = *want.PresharedKey
		}
		var ka time.Duration
		if want.PersistentKeepalive != nil {
			ka = *want.PersistentKeepalive
		}
		ips := slices.Clone(got.AllowedIPs)
		wantIPs := slices.Clone(want.AllowedIPs)
		cmp := func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) }
		slices.SortFunc(ips, cmp)
		slices.SortFunc(wantIPs, cmp)
		if !ok || got.PresharedKey != psk || got.Endpoint != want.Endpoint || got.PersistentKeepalive != ka || !slices.Equal(ips, wantIPs) {
			if bad++; bad <= 3 {
				t.Errorf("peer %v: %+v (%d allowed IPs), want %+v (%d)", want.PublicKey, got, len(got.AllowedIPs), want, len(want.AllowedIPs))
			}
		}
	}
	if bad > 3 {
		t.Errorf("... %d peers differ", bad)
	}
}

// TestConfigSplits: a Config too large for one request is split into
// requests within a nest's 16-bit length, and the requests, read as the
// kernel's replies are, make the same device.
func TestConfigSplits(t *testing.T) {
	cfg := bigConfig(t, 2000, 3000)
	reqs, err := cfg.requests("wg0")
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) < 4 {
		t.Errorf("%d requests for 2001 peers, 7000 allowed IPs", len(reqs))
	}
	var msgs []netlink.Message
	for _, r := range reqs {
		if len(r) > maxRequest {
			t.Errorf("a request of %d bytes", len(r))
		}
		msgs = append(msgs, asReply(r))
	}
	dev, err := ParseDevice(msgs)
	if err != nil {
		t.Fatal(err)
	}
	checkDevice(t, dev, cfg)
	if dev.Name != "wg0" {
		t.Errorf("name %q", dev.Name)
	}
}

// TestConfigChecks: what cannot be sent is refused, matching EINVAL.
func TestConfigChecks(t *testing.T) {
	port := 70000
	ka := -time.Second
	for _, cfg := range []Config{
		{ListenPort: &port},
		{Peers: []PeerConfig{{PersistentKeepalive: &ka}}},
		{Peers: []PeerConfig{{AllowedIPs: []netip.Prefix{{}}}}},
		{Peers: []PeerConfig{{AllowedIPs: []netip.Prefix{netip.MustParsePrefix("::ffff:198.18.0.1/128")}}}},
		{Peers: []PeerConfig{{Endpoint: netip.MustParseAddrPort("[fe80::1%eth0]:1")}}},
	} {
		if _, err := cfg.requests("wg0"); !errors.Is(err, os.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", cfg, err)
		}
	}
}

// FuzzParseDevice: never a panic, errors wrap ErrMalformed, and a device
// parsed, sent back as a Config, parses the same.
func FuzzParseDevice(f *testing.F) {
	cfg := bigConfig(f, 3, 2)
	reqs, _ := cfg.requests("wg0")
	for _, r := range reqs {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dev, err := ParseDevice([]netlink.Message{asReply(b)})
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		back := Config{PrivateKey: &dev.PrivateKey, ListenPort: &dev.ListenPort, FirewallMark: &dev.FirewallMark}
		for _, p := range dev.Peers {
			psk, ka := p.PresharedKey, p.PersistentKeepalive
			back.Peers = append(back.Peers, PeerConfig{PublicKey: p.PublicKey, PresharedKey: &psk, Endpoint: p.Endpoint, PersistentKeepalive: &ka, AllowedIPs: p.AllowedIPs})
		}
		reqs, err := back.requests("wg0")
		if err != nil {
			return // a zone that is not a number, a 4-in-6 prefix: nothing the kernel sends
		}
		var msgs []netlink.Message
		for _, r := range reqs {
			msgs = append(msgs, asReply(r))
		}
		again, err := ParseDevice(msgs)
		if err != nil {
			t.Fatal(err)
		}
		again.Name, again.Index, again.PublicKey = dev.Name, dev.Index, dev.PublicKey
		for i := range again.Peers {
			if i < len(dev.Peers) {
				p := &dev.Peers[i]
				again.Peers[i].LastHandshake, again.Peers[i].ReceiveBytes, again.Peers[i].TransmitBytes, again.Peers[i].ProtocolVersion = p.LastHandshake, p.ReceiveBytes, p.TransmitBytes, p.ProtocolVersion
			}
		}
		if !reflect.DeepEqual(again, dev) && !(len(again.Peers) == 0 && len(dev.Peers) == 0) {
			t.Fatalf("%+v sent back parses as %+v", dev, again)
		}
	})
}
