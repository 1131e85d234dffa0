package genetlink

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Policy is what the kernel checks a family's requests against, as
// CTRL_CMD_GETPOLICY reports it: for each command, the attribute sets its
// do and dump requests take, and the sets themselves, numbered as in the
// kernel's reply. A set's nested attributes refer to other sets by number.
type Policy struct {
	Family uint16
	Ops    []OpPolicy              // in the kernel's order
	Sets   map[uint32][]AttrPolicy // by the kernel's number for the set, each in the kernel's order
}

// OpPolicy says which attribute sets a command's do and dump requests take:
// a key of Policy.Sets, or -1 when the command has no such request or it
// takes no attributes.
type OpPolicy struct {
	Command  uint32
	Do, Dump int64
}

// Attrs returns the attributes set n of p accepts, or nil.
func (p *Policy) Attrs(n int64) []AttrPolicy {
	if n < 0 || n > int64(^uint32(0)) {
		return nil
	}
	return p.Sets[uint32(n)]
}

// Op returns the attribute sets of command cmd.
func (p *Policy) Op(cmd uint32) (OpPolicy, bool) {
	for _, o := range p.Ops {
		if o.Command == cmd {
			return o, true
		}
	}
	return OpPolicy{}, false
}

// AttrType is the type of an attribute in a policy (enum
// netlink_attribute_type).
type AttrType uint32

// Attribute types from <linux/netlink.h>.
const (
	TypeInvalid     AttrType = uapi.NL_ATTR_TYPE_INVALID
	TypeFlag        AttrType = uapi.NL_ATTR_TYPE_FLAG
	TypeU8          AttrType = uapi.NL_ATTR_TYPE_U8
	TypeU16         AttrType = uapi.NL_ATTR_TYPE_U16
	TypeU32         AttrType = uapi.NL_ATTR_TYPE_U32
	TypeU64         AttrType = uapi.NL_ATTR_TYPE_U64
	TypeS8          AttrType = uapi.NL_ATTR_TYPE_S8
	TypeS16         AttrType = uapi.NL_ATTR_TYPE_S16
	TypeS32         AttrType = uapi.NL_ATTR_TYPE_S32
	TypeS64         AttrType = uapi.NL_ATTR_TYPE_S64
	TypeBinary      AttrType = uapi.NL_ATTR_TYPE_BINARY
	TypeString      AttrType = uapi.NL_ATTR_TYPE_STRING
	TypeNulString   AttrType = uapi.NL_ATTR_TYPE_NUL_STRING
	TypeNested      AttrType = uapi.NL_ATTR_TYPE_NESTED
	TypeNestedArray AttrType = uapi.NL_ATTR_TYPE_NESTED_ARRAY
	TypeBitfield32  AttrType = uapi.NL_ATTR_TYPE_BITFIELD32
	TypeSint        AttrType = 16 // NL_ATTR_TYPE_SINT: 4 or 8 bytes, signed
	TypeUint        AttrType = 17 // NL_ATTR_TYPE_UINT: 4 or 8 bytes, unsigned
)

var attrTypeNames = [...]string{
	"INVALID", "FLAG", "U8", "U16", "U32", "U64", "S8", "S16", "S32", "S64",
	"BINARY", "STRING", "NUL_STRING", "NESTED", "NESTED_ARRAY", "BITFIELD32",
	"SINT", "UINT",
}

// String names the type as the C constant does, without NL_ATTR_TYPE_
// ("U32", "NESTED"), or gives its number.
func (t AttrType) String() string {
	if int(t) < len(attrTypeNames) {
		return attrTypeNames[t]
	}
	return "AttrType(" + strconv.Itoa(int(t)) + ")"
}

// PolicyFields says which of an AttrPolicy's optional fields the kernel
// sent.
type PolicyFields uint16

// The optional fields of an AttrPolicy.
const (
	HasSignedRange   PolicyFields = 1 << iota // MinS and MaxS
	HasUnsignedRange                          // MinU and MaxU
	HasMinLen                                 // MinLen
	HasMaxLen                                 // MaxLen
	HasNested                                 // Nested and NestedMaxAttr
	HasMask                                   // Mask
	HasBitfield32                             // Bitfield32Mask
)

