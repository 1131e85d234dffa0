package rtnetlink

import (
	"context"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// LinkXDP is what a link says of its XDP programs (IFLA_XDP).
type LinkXDP struct {
	Attached  XDPAttached // IFLA_XDP_ATTACHED: how the program runs, XDPAttachedNone if there is none
	ProgID    uint32      // IFLA_XDP_PROG_ID: the program's ID, when one mode has a program
	DrvProgID uint32      // IFLA_XDP_DRV_PROG_ID: the driver-mode program's ID, 0 if none
	SKBProgID uint32      // IFLA_XDP_SKB_PROG_ID: the generic-mode program's ID, 0 if none
	HWProgID  uint32      // IFLA_XDP_HW_PROG_ID: the offloaded program's ID, 0 if none
}

// XDPAttached is how a link's XDP program runs (XDP_ATTACHED_* in
// <linux/if_link.h>).
type XDPAttached uint8

// The XDP attachment modes.
const (
	XDPAttachedNone  XDPAttached = 0 // no program
	XDPAttachedDrv   XDPAttached = 1 // in the driver (native)
	XDPAttachedSKB   XDPAttached = 2 // generic, on socket buffers
	XDPAttachedHW    XDPAttached = 3 // offloaded to the device
	XDPAttachedMulti XDPAttached = 4 // in several modes: see the per-mode IDs
)

// decode reads the IFLA_XDP nest at d's current attribute.
func (x *LinkXDP) decode(d *netlink.AttrDecoder) {
	nest := d.Enter()
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_XDP_ATTACHED:
			x.Attached = XDPAttached(d.Uint8())
		case uapi.IFLA_XDP_PROG_ID:
			x.ProgID = d.Uint32()
		case uapi.IFLA_XDP_DRV_PROG_ID:
			x.DrvProgID = d.Uint32()
		case uapi.IFLA_XDP_SKB_PROG_ID:
			x.SKBProgID = d.Uint32()
		case uapi.IFLA_XDP_HW_PROG_ID:
			x.HWProgID = d.Uint32()
		}
	}
	d.Exit(nest)
}

// XDPFlags say how SetLinkXDP attaches a program (XDP_FLAGS_* in
// <linux/if_link.h>).
type XDPFlags uint32

// The XDP attach flags.
const (
	XDPUpdateIfNoExist XDPFlags = 1 << 0 // fail with EBUSY if a program is attached already
	XDPSKBMode         XDPFlags = 1 << 1 // generic mode: any link, on socket buffers
	XDPDrvMode         XDPFlags = 1 << 2 // driver mode: the driver must support XDP
	XDPHWMode          XDPFlags = 1 << 3 // offloaded to the device
)

// SetLinkXDP attaches the XDP program whose file descriptor is fd (from
// bpf(BPF_PROG_LOAD) of type BPF_PROG_TYPE_XDP) to the link, replacing the
// one attached in that mode; fd -1 detaches the program. flags choose the
// mode (XDPSKBMode, XDPDrvMode, ...; none lets the kernel pick the driver
// mode where it can). The link's XDP field then says what is attached.
//
// SetLinkXDP sends RTM_SETLINK: an ifinfomsg with the index, then IFLA_XDP
// holding IFLA_XDP_FD and, if flags are set, IFLA_XDP_FLAGS.
func (c *Conn) SetLinkXDP(ctx context.Context, index, fd int, flags XDPFlags) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		if fd < -1 || fd > 1<<31-1 {
			return invalid(uapi.RTM_SETLINK, "XDP program file descriptor %d is out of range", fd)
		}
		if flags&^(XDPUpdateIfNoExist|XDPSKBMode|XDPDrvMode|XDPHWMode) != 0 {
			return invalid(uapi.RTM_SETLINK, "unknown XDP flags %#x", uint32(flags))
		}
		x := r.Nest(uapi.IFLA_XDP)
		r.Int32(uapi.IFLA_XDP_FD, int32(fd))
		if flags != 0 {
			r.Uint32(uapi.IFLA_XDP_FLAGS, uint32(flags))
		}
		r.End(x)
		return nil
	})
}
