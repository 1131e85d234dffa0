package genetlink

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Family is a generic netlink family as nlctrl describes it.
type Family struct {
	ID         uint16  // the netlink message type of its messages
	Name       string  // as registered, such as "ethtool"
	Version    uint32  // the version of its interface, sent in each request's header
	HeaderSize uint32  // the size of its own fixed header after genlmsghdr, usually 0
	MaxAttr    uint32  // its highest attribute number
	Ops        []Op    // its commands, in the kernel's order
	Groups     []Group // its multicast groups, in the kernel's order

	// CommandNames name commands in errors, as in "ethtool LINKINFO_GET"
	// rather than "ethtool command 2". nlctrl does not send them: packages
	// for one family set them.
	CommandNames map[uint8]string
}

// Op is a command of a family, and what it can do.
type Op struct {
	Command uint32
	Flags   OpFlags
}

// Group is a multicast group of a family.
type Group struct {
	Name string
	ID   uint32 // the group number to join
}

// Group returns the ID of the multicast group named name.
func (f *Family) Group(name string) (uint32, bool) {
	for _, g := range f.Groups {
		if g.Name == name {
			return g.ID, true
		}
	}
	return 0, false
}

// Op returns the command cmd of f and whether f has it.
func (f *Family) Op(cmd uint32) (Op, bool) {
	for _, o := range f.Ops {
		if o.Command == cmd {
			return o, true
		}
	}
	return Op{}, false
}

// op names command cmd of f for errors.
func (f *Family) op(cmd uint8) string {
	if name, ok := f.CommandNames[cmd]; ok {
		return f.Name + " " + name
	}
	return f.Name + " command " + strconv.Itoa(int(cmd))
}

// OpFlags say what a command can do, and who may run it (GENL_* flags).
type OpFlags uint32

// Command flags from <linux/genetlink.h>.
const (
	AdminPerm    OpFlags = uapi.GENL_ADMIN_PERM     // needs CAP_NET_ADMIN
	CanDo        OpFlags = uapi.GENL_CMD_CAP_DO     // runs as a single request
	CanDump      OpFlags = uapi.GENL_CMD_CAP_DUMP   // runs as a dump
	HasPolicy    OpFlags = uapi.GENL_CMD_CAP_HASPOL // has an attribute policy (see Conn.Policy)
	UnsAdminPerm OpFlags = uapi.GENL_UNS_ADMIN_PERM // needs CAP_NET_ADMIN in the namespace's user namespace
)

var opFlagNames = []struct {
	f    OpFlags
	name string
}{{AdminPerm, "admin-perm"}, {CanDo, "do"}, {CanDump, "dump"}, {HasPolicy, "has-policy"}, {UnsAdminPerm, "uns-admin-perm"}}

// String lists the flags, as in "do|dump|has-policy", with unknown bits in
// hexadecimal; "0" for none.
func (f OpFlags) String() string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for _, n := range opFlagNames {
		if f&n.f != 0 {
			parts = append(parts, n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(f)))
	}
	return strings.Join(parts, "|")
}

// ctrlVersion is the version of nlctrl's interface that requests say.
const ctrlVersion = 2

// Family asks nlctrl for the family named name. A name no family has is an
// error wrapping syscall.ENOENT.
//
// Family sends CTRL_CMD_GETFAMILY to nlctrl (type GENL_ID_CTRL) with
// CTRL_ATTR_FAMILY_NAME. The reply is one CTRL_CMD_NEWFAMILY.
func (c *Conn) Family(ctx context.Context, name string) (Family, error) {
	var e netlink.AttrEncoder
	e.Reset(AppendHeader(nil, Header{Command: uapi.CTRL_CMD_GETFAMILY, Version: ctrlVersion}))
	e.String(uapi.CTRL_ATTR_FAMILY_NAME, name)
	data, err := e.Finish()
	if err != nil {
		return Family{}, err
	}
	msgs, err := c.execute(ctx, uapi.GENL_ID_CTRL, "nlctrl GETFAMILY", data)
	if err != nil {
		return Family{}, netlink.WithObject(err, fmt.Sprintf("family %q", name))
	}
	if len(msgs) != 1 {
		return Family{}, fmt.Errorf("genetlink: nlctrl answered family %q with %d messages, want 1: %w", name, len(msgs), netlink.ErrMalformed)
	}
	return ParseFamily(msgs[0])
}

// Families lists the families the kernel has, as `genl ctrl list` does.
// Families that are not available in the Conn's network namespace are not
// listed.
//
// Families sends a CTRL_CMD_GETFAMILY dump request to nlctrl, with no
// attributes. Each CTRL_CMD_NEWFAMILY reply is a Family.
func (c *Conn) Families(ctx context.Context) iter.Seq2[Family, error] {
	return func(yield func(Family, error) bool) {
		data := AppendHeader(nil, Header{Command: uapi.CTRL_CMD_GETFAMILY, Version: ctrlVersion})
		for m, err := range c.dump(ctx, uapi.GENL_ID_CTRL, "nlctrl GETFAMILY", data) {
			var f Family
			if err == nil {
				f, err = ParseFamily(m)
			}
			if !yield(f, err) || err != nil {
				return
			}
		}
	}
}

// ParseFamily reads an nlctrl message describing a family: the reply to
// CTRL_CMD_GETFAMILY, or a CTRL_CMD_NEWFAMILY or CTRL_CMD_DELFAMILY
// notification from nlctrl's "notify" group. The Family owns its memory.
// Traces name the family's messages from then on (see RegisterNamer).
func ParseFamily(m netlink.Message) (Family, error) {
	var f Family
	if _, err := ParseHeader(m.Data); err != nil {
		return f, err
	}
	d := m.AttrDecoder(HeaderLen)
	for d.Next() {
		switch d.Type() {
		case uapi.CTRL_ATTR_FAMILY_ID:
			f.ID = d.Uint16()
		case uapi.CTRL_ATTR_FAMILY_NAME:
			f.Name = d.String()
		case uapi.CTRL_ATTR_VERSION:
			f.Version = d.Uint32()
		case uapi.CTRL_ATTR_HDRSIZE:
			f.HeaderSize = d.Uint32()
		case uapi.CTRL_ATTR_MAXATTR:
			f.MaxAttr = d.Uint32()
		case uapi.CTRL_ATTR_OPS:
			outer := d.Enter()
			for d.Next() {
				var op Op
				inner := d.Enter()
				for d.Next() {
					switch d.Type() {
					case uapi.CTRL_ATTR_OP_ID:
						op.Command = d.Uint32()
					case uapi.CTRL_ATTR_OP_FLAGS:
						op.Flags = OpFlags(d.Uint32())
					}
				}
				d.Exit(inner)
				f.Ops = append(f.Ops, op)
			}
			d.Exit(outer)
		case uapi.CTRL_ATTR_MCAST_GROUPS:
			outer := d.Enter()
			for d.Next() {
				var g Group
				inner := d.Enter()
				for d.Next() {
					switch d.Type() {
					case uapi.CTRL_ATTR_MCAST_GRP_NAME:
						g.Name = d.String()
					case uapi.CTRL_ATTR_MCAST_GRP_ID:
						g.ID = d.Uint32()
					}
				}
				d.Exit(inner)
				f.Groups = append(f.Groups, g)
			}
			d.Exit(outer)
		}
	}
	if err := d.Err(); err != nil {
		return Family{}, fmt.Errorf("genetlink: family %q: %w", f.Name, err)
	}
	learnID(f.ID, f.Name)
	return f, nil
}
