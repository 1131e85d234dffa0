// Package netdev is a small typed client of the kernel's netdev generic
// netlink family: the XDP and AF_XDP features of network devices
// (NETDEV_CMD_DEV_GET). It is a thin layer over the package generated
// from the kernel's spec, genetlink/ynl/netdev, which has every operation
// of the family: this one adds a Dev with plain fields and calls by
// interface index.
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

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	gen "github.com/nlkit/netlink/genetlink/ynl/netdev"
)

// The family's name and command come from the generated package.
const (
	familyName = gen.FamilyName
	cmdDevGet  = gen.CmdDevGet
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

// XDPAct is a set of XDP features (enum netdev_xdp_act): the type the
// generated package (genetlink/ynl/netdev) has, whose String lists them
// as the kernel's YAML spec names them, as in "basic|redirect|rx-sg".
type XDPAct = gen.XDPAct

// XDP features.
const (
	XDPBasic       = gen.XDPActBasic       // XDP_PASS, XDP_DROP, XDP_ABORTED, XDP_TX
	XDPRedirect    = gen.XDPActRedirect    // XDP_REDIRECT
	XDPNdoXmit     = gen.XDPActNdoXmit     // the device is a target of XDP_REDIRECT
	XDPXSKZerocopy = gen.XDPActXSKZerocopy // AF_XDP zero copy
	XDPHWOffload   = gen.XDPActHWOffload   // XDP programs offloaded to hardware
	XDPRxSG        = gen.XDPActRxSG        // non-linear (multi-buffer) frames on receive
	XDPNdoXmitSG   = gen.XDPActNdoXmitSG   // non-linear frames as a redirect target
)

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
	attrs, err := ynl.Encode(&gen.Dev{Ifindex: ynl.Some(uint32(ifindex))})
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
	g, err := ynl.Parse[gen.Dev](m)
	if err != nil {
		return Dev{}, fmt.Errorf("netdev: device: %w", err)
	}
	return Dev{
		Index:                 int(g.Ifindex.V),
		XDPFeatures:           g.XDPFeatures.V,
		XDPZCMaxSegs:          g.XDPZCMaxSegs.V,
		XDPRxMetadataFeatures: uint64(g.XDPRxMetadataFeatures.V),
		XSKFeatures:           uint64(g.XSKFeatures.V),
	}, nil
}
