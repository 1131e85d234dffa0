package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// NamedObject is an nf_tables stateful object (NFT_MSG_NEWOBJ), which
// rules and maps refer to by name (Objref): a counter, a quota, a limit,
// a ct helper, ...
type NamedObject struct {
	Family Family
	Table  string // NFTA_OBJ_TABLE
	Name   string // NFTA_OBJ_NAME
	// Handle (NFTA_OBJ_HANDLE) is the kernel's number for the object; when
	// set, it names the object in a delete instead of Name.
	Handle uint64
	// Data (NFTA_OBJ_DATA, with its type NFTA_OBJ_TYPE) is a *Counter,
	// *Quota, *Limit, *CtHelper or, for the other types, *RawObject.
	Data     ObjectData
	UserData []byte // NFTA_OBJ_USERDATA: nft's comment
	Use      uint32 // NFTA_OBJ_USE: references to it (read only)
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// ObjectData is the state of a named object of one type.
type ObjectData interface {
	// ObjectType is the object's type (enum nft_object_type).
	ObjectType() ObjectType
}

// ObjectType returns ObjCounter.
func (*Counter) ObjectType() ObjectType { return ObjCounter }

// ObjectType returns ObjQuota.
func (*Quota) ObjectType() ObjectType { return ObjQuota }

// ObjectType returns ObjLimit.
func (*Limit) ObjectType() ObjectType { return ObjLimit }

// ObjectType returns ObjConnlimit.
func (*Connlimit) ObjectType() ObjectType { return ObjConnlimit }

// ObjectType returns ObjSynproxy.
func (*Synproxy) ObjectType() ObjectType { return ObjSynproxy }

// CtHelper is a ct helper object: the conntrack helper Name (such as
// "ftp") for protocol L4Proto over L3Proto.
type CtHelper struct {
	Name    string `nft:"1"` // NFTA_CT_HELPER_NAME
	L3Proto uint16 `nft:"2"` // NFTA_CT_HELPER_L3PROTO: NFPROTO_*, 0 for the table's family
	L4Proto uint8  `nft:"3"` // NFTA_CT_HELPER_L4PROTO: IPPROTO_TCP or IPPROTO_UDP
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// ObjectType returns ObjCtHelper.
func (*CtHelper) ObjectType() ObjectType { return ObjCtHelper }

// RawObject is the state of a named object of a type the package does not
// model, kept as its attributes.
type RawObject struct {
	Type ObjectType
	Data []byte
}

// ObjectType returns the object's type.
func (r *RawObject) ObjectType() ObjectType { return r.Type }

// objectTypes are the types NamedObject decodes.
var objectTypes = map[ObjectType]func() ObjectData{
	ObjCounter:   func() ObjectData { return new(Counter) },
	ObjQuota:     func() ObjectData { return new(Quota) },
	ObjLimit:     func() ObjectData { return new(Limit) },
	ObjCtHelper:  func() ObjectData { return new(CtHelper) },
	ObjConnlimit: func() ObjectData { return new(Connlimit) },
	ObjSynproxy:  func() ObjectData { return new(Synproxy) },
}

// String names the object as nft does: "counter inet t c".
func (o *NamedObject) String() string {
	k := "object"
	if o.Data != nil {
		switch o.Data.ObjectType() {
		case ObjCounter:
			k = "counter"
		case ObjQuota:
			k = "quota"
		case ObjLimit:
			k = "limit"
		case ObjCtHelper:
			k = "ct helper"
		}
	}
	return fmt.Sprintf("%s %s %s %s", k, o.Family, o.Table, o.Name)
}

func (o *NamedObject) kind() kindInfo { return kindObj }
func (o *NamedObject) fam() Family    { return o.Family }

// Comment returns the comment nft keeps in the object's user data.
func (o *NamedObject) Comment() string { return udataString(o.UserData, udataObjComment) }

func (o *NamedObject) encode(e *netlink.AttrEncoder, op op) {
	e.String(uapi.NFTA_OBJ_TABLE, o.Table)
	if o.Data != nil {
		e.Uint32BE(uapi.NFTA_OBJ_TYPE, uint32(o.Data.ObjectType()))
	}
	if op == opDel && o.Handle != 0 {
		e.Uint64BE(nftaObjHandle, o.Handle)
		return
	}
	e.String(uapi.NFTA_OBJ_NAME, o.Name)
	if op != opNew {
		return
	}
	if o.Data != nil {
		n := e.Nest(uapi.NFTA_OBJ_DATA)
		if r, ok := o.Data.(*RawObject); ok {
			e.Raw(r.Data)
		} else {
			encodeTagged(e, o.Data)
		}
		e.End(n)
	}
	if o.UserData != nil {
		e.Bytes(nftaObjUserdata, o.UserData)
	}
	e.RawAttrs(o.Other)
}

func (o *NamedObject) decode(b []byte) error {
	var typ ObjectType
	var data []byte
	hasData := false
	err := walk(b, &o.Other, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_OBJ_TABLE:
			o.Table = a.Str()
		case uapi.NFTA_OBJ_NAME:
			o.Name = a.Str()
		case nftaObjHandle:
			return be64To(a, &o.Handle)
		case uapi.NFTA_OBJ_TYPE:
			return be32To(a, &typ)
		case uapi.NFTA_OBJ_DATA:
			data, hasData = a.Data, true
		case nftaObjUserdata:
			o.UserData = clone(a.Data)
		case uapi.NFTA_OBJ_USE:
			return be32To(a, &o.Use)
		case nftaObjPad:
		default:
			return errSkip
		}
		return nil
	})
	if err != nil {
		return err
	}
	if newData, ok := objectTypes[typ]; ok && hasData {
		d := newData()
		if decodeTagged(data, d) == nil {
			o.Data = d
			return nil
		}
	}
	o.Data = &RawObject{Type: typ, Data: clone(data)}
	return nil
}
