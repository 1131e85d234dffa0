package wireguard

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/nlkit/netlink"
	gen "github.com/nlkit/netlink/genetlink/ynl/wireguard"
)

// errInvalid is the cause of a request refused before it was sent: it
// matches both syscall.EINVAL and os.ErrInvalid.
var errInvalid error = invalidError{}

type invalidError struct{}

func (invalidError) Error() string { return "invalid argument" }

func (invalidError) Is(target error) bool { return target == syscall.EINVAL || target == os.ErrInvalid }

// Config is a change to a device (wg set, wg setconf): the fields that are
// nil, false or empty are left as they are.
type Config struct {
	// PrivateKey sets the device's private key; a zero Key removes it.
	PrivateKey *Key
	// ListenPort sets the UDP port; 0 has the kernel choose one.
	ListenPort *int
	// FirewallMark sets the mark of the device's packets; 0 removes it.
	FirewallMark *uint32
	// ReplacePeers removes the peers Peers does not name
	// (WGDEVICE_F_REPLACE_PEERS).
	ReplacePeers bool
	// Peers adds, changes or removes peers.
	Peers []PeerConfig
}

// PeerConfig is a change to a peer, named by its public key: the fields
// that are nil, false or empty are left as they are.
type PeerConfig struct {
	PublicKey Key
	// Remove removes the peer (WGPEER_F_REMOVE_ME); the other fields are
	// not sent.
	Remove bool
	// UpdateOnly changes the peer only if the device has it
	// (WGPEER_F_UPDATE_ONLY), rather than add it.
	UpdateOnly bool
	// PresharedKey sets the peer's preshared key; a zero Key removes it.
	PresharedKey *Key
	// Endpoint sets the peer's address and port; the zero AddrPort leaves
	// it.
	Endpoint netip.AddrPort
	// PersistentKeepalive sets the keepalive interval, in whole seconds up
	// to 65535; 0 turns it off.
	PersistentKeepalive *time.Duration
	// ReplaceAllowedIPs removes the allowed IPs AllowedIPs does not name
	// (WGPEER_F_REPLACE_ALLOWEDIPS).
	ReplaceAllowedIPs bool
	// AllowedIPs are added to the peer's.
	AllowedIPs []netip.Prefix
}

// maxRequest bounds the attributes of one WG_CMD_SET_DEVICE request: the
// peers' nest must stay within a nested attribute's 16-bit length, and
// wg(8) sends no more at once either.
const maxRequest = 32 << 10

// ConfigureDevice changes the device named name as cfg says (wg set).
// Errors before sending name the field (and match syscall.EINVAL and
// os.ErrInvalid); the kernel's name the device.
//
// ConfigureDevice sends WG_CMD_SET_DEVICE with WGDEVICE_A_IFNAME, then
// WGDEVICE_A_FLAGS (WGDEVICE_F_REPLACE_PEERS), WGDEVICE_A_PRIVATE_KEY,
// WGDEVICE_A_LISTEN_PORT and WGDEVICE_A_FWMARK when set, and
// WGDEVICE_A_PEERS. A change of more than about 32 KiB of attributes is
// sent as several requests, one after the other, each with the device's
// name and a part of the peers (the device's own fields go in the first
// alone): a peer whose allowed IPs do not fit goes on in the next request,
// named again by its public key, with WGPEER_F_UPDATE_ONLY when it had it
// and without WGPEER_F_REPLACE_ALLOWEDIPS. The requests are not one
// transaction: when one fails, those before it have taken effect.
func (c *Conn) ConfigureDevice(ctx context.Context, name string, cfg Config) error {
	if name == "" || len(name) > 15 {
		return fmt.Errorf("wireguard: device name %q is empty or longer than 15 bytes: %w", name, errInvalid)
	}
	reqs, err := cfg.requests(name)
	if err != nil {
		return fmt.Errorf("wireguard: configuring device %q: %w", name, err)
	}
	for _, attrs := range reqs {
		if _, err := c.G.Execute(ctx, &c.Family, gen.CmdSetDevice, attrs); err != nil {
			return netlink.WithObject(err, fmt.Sprintf("wireguard device %q", name))
		}
	}
	return nil
}

// check checks cfg before anything is encoded.
func (cfg *Config) check() error {
	if cfg.ListenPort != nil && (*cfg.ListenPort < 0 || *cfg.ListenPort > 65535) {
		return fmt.Errorf("listen port %d is not within 0-65535: %w", *cfg.ListenPort, errInvalid)
	}
	for i := range cfg.Peers {
		p := &cfg.Peers[i]
		if k := p.PersistentKeepalive; k != nil && (*k < 0 || *k > 65535*time.Second) {
			return fmt.Errorf("peer %v: keepalive %v is not within 0-65535s: %w", p.PublicKey, *k, errInvalid)
		}
		if p.Endpoint.IsValid() && p.Endpoint.Addr().Zone() != "" {
			var scope uint32
			if _, err := fmt.Sscan(p.Endpoint.Addr().Zone(), &scope); err != nil {
				return fmt.Errorf("peer %v: endpoint %v: a zone must be a numeric scope ID: %w", p.PublicKey, p.Endpoint, errInvalid)
			}
		}
		for _, ip := range p.AllowedIPs {
			if !ip.IsValid() || ip.Addr().Is4In6() || ip.Addr().Zone() != "" {
				return fmt.Errorf("peer %v: allowed IP %v is not an IPv4 or IPv6 prefix: %w", p.PublicKey, ip, errInvalid)
			}
		}
	}
	return nil
}

