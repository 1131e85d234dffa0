// Package ethtool is a small typed client of the kernel's ethtool generic
// netlink family: link info and link modes, the settings `ethtool DEVICE`
// prints, with the names ethtool gives ports and duplex modes and link
// modes as compact bit sets. It is a thin layer over the package generated
// from the kernel's spec, genetlink/ynl/ethtool, which has every operation
// of the family.
//
// The package builds on every GOOS (but plan9); off Linux there is no
// genetlink.Conn to the kernel (genetlink.Dial fails with an error
// wrapping errors.ErrUnsupported), but the parsers work, and so does a
// Conn on package nltest's fake kernel.
package ethtool

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	gen "github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/internal/uapi"
)

// Conn runs ethtool requests on a generic netlink Conn.
type Conn struct {
	G      *genetlink.Conn
	Family genetlink.Family // the ethtool family, as New resolved it
}

// New resolves the ethtool family on g and returns a Conn for it. The
// family is built into the kernel (CONFIG_ETHTOOL_NETLINK), so its ID stays
// valid for the life of the system.
func New(ctx context.Context, g *genetlink.Conn) (*Conn, error) {
	f, err := g.Family(ctx, uapi.ETHTOOL_GENL_NAME)
	if err != nil {
		return nil, err
	}
	f.CommandNames = map[uint8]string{
		uapi.ETHTOOL_MSG_LINKINFO_GET:  "LINKINFO_GET",
		uapi.ETHTOOL_MSG_LINKMODES_GET: "LINKMODES_GET",
	}
	return &Conn{G: g, Family: f}, nil
}

// Port is the physical connector of a link (PORT_* in <linux/ethtool.h>).
type Port uint8

// Ports.
const (
	PortTP    Port = 0x00
	PortAUI   Port = 0x01
	PortBNC   Port = 0x02
	PortMII   Port = 0x03
	PortFIBRE Port = 0x04
	PortDA    Port = 0x05
	PortNone  Port = 0xef
	PortOther Port = 0xff
)

// String names the port as `ethtool DEVICE` does ("Twisted Pair").
func (p Port) String() string {
	switch p {
	case PortTP:
		return "Twisted Pair"
	case PortAUI:
		return "AUI"
	case PortBNC:
		return "BNC"
	case PortMII:
		return "MII"
	case PortFIBRE:
		return "FIBRE"
	case PortDA:
		return "Direct Attach Copper"
	case PortNone:
		return "None"
	case PortOther:
		return "Other"
	}
	return fmt.Sprintf("Unknown! (%d)", uint8(p))
}

// Duplex is a link's duplex mode (DUPLEX_* in <linux/ethtool.h>).
type Duplex uint8

// Duplex modes.
const (
	DuplexHalf    Duplex = 0x00
	DuplexFull    Duplex = 0x01
	DuplexUnknown Duplex = 0xff
)

// String names the mode as `ethtool DEVICE` does ("Full").
func (d Duplex) String() string {
	switch d {
	case DuplexHalf:
		return "Half"
	case DuplexFull:
		return "Full"
	}
	return fmt.Sprintf("Unknown! (%d)", uint8(d)) // DuplexUnknown too, as ethtool prints it
}

// SpeedUnknown is the Speed of a link that does not know its speed, such
// as one that is down.
const SpeedUnknown = 0xffffffff

// Device says which device a reply is about (ETHTOOL_A_HEADER_*).
type Device struct {
	Index int
	Name  string
}

// LinkInfo is a link's physical settings (ETHTOOL_MSG_LINKINFO_GET).
type LinkInfo struct {
	Device
	Port        Port
	PHYAddr     uint8
	TPMDIX      uint8 // ETH_TP_MDI_*: the current MDI(-X) state of a twisted pair port
	TPMDIXCtrl  uint8 // ETH_TP_MDI_*: its configured state
	Transceiver uint8 // XCVR_INTERNAL (0) or XCVR_EXTERNAL (1)
}

// LinkModes is a link's speed, duplex and negotiation
// (ETHTOOL_MSG_LINKMODES_GET).
type LinkModes struct {
	Device
	Autoneg bool
	Speed   uint32 // in Mb/s; SpeedUnknown if unknown
	Duplex  Duplex
	Lanes   uint32 // 0 if the driver does not say
	// Ours holds the advertised link modes (Value) and the supported ones
	// (Mask); Peer the modes the link partner advertises. Bits are
	// ETHTOOL_LINK_MODE_*_BIT numbers.
	Ours, Peer Bitset
}

// Bitset is an ethtool bit set in compact form: Size bits, in 32-bit words.
type Bitset struct {
	Size        uint32
	Value, Mask []uint32
}

// Has reports whether bit n is set in Value.
func (b Bitset) Has(n int) bool { return bit(b.Value, n) }

// Allows reports whether bit n is set in Mask.
func (b Bitset) Allows(n int) bool { return bit(b.Mask, n) }

