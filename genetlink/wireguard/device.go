// Package wireguard is a typed client of the kernel's WireGuard generic
// netlink family, as wgctrl is: a device's keys, listen port, firewall
// mark and peers (Device, WG_CMD_GET_DEVICE), and changes to them
// (ConfigureDevice, WG_CMD_SET_DEVICE). It builds on the attribute numbers
// of the package generated from the kernel's spec, genetlink/ynl/wireguard,
// and adds what the spec does not say: keys in base64, endpoints and
// allowed IPs as net/netip values, and the splitting of a device too
// large for one message, both ways.
//
// The kernel sends a device with many peers in several messages of a dump,
// and a peer's allowed IPs may go on in the next message: Device merges
// them. A change too large for one message (a nested attribute's length
// is 16 bits) is sent as several WG_CMD_SET_DEVICE requests, each with a
// part of the peers, a peer's allowed IPs going on in the next request.
//
// The package builds on every GOOS (but plan9); off Linux there is no
// genetlink.Conn to the kernel (genetlink.Dial fails with an error
// wrapping errors.ErrUnsupported), but the parsers and encoders work.
package wireguard

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	gen "github.com/nlkit/netlink/genetlink/ynl/wireguard"
)

// Conn runs WireGuard requests on a generic netlink Conn.
type Conn struct {
	G      *genetlink.Conn
	Family genetlink.Family // the wireguard family, as New resolved it
}

// New resolves the wireguard family on g and returns a Conn for it. The
// kernel registers the family when the wireguard module loads: New fails
// (ENOENT) before.
func New(ctx context.Context, g *genetlink.Conn) (*Conn, error) {
	f, err := g.Family(ctx, gen.FamilyName)
	if err != nil {
		return nil, err
	}
	f.CommandNames = map[uint8]string{gen.CmdGetDevice: "WG_CMD_GET_DEVICE", gen.CmdSetDevice: "WG_CMD_SET_DEVICE"}
	return &Conn{G: g, Family: f}, nil
}

// Device is a WireGuard device as the kernel has it (wg show).
type Device struct {
	Index        int    // WGDEVICE_A_IFINDEX
	Name         string // WGDEVICE_A_IFNAME
	PrivateKey   Key    // WGDEVICE_A_PRIVATE_KEY; zero for none
	PublicKey    Key    // WGDEVICE_A_PUBLIC_KEY, from the private key; zero for none
	ListenPort   int    // WGDEVICE_A_LISTEN_PORT, the port the kernel chose when set to 0
	FirewallMark uint32 // WGDEVICE_A_FWMARK, 0 for none
	Peers        []Peer // WGDEVICE_A_PEERS
}

// Peer is a peer of a device.
type Peer struct {
	PublicKey    Key            // WGPEER_A_PUBLIC_KEY
	PresharedKey Key            // WGPEER_A_PRESHARED_KEY; zero for none
	Endpoint     netip.AddrPort // WGPEER_A_ENDPOINT; the zero AddrPort for none
	// PersistentKeepalive is how often an empty packet keeps the tunnel's
	// NAT mappings alive (WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, whole
	// seconds); 0 for never.
	PersistentKeepalive time.Duration
	// LastHandshake is when the last handshake completed
	// (WGPEER_A_LAST_HANDSHAKE_TIME); the zero Time for never.
	LastHandshake   time.Time
	ReceiveBytes    uint64         // WGPEER_A_RX_BYTES
	TransmitBytes   uint64         // WGPEER_A_TX_BYTES
	AllowedIPs      []netip.Prefix // WGPEER_A_ALLOWEDIPS, in the kernel's order
	ProtocolVersion int            // WGPEER_A_PROTOCOL_VERSION
}

// Device returns the WireGuard device named name (wg show NAME dump).
//
// Device sends a WG_CMD_GET_DEVICE dump request with WGDEVICE_A_IFNAME.
// The replies hold the device's attributes and its peers, a part in each;
// a peer's allowed IPs may go on in the next reply, which names the peer
// again.
func (c *Conn) Device(ctx context.Context, name string) (Device, error) {
	if name == "" || len(name) > 15 {
		return Device{}, fmt.Errorf("wireguard: device name %q is empty or longer than 15 bytes: %w", name, errInvalid)
	}
	var e netlink.AttrEncoder
	e.String(gen.AttrWgdeviceIfname, name)
	return c.device(ctx, &e, fmt.Sprintf("wireguard device %q", name))
}

// DeviceByIndex returns the WireGuard device of interface index index.
//
// DeviceByIndex sends a WG_CMD_GET_DEVICE dump request with
// WGDEVICE_A_IFINDEX, and merges the replies as Device does.
func (c *Conn) DeviceByIndex(ctx context.Context, index int) (Device, error) {
	if index <= 0 || index > 1<<31-1 {
		return Device{}, fmt.Errorf("wireguard: interface index %d is out of range: %w", index, errInvalid)
	}
	var e netlink.AttrEncoder
	e.Uint32(gen.AttrWgdeviceIfindex, uint32(index))
	return c.device(ctx, &e, fmt.Sprintf("wireguard device %d", index))
}

func (c *Conn) device(ctx context.Context, e *netlink.AttrEncoder, object string) (Device, error) {
	attrs, err := e.Finish()
	if err != nil {
		return Device{}, err
	}
	var d Device
	for m, err := range c.G.Dump(ctx, &c.Family, gen.CmdGetDevice, attrs) {
		if err != nil {
			return Device{}, netlink.WithObject(err, object)
		}
		if err := d.merge(m); err != nil {
			return Device{}, err
		}
	}
	return d, nil
}

