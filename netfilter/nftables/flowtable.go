package nftables

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// Flowtable is an nf_tables flowtable (NFT_MSG_NEWFLOWTABLE): a fast path
// for the established connections that a rule offloads to it
// (FlowOffload), on the ingress of its devices.
type Flowtable struct {
	Family Family
	Table  string // NFTA_FLOWTABLE_TABLE
	Name   string // NFTA_FLOWTABLE_NAME
	// Handle (NFTA_FLOWTABLE_HANDLE) is the kernel's number for the
	// flowtable; when set, it names it in a delete instead of Name.
	Handle uint64
	// Hook (NFTA_FLOWTABLE_HOOK): its Num is NF_NETDEV_INGRESS, and its
	// Devices the devices; Device is not used.
	Hook  *Hook
	Flags FlowtableFlags // NFTA_FLOWTABLE_FLAGS: FlowtableHWOffload, FlowtableCounter
	Use   uint32         // NFTA_FLOWTABLE_USE: references to it (read only)
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// String names the flowtable as nft does: "flowtable inet t f".
func (f *Flowtable) String() string {
	return fmt.Sprintf("flowtable %s %s %s", f.Family, f.Table, f.Name)
}

func (f *Flowtable) kind() kindInfo { return kindFlowtable }
func (f *Flowtable) fam() Family    { return f.Family }

func (f *Flowtable) encode(e *netlink.AttrEncoder, op op) {
	e.String(nftaFlowtableTable, f.Table)
	if op == opDel && f.Handle != 0 {
		e.Uint64BE(nftaFlowtableHandle, f.Handle)
		return
	}
	e.String(nftaFlowtableName, f.Name)
	if op != opNew {
		return
	}
	if f.Hook != nil {
		f.Hook.put(e, nftaFlowtableHook, nftaFlowtableHookDevs, true)
	}
	if f.Flags != 0 {
		e.Uint32BE(nftaFlowtableFlags, uint32(f.Flags))
	}
	e.RawAttrs(f.Other)
}

func (f *Flowtable) decode(b []byte) error {
	return walk(b, &f.Other, func(a netlink.Attr) error {
		switch a.Type {
		case nftaFlowtableTable:
			f.Table = a.Str()
		case nftaFlowtableName:
			f.Name = a.Str()
		case nftaFlowtableHandle:
			return be64To(a, &f.Handle)
		case nftaFlowtableHook:
			h, err := parseHook(a.Data, nftaFlowtableHookDevs, true)
			if err != nil {
				return errSkip
			}
			f.Hook = h
		case nftaFlowtableFlags:
			return be32To(a, &f.Flags)
		case nftaFlowtableUse:
			return be32To(a, &f.Use)
		case nftaFlowtablePad:
		default:
			return errSkip
		}
		return nil
	})
}
