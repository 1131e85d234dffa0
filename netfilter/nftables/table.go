package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// Table is an nf_tables table (NFT_MSG_NEWTABLE): the container of chains,
// sets, objects and flowtables of one family.
type Table struct {
	Family Family
	Name   string     // NFTA_TABLE_NAME
	Flags  TableFlags // NFTA_TABLE_FLAGS: TableDormant, TableOwner, TablePersist
	// Handle (NFTA_TABLE_HANDLE) is the kernel's number for the table;
	// when set, it names the table in a delete instead of Name.
	Handle uint64
	// UserData (NFTA_TABLE_USERDATA) is the user's, kept by the kernel
	// unread; nft puts the comment there (see Comment).
	UserData []byte
	Use      uint32 // NFTA_TABLE_USE: how many objects it holds (read only)
	Owner    uint32 // NFTA_TABLE_OWNER: the port ID of the owner (read only)
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// String names the table as nft does: "table inet t".
func (t *Table) String() string { return fmt.Sprintf("table %s %s", t.Family, t.Name) }

func (t *Table) kind() kindInfo { return kindTable }
func (t *Table) fam() Family    { return t.Family }

// Comment returns the comment nft keeps in the table's user data.
func (t *Table) Comment() string { return udataString(t.UserData, udataTableComment) }

func (t *Table) encode(e *netlink.AttrEncoder, op op) {
	if op == opDel && t.Handle != 0 {
		e.Uint64BE(nftaTableHandle, t.Handle)
		return
	}
	e.String(uapi.NFTA_TABLE_NAME, t.Name)
	if op != opNew {
		return
	}
	if t.Flags != 0 {
		e.Uint32BE(uapi.NFTA_TABLE_FLAGS, uint32(t.Flags))
	}
	if t.UserData != nil {
		e.Bytes(nftaTableUserdata, t.UserData)
	}
	e.RawAttrs(t.Other)
}

func (t *Table) decode(b []byte) error {
	return walk(b, &t.Other, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_TABLE_NAME:
			t.Name = a.Str()
		case uapi.NFTA_TABLE_FLAGS:
			return be32To(a, &t.Flags)
		case nftaTableHandle:
			return be64To(a, &t.Handle)
		case nftaTableUserdata:
			t.UserData = clone(a.Data)
		case uapi.NFTA_TABLE_USE:
			return be32To(a, &t.Use)
		case nftaTableOwner:
			return be32To(a, &t.Owner)
		case nftaTablePad:
		default:
			return errSkip
		}
		return nil
	})
}
