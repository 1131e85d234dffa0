//go:build linux

package ynl_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ovpn"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/ynlconst/rtlink"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// ovpnPeer is a peer runOVPN adds: what it sets, and so what peer-get
// must give back.
type ovpnPeer struct {
	id        uint32
	remote    netip.Addr
	port      uint16
	vpn       netip.Addr
	local     netip.Addr
	interval  uint32
	keepalive uint32 // the timeout
}

// runOVPN makes an ovpn link in multi-peer mode (rtnetlink, kind "ovpn"
// with IFLA_OVPN_MODE), hands it a UDP socket of the namespace, and
// drives the family with the generated package: two peers (peer-new),
// each read back with a do and both with a dump by ifindex and compared
// with what was set (ovpn has no ip subcommand for peers: what was set
// is the oracle, with the socket's own port from getsockname); a
// peer-set of one; an AES-GCM key and a ChaCha20-Poly1305 one (key-new),
// read with key-get, swapped (key-swap) and one deleted (key-del); the
// kernel's errors and extack for a peer and a key slot that do not
// exist; and a peer-del, seen as the peers group's peer-del-ntf with the
// reason "userspace". `ip -d link show` is the independent view of the
// link, and of its mode a link in point-to-point mode, which refuses a
// peer's VPN address (this iproute2 does not show the mode).
func runOVPN(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	// A hang guard for the notification, not a time the test asserts.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	idx := newOVPNLink(ctx, t, ns, "ovpn0", rtlink.OvpnModeMp)

	// The peers' transport: a UDP socket of ns, on a port the kernel
	// picks. Its file descriptor is what peer-new names.
	var fd int
	err := ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("socket: %w", err)
		}
		return unix.Bind(fd, &unix.SockaddrInet4{})
	})
	if fd > 0 {
		defer unix.Close(fd)
	}
	if err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	localPort := uint16(sa.(*unix.SockaddrInet4).Port)

	c, err := ovpn.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	peers := []ovpnPeer{
		{7, netip.MustParseAddr("198.18.0.2"), 1194, netip.MustParseAddr("198.19.0.2"), netip.MustParseAddr("198.18.0.1"), 3600, 7200},
		{8, netip.MustParseAddr("198.18.0.3"), 1195, netip.MustParseAddr("198.19.0.3"), netip.MustParseAddr("198.18.0.1"), 1800, 3600},
	}
	// The mode, seen by what the kernel does with it: a link made in
	// point-to-point mode refuses a peer with a VPN address, which
	// multi-peer mode needs.
	p2p := newOVPNLink(ctx, t, ns, "ovpn1", rtlink.OvpnModeP2p)
	err = c.PeerNew(ctx, &ovpn.OvpnPeerNewInput{Ifindex: ynl.Some(p2p), Peer: ynl.Some(ovpn.PeerNewInput{
		ID: ynl.Some[uint32](1), Socket: ynl.Some(uint32(fd)), RemoteIPv4: peers[0].remote, RemotePort: ynl.Some(peers[0].port), VpnIPv4: peers[0].vpn,
	})})
	var oe *netlink.OpError
	if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || !strings.Contains(oe.ExtAck.Message, "P2P") {
		t.Errorf("peer-new with a VPN address on a point-to-point link: %v; want EINVAL with an extack naming P2P mode", err)
	}
	t.Logf("peer-new with a VPN address on a point-to-point link: %v", err)
	for _, p := range peers {
		err := c.PeerNew(ctx, &ovpn.OvpnPeerNewInput{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.PeerNewInput{
			ID: ynl.Some(p.id), Socket: ynl.Some(uint32(fd)),
			RemoteIPv4: p.remote, RemotePort: ynl.Some(p.port), LocalIPv4: p.local, VpnIPv4: p.vpn,
			KeepaliveInterval: ynl.Some(p.interval), KeepaliveTimeout: ynl.Some(p.keepalive),
		})})
		if err != nil {
			t.Fatalf("peer-new %d: %v", p.id, err)
		}
	}
	// Each peer with a do, then all with a dump: each as set, and the
	// dump as the dos.
	got := map[uint32]ovpn.Peer{}
	for _, p := range peers {
		r, err := c.PeerGet(ctx, &ovpn.Ovpn{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.Peer{ID: ynl.Some(p.id)})})
		if err != nil {
			t.Fatalf("peer-get %d: %v", p.id, err)
		}
		checkOVPNPeer(t, "peer-get", r.Peer.V, p, localPort)
		got[p.id] = r.Peer.V
	}
	dumped := ovpnPeerDump(ctx, t, c, idx)
	if len(dumped) != len(peers) {
		t.Errorf("peer-get dump: %d peers, want %d", len(dumped), len(peers))
	}
	for _, p := range peers {
		d, ok := dumped[p.id]
		if !ok {
			t.Errorf("peer-get dump: no peer %d", p.id)
			continue
		}
		checkOVPNPeer(t, "peer-get dump", d, p, localPort)
		if fmt.Sprintf("%+v", d) != fmt.Sprintf("%+v", got[p.id]) {
			t.Errorf("peer %d: dump %+v, do %+v", p.id, d, got[p.id])
		}
	}

	// peer-set: peer 8 gets another VPN address and keepalive.
	peers[1].vpn, peers[1].interval, peers[1].keepalive = netip.MustParseAddr("198.19.0.8"), 900, 1800
	err = c.PeerSet(ctx, &ovpn.OvpnPeerSetInput{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.PeerSetInput{
		ID: ynl.Some(peers[1].id), VpnIPv4: peers[1].vpn,
		KeepaliveInterval: ynl.Some(peers[1].interval), KeepaliveTimeout: ynl.Some(peers[1].keepalive),
	})})
	if err != nil {
		t.Fatalf("peer-set %d: %v", peers[1].id, err)
	}
	r, err := c.PeerGet(ctx, &ovpn.Ovpn{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.Peer{ID: ynl.Some(peers[1].id)})})
	if err != nil {
		t.Fatal(err)
	}
	checkOVPNPeer(t, "peer-get after peer-set", r.Peer.V, peers[1], localPort)

	// A peer that does not exist: ENOENT, and the kernel says which.
	_, err = c.PeerGet(ctx, &ovpn.Ovpn{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.Peer{ID: ynl.Some[uint32](99)})})
	if !errors.Is(err, unix.ENOENT) || !errors.As(err, &oe) || !strings.Contains(oe.ExtAck.Message, "99") {
		t.Errorf("peer-get of peer 99, which does not exist: %v; want ENOENT with an extack naming it", err)
	}
	t.Logf("peer-get of a missing peer: %v", err)

	runOVPNKeys(ctx, t, c, idx, peers[0].id)

	// peer-del, seen by a listener of the peers group in ns.
	listen, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer listen.Close()
	lc, err := ovpn.New(ctx, listen)
	if err != nil {
		t.Fatal(err)
	}
	group, err := lc.JoinGroup(ovpn.GroupPeers)
	if err != nil {
		t.Fatal(err)
	}
	del := peers[0].id
	if err := c.PeerDel(ctx, &ovpn.OvpnPeerDelInput{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.PeerDelInput{ID: ynl.Some(del)})}); err != nil {
		t.Fatalf("peer-del %d: %v", del, err)
	}
	ntf := ovpnPeerDelNtf(ctx, t, listen, group)
	if ntf.Ifindex != ynl.Some(idx) || ntf.Peer.V.ID != ynl.Some(del) || ntf.Peer.V.DelReason != ynl.Some(ovpn.DelPeerReasonUserspace) {
		t.Errorf("peer-del-ntf: ifindex %v peer %v reason %v, want %d %d %v", ntf.Ifindex, ntf.Peer.V.ID, ntf.Peer.V.DelReason,
			idx, del, ovpn.DelPeerReasonUserspace)
	}
	if d := ovpnPeerDump(ctx, t, c, idx); len(d) != 1 || !d[peers[1].id].ID.Set {
		t.Errorf("peer-get dump after deleting peer %d: %d peers, want only %d", del, len(d), peers[1].id)
	}
	err = c.PeerDel(ctx, &ovpn.OvpnPeerDelInput{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.PeerDelInput{ID: ynl.Some(del)})})
	if !errors.Is(err, unix.ENOENT) {
		t.Errorf("peer-del of peer %d again: %v, want ENOENT", del, err)
	}
	if err := c.PeerDel(ctx, &ovpn.OvpnPeerDelInput{Ifindex: ynl.Some(idx), Peer: ynl.Some(ovpn.PeerDelInput{ID: ynl.Some(peers[1].id)})}); err != nil {
		t.Fatalf("peer-del %d: %v", peers[1].id, err)
	}
	if d := ovpnPeerDump(ctx, t, c, idx); len(d) != 0 {
		t.Errorf("peer-get dump after deleting both peers: %d peers", len(d))
	}
}