func bit(words []uint32, n int) bool {
	return n >= 0 && n/32 < len(words) && words[n/32]&(1<<(n%32)) != 0
}

// header is the request header about the device named ifname, asking for
// compact bit sets.
func header(ifname string) ynl.Opt[gen.Header] {
	return ynl.Some(gen.Header{DevName: ifname, Flags: ynl.Some(gen.HeaderFlagsCompactBitsets)})
}

// get runs command cmd with request req about ifname and returns its one
// reply.
func (c *Conn) get(ctx context.Context, cmd uint8, ifname string, req ynl.Set) (netlink.Message, error) {
	attrs, err := ynl.Encode(req)
	if err != nil {
		return netlink.Message{}, err
	}
	msgs, err := c.G.Execute(ctx, &c.Family, cmd, attrs)
	if err != nil {
		return netlink.Message{}, netlink.WithObject(err, fmt.Sprintf("link %q", ifname))
	}
	if len(msgs) != 1 {
		return netlink.Message{}, fmt.Errorf("ethtool: %d replies, want 1: %w", len(msgs), netlink.ErrMalformed)
	}
	return msgs[0], nil
}

// LinkInfo returns the physical settings of the link named ifname.
//
// LinkInfo sends ETHTOOL_MSG_LINKINFO_GET with ETHTOOL_A_LINKINFO_HEADER, a
// nest of ETHTOOL_A_HEADER_DEV_NAME and ETHTOOL_A_HEADER_FLAGS
// (ETHTOOL_FLAG_COMPACT_BITSETS). The reply is one
// ETHTOOL_MSG_LINKINFO_GET_REPLY.
func (c *Conn) LinkInfo(ctx context.Context, ifname string) (LinkInfo, error) {
	m, err := c.get(ctx, gen.CmdLinkinfoGet, ifname, &gen.Linkinfo{Header: header(ifname)})
	if err != nil {
		return LinkInfo{}, err
	}
	return ParseLinkInfo(m)
}

// LinkModes returns the speed, duplex and negotiation of the link named
// ifname.
//
// LinkModes sends ETHTOOL_MSG_LINKMODES_GET with ETHTOOL_A_LINKMODES_HEADER,
// a nest of ETHTOOL_A_HEADER_DEV_NAME and ETHTOOL_A_HEADER_FLAGS
// (ETHTOOL_FLAG_COMPACT_BITSETS). The reply is one
// ETHTOOL_MSG_LINKMODES_GET_REPLY.
func (c *Conn) LinkModes(ctx context.Context, ifname string) (LinkModes, error) {
	m, err := c.get(ctx, gen.CmdLinkmodesGet, ifname, &gen.Linkmodes{Header: header(ifname)})
	if err != nil {
		return LinkModes{}, err
	}
	return ParseLinkModes(m)
}

// device is the device a reply header names.
func device(h gen.Header) Device {
	return Device{Index: int(h.DevIndex.V), Name: h.DevName}
}

// ParseLinkInfo reads an ETHTOOL_MSG_LINKINFO_GET_REPLY (or _NTF) message.
func ParseLinkInfo(m netlink.Message) (LinkInfo, error) {
	g, err := ynl.Parse[gen.Linkinfo](m)
	if err != nil {
		return LinkInfo{}, fmt.Errorf("ethtool: link info: %w", err)
	}
	return LinkInfo{
		Device:      device(g.Header.V),
		Port:        Port(g.Port.V),
		PHYAddr:     g.Phyaddr.V,
		TPMDIX:      g.TpMdix.V,
		TPMDIXCtrl:  g.TpMdixCtrl.V,
		Transceiver: g.Transceiver.V,
	}, nil
}

// ParseLinkModes reads an ETHTOOL_MSG_LINKMODES_GET_REPLY (or _NTF)
// message.
func ParseLinkModes(m netlink.Message) (LinkModes, error) {
	g, err := ynl.Parse[gen.Linkmodes](m)
	if err != nil {
		return LinkModes{}, fmt.Errorf("ethtool: link modes: %w", err)
	}
	return LinkModes{
		Device:  device(g.Header.V),
		Autoneg: g.Autoneg.V == 1, // AUTONEG_ENABLE
		Speed:   g.Speed.V,
		Duplex:  Duplex(g.Duplex.V),
		Lanes:   g.Lanes.V,
		Ours:    bitset(g.Ours.V),
		Peer:    bitset(g.Peer.V),
	}, nil
}

// bitset is the compact form of a bit set the kernel sent.
func bitset(b gen.Bitset) Bitset {
	return Bitset{Size: b.Size.V, Value: words(b.Value), Mask: words(b.Mask)}
}

// words copies a bit set's u32 words, in host byte order; nil for none.
func words(b []byte) []uint32 {
	if b == nil {
		return nil
	}
	w := make([]uint32, len(b)/4)
	for i := range w {
		w[i] = binary.NativeEndian.Uint32(b[4*i:])
	}
	return w
}