// AttrPolicy is what the kernel accepts for one attribute.
type AttrPolicy struct {
	Attr uint16   // the attribute number
	Type AttrType // its type
	Has  PolicyFields

	MinS, MaxS     int64  // the range of a signed integer
	MinU, MaxU     uint64 // the range of an unsigned integer
	MinLen, MaxLen uint32 // the payload's length limits
	Nested         uint32 // the set (a key of Policy.Sets) of a nest's attributes
	NestedMaxAttr  uint32 // that set's highest attribute number
	Mask           uint64 // the bits an integer may have set
	Bitfield32Mask uint32 // the selector bits a BITFIELD32 may use
}

// String formats p as `genl ctrl policy` does, as in "type=U32
// range:[0,4294967295]" or "type=NESTED policy:3 maxattr:3", and adds the
// masks, which genl does not print.
func (p AttrPolicy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "type=%v", p.Type)
	if p.Has&HasNested != 0 {
		fmt.Fprintf(&b, " policy:%d maxattr:%d", p.Nested, p.NestedMaxAttr)
	}
	if p.Has&HasSignedRange != 0 {
		fmt.Fprintf(&b, " range:[%d,%d]", p.MinS, p.MaxS)
	}
	if p.Has&HasUnsignedRange != 0 {
		fmt.Fprintf(&b, " range:[%d,%d]", p.MinU, p.MaxU)
	}
	if p.Has&HasMinLen != 0 {
		fmt.Fprintf(&b, " min len:%d", p.MinLen)
	}
	if p.Has&HasMaxLen != 0 {
		fmt.Fprintf(&b, " max len:%d", p.MaxLen)
	}
	if p.Has&HasMask != 0 {
		fmt.Fprintf(&b, " mask:%#x", p.Mask)
	}
	if p.Has&HasBitfield32 != 0 {
		fmt.Fprintf(&b, " bitfield32 mask:%#x", p.Bitfield32Mask)
	}
	return b.String()
}

// Policy asks nlctrl for the policy of command cmd of the family named
// family: Ops holds that command alone, and Sets what it takes.
//
// Policy sends a CTRL_CMD_GETPOLICY dump request to nlctrl with
// CTRL_ATTR_FAMILY_NAME and CTRL_ATTR_OP.
func (c *Conn) Policy(ctx context.Context, family string, cmd uint32) (Policy, error) {
	p, err := c.policy(ctx, family, cmd, true)
	for i := range p.Ops {
		// The kernel numbers a command by its do, and says 0 for one that
		// has only a dump (6.18 still does); the reply is about cmd alone.
		p.Ops[i].Command = cmd
	}
	return p, err
}

// FamilyPolicy asks nlctrl for the policies of every command of the family
// named family, as `genl ctrl policy name FAMILY` prints them. The kernel
// numbers a command by its do, so a command with a dump and no do comes as
// command 0 (6.18 still does this); Policy, asked about it alone, gives its
// number.
//
// FamilyPolicy sends a CTRL_CMD_GETPOLICY dump request to nlctrl with
// CTRL_ATTR_FAMILY_NAME.
func (c *Conn) FamilyPolicy(ctx context.Context, family string) (Policy, error) {
	return c.policy(ctx, family, 0, false)
}

func (c *Conn) policy(ctx context.Context, family string, cmd uint32, oneOp bool) (Policy, error) {
	var e netlink.AttrEncoder
	e.Reset(AppendHeader(nil, Header{Command: uapi.CTRL_CMD_GETPOLICY, Version: ctrlVersion}))
	e.String(uapi.CTRL_ATTR_FAMILY_NAME, family)
	if oneOp {
		e.Uint32(uapi.CTRL_ATTR_OP, cmd)
	}
	data, err := e.Finish()
	if err != nil {
		return Policy{}, err
	}
	p := Policy{Sets: map[uint32][]AttrPolicy{}}
	for m, err := range c.dump(ctx, uapi.GENL_ID_CTRL, "nlctrl GETPOLICY", data) {
		if err != nil {
			return Policy{}, netlink.WithObject(err, fmt.Sprintf("family %q", family))
		}
		if err := p.add(m); err != nil {
			return Policy{}, err
		}
	}
	return p, nil
}

