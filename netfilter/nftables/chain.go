package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// Chain is an nf_tables chain (NFT_MSG_NEWCHAIN): a base chain, with a
// Hook, that packets enter, or a regular chain that rules jump to.
type Chain struct {
	Family Family
	Table  string // NFTA_CHAIN_TABLE
	Name   string // NFTA_CHAIN_NAME
	// Handle (NFTA_CHAIN_HANDLE) is the kernel's number for the chain;
	// when set, it names the chain in a delete instead of Name. It is
	// not sent when adding: the kernel would take it as a rename.
	Handle uint64
	Hook   *Hook  // NFTA_CHAIN_HOOK: set for a base chain
	Type   string // NFTA_CHAIN_TYPE: "filter", "nat" or "route", for a base chain
	// Policy (NFTA_CHAIN_POLICY) is a base chain's verdict for packets
	// that no rule decides: VerdictAccept or VerdictDrop.
	Policy *VerdictCode
	Flags  ChainFlags // NFTA_CHAIN_FLAGS: ChainBase, ChainHWOffload, ChainBinding
	// ID (NFTA_CHAIN_ID) names the chain, in the transaction that adds it,
	// for rules and verdicts added in the same transaction.
	ID uint32
	// UserData (NFTA_CHAIN_USERDATA) holds nft's comment (see Comment).
	UserData []byte
	Use      uint32 // NFTA_CHAIN_USE: references to it (read only)
	// Other keeps the attributes the fields above do not model (a base
	// chain's counters, NFTA_CHAIN_COUNTERS).
	Other RawAttrs
}

// String names the chain as nft does: "chain inet t c".
func (c *Chain) String() string { return fmt.Sprintf("chain %s %s %s", c.Family, c.Table, c.Name) }

func (c *Chain) kind() kindInfo { return kindChain }
func (c *Chain) fam() Family    { return c.Family }

// Comment returns the comment nft keeps in the chain's user data.
func (c *Chain) Comment() string { return udataString(c.UserData, udataChainComment) }

// Base says whether c is a base chain.
func (c *Chain) Base() bool { return c.Hook != nil }

func (c *Chain) encode(e *netlink.AttrEncoder, op op) {
	e.String(uapi.NFTA_CHAIN_TABLE, c.Table)
	if op == opDel && c.Handle != 0 {
		e.Uint64BE(uapi.NFTA_CHAIN_HANDLE, c.Handle)
		return
	}
	e.String(uapi.NFTA_CHAIN_NAME, c.Name)
	if op != opNew {
		return
	}
	if c.Hook != nil {
		c.Hook.put(e, uapi.NFTA_CHAIN_HOOK, nftaHookDevs, false)
	}
	if c.Policy != nil {
		e.Uint32BE(uapi.NFTA_CHAIN_POLICY, uint32(*c.Policy))
	}
	if c.Type != "" {
		e.String(uapi.NFTA_CHAIN_TYPE, c.Type)
	}
	if c.Flags != 0 {
		e.Uint32BE(nftaChainFlags, uint32(c.Flags))
	}
	if c.ID != 0 {
		e.Uint32BE(nftaChainId, c.ID)
	}
	if c.UserData != nil {
		e.Bytes(nftaChainUserdata, c.UserData)
	}
	e.RawAttrs(c.Other)
}

func (c *Chain) decode(b []byte) error {
	return walk(b, &c.Other, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_CHAIN_TABLE:
			c.Table = a.Str()
		case uapi.NFTA_CHAIN_NAME:
			c.Name = a.Str()
		case uapi.NFTA_CHAIN_HANDLE:
			return be64To(a, &c.Handle)
		case uapi.NFTA_CHAIN_HOOK:
			h, err := parseHook(a.Data, nftaHookDevs, false)
			if err != nil {
				return errSkip
			}
			c.Hook = h
		case uapi.NFTA_CHAIN_POLICY:
			p := new(VerdictCode)
			if err := be32To(a, p); err != nil {
				return err
			}
			c.Policy = p
		case uapi.NFTA_CHAIN_TYPE:
			c.Type = a.Str()
		case nftaChainFlags:
			return be32To(a, &c.Flags)
		case nftaChainId:
			return be32To(a, &c.ID)
		case nftaChainUserdata:
			c.UserData = clone(a.Data)
		case uapi.NFTA_CHAIN_USE:
			return be32To(a, &c.Use)
		case uapi.NFTA_CHAIN_PAD:
		default:
			return errSkip
		}
		return nil
	})
}