// newOVPNLink makes an ovpn link named name in ns in the given mode with
// rtnetlink (the package has no type for the kind: its IFLA_INFO_DATA
// goes as RawLinkData), checks it against the kernel's read back and `ip
// -d link show`, and returns its index.
func newOVPNLink(ctx context.Context, t *testing.T, ns *nstest.NS, name string, mode uint8) uint32 {
	rt, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	e := netlink.NewAttrEncoder(nil)
	e.Uint8(rtlink.AttrLinkinfoOvpnAttrsMode, mode)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	l, err := rt.CreateLink(ctx, rtnetlink.Link{Name: name, Data: &rtnetlink.RawLinkData{KindName: "ovpn", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	// The kernel's IFLA_INFO_DATA has the mode it was made with.
	raw, ok := l.Data.(*rtnetlink.RawLinkData)
	gotMode := -1
	if ok {
		for a, err := range netlink.RawAttrs(raw.Data).All() {
			if err != nil {
				t.Fatal(err)
			}
			if a.Type == rtlink.AttrLinkinfoOvpnAttrsMode {
				v, err := a.Uint8()
				if err != nil {
					t.Fatal(err)
				}
				gotMode = int(v)
			}
		}
	}
	if l.Kind != "ovpn" || gotMode != int(mode) {
		t.Errorf("link %s: kind %q, data %+v (mode %d), want ovpn mode %d", name, l.Kind, l.Data, gotMode, mode)
	}
	var shown []struct {
		Ifindex  int
		Linkinfo struct {
			InfoKind string `json:"info_kind"`
		}
	}
	out := ns.Run(t, "-j", "-d", "link", "show", name)
	if err := json.Unmarshal([]byte(out), &shown); err != nil || len(shown) != 1 {
		t.Fatalf("ip -j -d link show %s: %v: %s", name, err, out)
	}
	if shown[0].Ifindex != l.Index || shown[0].Linkinfo.InfoKind != "ovpn" {
		t.Errorf("ip -d link show %s: index %d kind %q; rtnetlink made index %d", name, shown[0].Ifindex, shown[0].Linkinfo.InfoKind, l.Index)
	}
	return uint32(l.Index)
}

// checkOVPNPeer compares peer-get's p with what runOVPN set, want; the
// local port is the socket's.
func checkOVPNPeer(t *testing.T, op string, p ovpn.Peer, want ovpnPeer, localPort uint16) {
	t.Helper()
	got := fmt.Sprintf("id %v remote %v:%v local %v:%v vpn %v keepalive %v/%v netnsid %v",
		p.ID, p.RemoteIPv4, p.RemotePort, p.LocalIPv4, p.LocalPort, p.VpnIPv4, p.KeepaliveInterval, p.KeepaliveTimeout, p.SocketNetnsid)
	exp := fmt.Sprintf("id %v remote %v:%v local %v:%v vpn %v keepalive %v/%v netnsid %v",
		ynl.Some(want.id), want.remote, ynl.Some(want.port), want.local, ynl.Some(localPort), want.vpn,
		ynl.Some(want.interval), ynl.Some(want.keepalive), ynl.Opt[int32]{})
	if got != exp {
		t.Errorf("%s %d:\n got  %s\n want %s", op, want.id, got, exp)
	}
	// The counters are there (no traffic went through the peer).
	for name, c := range map[string]ynl.Opt[uint64]{
		"vpn-rx-bytes": p.VpnRxBytes, "vpn-tx-bytes": p.VpnTxBytes, "vpn-rx-packets": p.VpnRxPackets, "vpn-tx-packets": p.VpnTxPackets,
		"link-rx-bytes": p.LinkRxBytes, "link-tx-bytes": p.LinkTxBytes, "link-rx-packets": p.LinkRxPackets, "link-tx-packets": p.LinkTxPackets,
	} {
		if !c.Set {
			t.Errorf("%s %d: no %s", op, want.id, name)
		}
	}
	if len(p.Unknown) > 0 {
		var types []uint16
		for _, a := range p.Unknown {
			types = append(types, a.Type)
		}
		t.Logf("%s %d: attributes the spec does not name: %v", op, want.id, types)
	}
}

// ovpnPeerDump dumps the peers of link idx, by ID.
func ovpnPeerDump(ctx context.Context, t *testing.T, c *ovpn.Client, idx uint32) map[uint32]ovpn.Peer {
	t.Helper()
	out := map[uint32]ovpn.Peer{}
	for r, err := range c.PeerGetDump(ctx, &ovpn.Ovpn{Ifindex: ynl.Some(idx)}) {
		if err != nil {
			t.Fatalf("peer-get dump: %v", err)
		}
		if _, dup := out[r.Peer.V.ID.V]; dup || !r.Peer.V.ID.Set {
			t.Errorf("peer-get dump: peer %v twice or without an ID", r.Peer.V.ID)
		}
		out[r.Peer.V.ID.V] = r.Peer.V
	}
	return out
}

// runOVPNKeys installs keys for peer: an AES-GCM one in the primary slot
// and a ChaCha20-Poly1305 one in the secondary, reads both (key-get
// gives their IDs and ciphers, never the key), swaps them, deletes the
// new secondary, and asks for it again (ENOENT).
func runOVPNKeys(ctx context.Context, t *testing.T, c *ovpn.Client, idx, peer uint32) {
	keydir := func(seed byte, n int) ynl.Opt[ovpn.Keydir] {
		k := ovpn.Keydir{CipherKey: make([]byte, n), NonceTail: make([]byte, ovpn.NonceTailSize)}
		for i := range k.CipherKey {
			k.CipherKey[i] = seed + byte(i)
		}
		for i := range k.NonceTail {
			k.NonceTail[i] = seed ^ byte(i)
		}
		return ynl.Some(k)
	}
	type key struct {
		slot ovpn.KeySlot
		id   uint32
		alg  ovpn.CipherAlg
	}
	for _, k := range []key{{ovpn.KeySlotPrimary, 1, ovpn.CipherAlgAesGcm}, {ovpn.KeySlotSecondary, 2, ovpn.CipherAlgChacha20Poly1305}} {
		err := c.KeyNew(ctx, &ovpn.Ovpn{Ifindex: ynl.Some(idx), Keyconf: ynl.Some(ovpn.Keyconf{
			PeerID: ynl.Some(peer), Slot: ynl.Some(k.slot), KeyID: ynl.Some(k.id), CipherAlg: ynl.Some(k.alg),
			EncryptDir: keydir(byte(16*k.id), 32), DecryptDir: keydir(byte(16*k.id+8), 32),
		})})
		if err != nil {
			t.Fatalf("key-new %v (%v) for peer %d: %v", k.slot, k.alg, peer, err)
		}
	}
	get := func(slot ovpn.KeySlot) (ovpn.KeyconfGet, error) {
		r, err := c.KeyGet(ctx, &ovpn.OvpnKeyconfGet{Ifindex: ynl.Some(idx), Keyconf: ynl.Some(ovpn.KeyconfGet{
			PeerID: ynl.Some(peer), Slot: ynl.Some(slot),
		})})
		return r.Keyconf.V, err
	}
	check := func(when string, want ...key) {
		t.Helper()
		for _, k := range want {
			got, err := get(k.slot)
			if err != nil {
				t.Fatalf("key-get %v %s: %v", k.slot, when, err)
			}
			if got.PeerID != ynl.Some(peer) || got.Slot != ynl.Some(k.slot) || got.KeyID != ynl.Some(k.id) || got.CipherAlg != ynl.Some(k.alg) {
				t.Errorf("key-get %v %s: peer %v slot %v key %v cipher %v; want %d %v %d %v", k.slot, when,
					got.PeerID, got.Slot, got.KeyID, got.CipherAlg, peer, k.slot, k.id, k.alg)
			}
		}
	}
	check("after key-new", key{ovpn.KeySlotPrimary, 1, ovpn.CipherAlgAesGcm}, key{ovpn.KeySlotSecondary, 2, ovpn.CipherAlgChacha20Poly1305})
	err := c.KeySwap(ctx, &ovpn.OvpnKeyconfSwapInput{Ifindex: ynl.Some(idx), Keyconf: ynl.Some(ovpn.KeyconfSwapInput{PeerID: ynl.Some(peer)})})
	if err != nil {
		t.Fatalf("key-swap: %v", err)
	}
	check("after key-swap", key{ovpn.KeySlotPrimary, 2, ovpn.CipherAlgChacha20Poly1305}, key{ovpn.KeySlotSecondary, 1, ovpn.CipherAlgAesGcm})
	err = c.KeyDel(ctx, &ovpn.OvpnKeyconfDelInput{Ifindex: ynl.Some(idx), Keyconf: ynl.Some(ovpn.KeyconfDelInput{
		PeerID: ynl.Some(peer), Slot: ynl.Some(ovpn.KeySlotSecondary),
	})})
	if err != nil {
		t.Fatalf("key-del: %v", err)
	}
	check("after key-del of the secondary", key{ovpn.KeySlotPrimary, 2, ovpn.CipherAlgChacha20Poly1305})
	_, err = get(ovpn.KeySlotSecondary)
	var oe *netlink.OpError
	if !errors.Is(err, unix.ENOENT) || !errors.As(err, &oe) || oe.ExtAck.Message == "" {
		t.Errorf("key-get of the deleted secondary: %v; want ENOENT with an extack", err)
	}
	t.Logf("key-get of an empty slot: %v", err)
}

// ovpnPeerDelNtf waits for the first peer-del-ntf on listen, which joined
// the peers group (ID group).
func ovpnPeerDelNtf(ctx context.Context, t *testing.T, listen *genetlink.Conn, group uint32) ovpn.Ovpn {
	t.Helper()
	for {
		d, err := listen.NL.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatalf("waiting for peer-del-ntf: %v", err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatal(err)
			}
			h, err := genetlink.ParseHeader(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Command != ovpn.CmdPeerDelNtf {
				t.Logf("peers group: command %d", h.Command)
				continue
			}
			if d.Group != group {
				t.Errorf("peer-del-ntf to group %d, want %d", d.Group, group)
			}
			n, err := ynl.Parse[ovpn.Ovpn](m)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
}
