// Package netdev is a small typed client of the kernel's netdev generic
// netlink family: the XDP and AF_XDP features of network devices
// (NETDEV_CMD_DEV_GET). It is built on genetlink's exported API alone.
//
// The package builds on every GOOS (but plan9); off Linux there is no
// genetlink.Conn to the kernel (genetlink.Dial fails with an error
// wrapping errors.ErrUnsupported), but the parsers work, and so does a
// Conn on package nltest's fake kernel.
package netdev

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// Family name, command and attributes from <linux/netdev.h>.
const (
	familyName = "netdev"
	cmdDevGet  = 1 // NETDEV_CMD_DEV_GET

	attrIfindex       = 1 // NETDEV_A_DEV_IFINDEX
	attrXDPFeatures   = 3 // NETDEV_A_DEV_XDP_FEATURES
	attrXDPZCMaxSegs  = 4 // NETDEV_A_DEV_XDP_ZC_MAX_SEGS
	attrXDPRxMetadata = 5 // NETDEV_A_DEV_XDP_RX_METADATA_FEATURES
	attrXSKFeatures   = 6 // NETDEV_A_DEV_XSK_FEATURES
)

// Conn runs netdev requests on a generic netlink Conn.
type Conn struct {
	G      *genetlink.Conn
	Family genetlink.Family // the netdev family, as New resolved it
}

// New resolves the netdev family on g and returns a Conn for it. The family
// is built into the kernel, so its ID stays valid for the life of the
// system.
func New(ctx context.Context, g *genetlink.Conn) (*Conn, error) {
	f, err := g.Family(ctx, familyName)
	if err != nil {
		return nil, err
	}
	f.CommandNames = map[uint8]string{cmdDevGet: "DEV_GET"}
	return &Conn{G: g, Family: f}, nil
}

// XDPAct is a set of XDP features (enum netdev_xdp_act).
type XDPAct uint64

// XDP features.
const (
	XDPBasic       XDPAct = 1 << iota // XDP_PASS, XDP_DROP, XDP_ABORTED, XDP_TX
	XDPRedirect                       // XDP_REDIRECT
	XDPNdoXmit                        // the device is a target of XDP_REDIRECT
	XDPXSKZerocopy                    // AF_XDP zero copy
	XDPHWOffload                      // XDP programs offloaded to hardware
	XDPRxSG                           // non-linear (multi-buffer) frames on receive
	XDPNdoXmitSG                      // non-linear frames as a redirect target
)

var xdpActNames = [...]string{"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg"}

// String lists the features as the kernel's YAML spec names them, as in
// "basic|redirect|rx-sg"; "0" for none.
func (a XDPAct) String() string {
	if a == 0 {
		return "0"
	}
	var parts []string
	for i, name := range xdpActNames {
		if a&(1<<i) != 0 {
			parts = append(parts, name)
			a &^= 1 << i
		}
	}
	if a != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint64(a)))
	}
	return strings.Join(parts, "|")
}

// Dev is a network device's XDP and AF_XDP features.
type Dev struct {
	Index                 int
	XDPFeatures           XDPAct
	XDPZCMaxSegs          uint32 // fragments an AF_XDP zero copy frame may have
	XDPRxMetadataFeatures uint64 // NETDEV_XDP_RX_METADATA_*: metadata XDP programs can read
	XSKFeatures           uint64 // NETDEV_XSK_FLAGS_*: AF_XDP features
}

// Dev returns the device with index ifindex.
//
// Dev sends NETDEV_CMD_DEV_GET with NETDEV_A_DEV_IFINDEX. The reply is one
// NETDEV_CMD_DEV_GET.
func (c *Conn) Dev(ctx context.Context, ifindex int) (Dev, error) {
	var e netlink.AttrEncoder
	e.Uint32(attrIfindex, uint32(ifindex))
	attrs, err := e.Finish()
	if err != nil {
		return Dev{}, err
	}
	msgs, err := c.G.Execute(ctx, &c.Family, cmdDevGet, attrs)
	if err != nil {
		return Dev{}, netlink.WithObject(err, fmt.Sprintf("device %d", ifindex))
	}
	if len(msgs) != 1 {
		return Dev{}, fmt.Errorf("netdev: %d replies, want 1: %w", len(msgs), netlink.ErrMalformed)
	}
	return ParseDev(msgs[0])
}

// Devs lists the devices of the Conn's network namespace.
//
// Devs sends a NETDEV_CMD_DEV_GET dump request, with no attributes. Each
// reply is a Dev.
func (c *Conn) Devs(ctx context.Context) iter.Seq2[Dev, error] {
	return func(yield func(Dev, error) bool) {
		for m, err := range c.G.Dump(ctx, &c.Family, cmdDevGet, nil) {
			var d Dev
			if err == nil {
				d, err = ParseDev(m)
			}
			if !yield(d, err) || err != nil {
				return
			}
		}
	}
}

// ParseDev reads a NETDEV_CMD_DEV_GET reply, or a NETDEV_CMD_DEV_ADD_NTF,
// DEV_DEL_NTF or DEV_CHANGE_NTF notification from the "mgmt" group.
func ParseDev(m netlink.Message) (Dev, error) {
	var dev Dev
	if _, err := genetlink.ParseHeader(m.Data); err != nil {
		return dev, err
	}
	d := m.AttrDecoder(genetlink.HeaderLen)
	for d.Next() {
		switch d.Type() {
		case attrIfindex:
			dev.Index = int(d.Uint32())
		case attrXDPFeatures:
			dev.XDPFeatures = XDPAct(d.Uint64())
		case attrXDPZCMaxSegs:
			dev.XDPZCMaxSegs = d.Uint32()
		case attrXDPRxMetadata:
			dev.XDPRxMetadataFeatures = d.Uint64()
		case attrXSKFeatures:
			dev.XSKFeatures = d.Uint64()
		}
	}
	if err := d.Err(); err != nil {
		return Dev{}, fmt.Errorf("netdev: device: %w", err)
	}
	return dev, nil
}