// requests encodes cfg for the device name as the attributes of one or
// more WG_CMD_SET_DEVICE requests, each within maxRequest.
func (cfg *Config) requests(name string) ([][]byte, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var reqs [][]byte
	var e netlink.AttrEncoder
	peers := -1 // the open WGDEVICE_A_PEERS nest, or -1
	npeers := 0 // peers in it
	start := func() {
		e.Reset(make([]byte, 0, 1024))
		e.String(gen.AttrWgdeviceIfname, name)
		peers, npeers = -1, 0
	}
	finish := func() error {
		if peers >= 0 {
			e.End(peers)
		}
		b, err := e.Finish()
		if err != nil {
			return err
		}
		reqs = append(reqs, b)
		return nil
	}
	openPeer := func(key Key, flags gen.WgpeerFlags) int {
		if peers < 0 {
			peers = e.Nest(gen.AttrWgdevicePeers)
		}
		npeers++
		p := e.Nest(uint16(npeers))
		e.Bytes(gen.AttrWgpeerPublicKey, key[:])
		if flags != 0 {
			e.Uint32(gen.AttrWgpeerFlags, uint32(flags))
		}
		return p
	}

	start()
	if cfg.ReplacePeers {
		e.Uint32(gen.AttrWgdeviceFlags, uint32(gen.WgdeviceFlagsReplacePeers))
	}
	if cfg.PrivateKey != nil {
		e.Bytes(gen.AttrWgdevicePrivateKey, cfg.PrivateKey[:])
	}
	if cfg.ListenPort != nil {
		e.Uint16(gen.AttrWgdeviceListenPort, uint16(*cfg.ListenPort))
	}
	if cfg.FirewallMark != nil {
		e.Uint32(gen.AttrWgdeviceFwmark, *cfg.FirewallMark)
	}
	// A peer's fixed part is at most 4+36 (key) + 8 (flags) + 36 (preshared
	// key) + 32 (endpoint) + 8 (keepalive) bytes and an allowed IP's at most
	// 4+8+20+8: room for both is checked before each.
	const peerRoom, ipRoom = 160, 48
	for i := range cfg.Peers {
		p := &cfg.Peers[i]
		if e.Len() > maxRequest-peerRoom-ipRoom {
			if err := finish(); err != nil {
				return nil, err
			}
			start()
		}
		var flags gen.WgpeerFlags
		switch {
		case p.Remove:
			flags = gen.WgpeerFlagsRemoveMe
		default:
			if p.UpdateOnly {
				flags |= gen.WgpeerFlagsUpdateOnly
			}
			if p.ReplaceAllowedIPs {
				flags |= gen.WgpeerFlagsReplaceAllowedips
			}
		}
		peer := openPeer(p.PublicKey, flags)
		if p.Remove {
			e.End(peer)
			continue
		}
		if p.PresharedKey != nil {
			e.Bytes(gen.AttrWgpeerPresharedKey, p.PresharedKey[:])
		}
		if p.Endpoint.IsValid() {
			var b [28]byte
			e.Bytes(gen.AttrWgpeerEndpoint, appendSockaddr(b[:0], p.Endpoint))
		}
		if p.PersistentKeepalive != nil {
			e.Uint16(gen.AttrWgpeerPersistentKeepaliveInterval, uint16(*p.PersistentKeepalive/time.Second))
		}
		if len(p.AllowedIPs) == 0 {
			if p.ReplaceAllowedIPs {
				e.End(e.Nest(gen.AttrWgpeerAllowedips)) // an empty list: remove them all
			}
			e.End(peer)
			continue
		}
		ips := e.Nest(gen.AttrWgpeerAllowedips)
		n := 0
		for _, ip := range p.AllowedIPs {
			if e.Len() > maxRequest-ipRoom {
				// Go on in the next request, the peer named again.
				e.End(ips)
				e.End(peer)
				if err := finish(); err != nil {
					return nil, err
				}
				start()
				peer = openPeer(p.PublicKey, flags&gen.WgpeerFlagsUpdateOnly)
				ips = e.Nest(gen.AttrWgpeerAllowedips)
				n = 0
			}
			n++
			nest := e.Nest(uint16(n))
			a := ip.Addr()
			family := uint16(afInet6)
			if a.Is4() {
				family = afInet
			}
			e.Uint16(gen.AttrWgallowedipFamily, family)
			e.Addr(gen.AttrWgallowedipIpaddr, a)
			e.Uint8(gen.AttrWgallowedipCidrMask, uint8(ip.Bits()))
			e.End(nest)
		}
		e.End(ips)
		e.End(peer)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return reqs, nil
}