// ParseDevice reads the replies of a WG_CMD_GET_DEVICE dump, in order,
// into one Device.
func ParseDevice(msgs []netlink.Message) (Device, error) {
	var d Device
	for _, m := range msgs {
		if err := d.merge(m); err != nil {
			return Device{}, err
		}
	}
	return d, nil
}

// merge adds the attributes of m, one reply of a dump, to d: a peer that
// goes on from the last message keeps its allowed IPs coming.
func (d *Device) merge(m netlink.Message) error {
	ad := m.AttrDecoder(genetlink.HeaderLen)
	for ad.Next() {
		switch ad.Type() {
		case gen.AttrWgdeviceIfindex:
			d.Index = int(ad.Uint32())
		case gen.AttrWgdeviceIfname:
			d.Name = ad.CString()
		case gen.AttrWgdevicePrivateKey:
			d.PrivateKey = keyOf(ad.Bytes())
		case gen.AttrWgdevicePublicKey:
			d.PublicKey = keyOf(ad.Bytes())
		case gen.AttrWgdeviceListenPort:
			d.ListenPort = int(ad.Uint16())
		case gen.AttrWgdeviceFwmark:
			d.FirewallMark = ad.Uint32()
		case gen.AttrWgdevicePeers:
			peers := ad.Enter()
			for first := true; ad.Next(); first = false {
				nest := ad.Enter()
				var p Peer
				p.decode(&ad)
				ad.Exit(nest)
				if n := len(d.Peers); first && n > 0 && d.Peers[n-1].PublicKey == p.PublicKey {
					d.Peers[n-1].AllowedIPs = append(d.Peers[n-1].AllowedIPs, p.AllowedIPs...)
					continue
				}
				d.Peers = append(d.Peers, p)
			}
			ad.Exit(peers)
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("wireguard: device: %w", err)
	}
	return nil
}

// decode reads a peer's attributes at d's level.
func (p *Peer) decode(d *netlink.AttrDecoder) {
	for d.Next() {
		switch d.Type() {
		case gen.AttrWgpeerPublicKey:
			p.PublicKey = keyOf(d.Bytes())
		case gen.AttrWgpeerPresharedKey:
			p.PresharedKey = keyOf(d.Bytes())
		case gen.AttrWgpeerEndpoint:
			p.Endpoint = parseSockaddr(d.Bytes())
		case gen.AttrWgpeerPersistentKeepaliveInterval:
			p.PersistentKeepalive = time.Duration(d.Uint16()) * time.Second
		case gen.AttrWgpeerLastHandshakeTime:
			if b := d.Bytes(); len(b) == 16 {
				sec, nsec := int64(binary.NativeEndian.Uint64(b)), int64(binary.NativeEndian.Uint64(b[8:]))
				if sec != 0 || nsec != 0 {
					p.LastHandshake = time.Unix(sec, nsec)
				}
			}
		case gen.AttrWgpeerRxBytes:
			p.ReceiveBytes = d.Uint64()
		case gen.AttrWgpeerTxBytes:
			p.TransmitBytes = d.Uint64()
		case gen.AttrWgpeerProtocolVersion:
			p.ProtocolVersion = int(d.Uint32())
		case gen.AttrWgpeerAllowedips:
			ips := d.Enter()
			for d.Next() {
				nest := d.Enter()
				var addr netip.Addr
				bits := -1
				for d.Next() {
					switch d.Type() {
					case gen.AttrWgallowedipIpaddr:
						addr = d.Addr()
					case gen.AttrWgallowedipCidrMask:
						bits = int(d.Uint8())
					}
				}
				d.Exit(nest)
				if pfx := netip.PrefixFrom(addr, bits); pfx.IsValid() {
					p.AllowedIPs = append(p.AllowedIPs, pfx)
				}
			}
			d.Exit(ips)
		}
	}
}

// keyOf returns b as a Key, or the zero Key when b is not KeyLen bytes.
func keyOf(b []byte) Key {
	k, _ := NewKey(b)
	return k
}

// The sockaddr families of an endpoint (Linux's values on every GOOS).
const (
	afInet  = 2
	afInet6 = 10
)

// parseSockaddr reads a struct sockaddr_in or sockaddr_in6.
func parseSockaddr(b []byte) netip.AddrPort {
	if len(b) < 4 {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16(b[2:])
	switch binary.NativeEndian.Uint16(b) {
	case afInet:
		if len(b) >= 8 {
			return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
		}
	case afInet6:
		if len(b) >= 28 {
			a := netip.AddrFrom16([16]byte(b[8:24]))
			if scope := binary.NativeEndian.Uint32(b[24:]); scope != 0 {
				a = a.WithZone(fmt.Sprint(scope))
			}
			return netip.AddrPortFrom(a, port)
		}
	}
	return netip.AddrPort{}
}

// appendSockaddr appends ap as a struct sockaddr_in (an IPv4 address) or
// sockaddr_in6; a numeric zone is the scope ID.
func appendSockaddr(b []byte, ap netip.AddrPort) []byte {
	a := ap.Addr().Unmap()
	if a.Is4() {
		b = binary.NativeEndian.AppendUint16(b, afInet)
		b = binary.BigEndian.AppendUint16(b, ap.Port())
		a4 := a.As4()
		b = append(b, a4[:]...)
		return append(b, make([]byte, 8)...) // sin_zero
	}
	b = binary.NativeEndian.AppendUint16(b, afInet6)
	b = binary.BigEndian.AppendUint16(b, ap.Port())
	b = append(b, 0, 0, 0, 0) // flow info
	a16 := a.As16()
	b = append(b, a16[:]...)
	var scope uint32
	fmt.Sscan(a.Zone(), &scope)
	return binary.NativeEndian.AppendUint32(b, scope)
}