// ParsePolicy reads the messages of a reply to CTRL_CMD_GETPOLICY.
func ParsePolicy(msgs []netlink.Message) (Policy, error) {
	p := Policy{Sets: map[uint32][]AttrPolicy{}}
	for _, m := range msgs {
		if err := p.add(m); err != nil {
			return Policy{}, err
		}
	}
	return p, nil
}

// add reads one message of a CTRL_CMD_GETPOLICY reply into p.
func (p *Policy) add(m netlink.Message) error {
	if _, err := ParseHeader(m.Data); err != nil {
		return err
	}
	d := m.AttrDecoder(HeaderLen)
	for d.Next() {
		switch d.Type() {
		case uapi.CTRL_ATTR_FAMILY_ID:
			p.Family = d.Uint16()
		case uapi.CTRL_ATTR_OP_POLICY:
			outer := d.Enter()
			for d.Next() {
				op := OpPolicy{Command: uint32(d.Type()), Do: -1, Dump: -1}
				inner := d.Enter()
				for d.Next() {
					switch d.Type() {
					case uapi.CTRL_ATTR_POLICY_DO:
						op.Do = int64(d.Uint32())
					case uapi.CTRL_ATTR_POLICY_DUMP:
						op.Dump = int64(d.Uint32())
					}
				}
				d.Exit(inner)
				p.Ops = append(p.Ops, op)
			}
			d.Exit(outer)
		case uapi.CTRL_ATTR_POLICY:
			sets := d.Enter()
			for d.Next() {
				n := uint32(d.Type())
				attrs := d.Enter()
				for d.Next() {
					a := AttrPolicy{Attr: d.Type()}
					fields := d.Enter()
					for d.Next() {
						a.set(&d)
					}
					d.Exit(fields)
					p.Sets[n] = append(p.Sets[n], a)
				}
				d.Exit(attrs)
				if _, ok := p.Sets[n]; !ok {
					p.Sets[n] = nil
				}
			}
			d.Exit(sets)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("genetlink: policy: %w", err)
	}
	return nil
}

// set reads the current NL_POLICY_TYPE_ATTR_* attribute of d into a.
func (a *AttrPolicy) set(d *netlink.AttrDecoder) {
	switch d.Type() {
	case uapi.NL_POLICY_TYPE_ATTR_TYPE:
		a.Type = AttrType(d.Uint32())
	case uapi.NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
		a.MinS = d.Int64()
		a.Has |= HasSignedRange
	case uapi.NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
		a.MaxS = d.Int64()
		a.Has |= HasSignedRange
	case uapi.NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		a.MinU = d.Uint64()
		a.Has |= HasUnsignedRange
	case uapi.NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		a.MaxU = d.Uint64()
		a.Has |= HasUnsignedRange
	case uapi.NL_POLICY_TYPE_ATTR_MIN_LENGTH:
		a.MinLen = d.Uint32()
		a.Has |= HasMinLen
	case uapi.NL_POLICY_TYPE_ATTR_MAX_LENGTH:
		a.MaxLen = d.Uint32()
		a.Has |= HasMaxLen
	case uapi.NL_POLICY_TYPE_ATTR_POLICY_IDX:
		a.Nested = d.Uint32()
		a.Has |= HasNested
	case uapi.NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE:
		a.NestedMaxAttr = d.Uint32()
		a.Has |= HasNested
	case uapi.NL_POLICY_TYPE_ATTR_BITFIELD32_MASK:
		a.Bitfield32Mask = d.Uint32()
		a.Has |= HasBitfield32
	case uapi.NL_POLICY_TYPE_ATTR_MASK:
		a.Mask = d.Uint64()
		a.Has |= HasMask
	}
}
