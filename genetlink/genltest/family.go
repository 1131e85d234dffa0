package genltest

import (
	"fmt"
	"slices"
	"sync/atomic"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
)

// Family is a generic netlink family as a kernel module registers it
// (struct genl_family with its ops and multicast groups). Fill in the
// exported fields and pass it to Kernel.Register, which gives it an ID and
// its groups theirs; Register copies the fields, so changing them later
// changes nothing. A Family is used by its address, and not copied.
type Family struct {
	Name       string   // shorter than 16 bytes (GENL_NAMSIZ)
	Version    uint32   // sent in the header of every message of the family: at most 255, as genlmsghdr has a byte for it
	HeaderSize uint32   // the size of the family's own fixed header after genlmsghdr, usually 0; less than 64 KiB
	MaxAttr    uint32   // reported by nlctrl; the fake does not check attributes against it
	Groups     []string // multicast group names, each shorter than 16 bytes
	Ops        []Op     // the commands, each with a do or a dump handler or both

	// Spec, if not nil, is the family's spec (a generated package's Spec):
	// each request is checked against it before its handler runs
	// (ynl.Family.CheckRequest), and what the kernel's policy would refuse
	// is refused with the kernel's errno, an extended ACK message and the
	// offset of the bad attribute.
	Spec *ynl.Family

	reg atomic.Pointer[registration] // set by Register, cleared by Unregister
}

// registration is a registered family: what Register copied from the
// Family, and what it gave it. It does not change, so a request can use it
// while the family goes.
type registration struct {
	k          *Kernel
	id         uint16
	name       string
	version    uint32
	headerSize uint32
	maxAttr    uint32
	groups     []string
	groupIDs   []uint32
	ops        []Op
	spec       *ynl.Family
}

// Op is a command of a family (struct genl_ops): its handlers and its
// flags.
type Op struct {
	Command uint8
	// Flags may say genetlink.AdminPerm or genetlink.UnsAdminPerm (see
	// Kernel.SetNetAdmin). nlctrl reports them with genetlink.CanDo and
	// genetlink.CanDump set for the handlers the Op has, and without
	// genetlink.HasPolicy: no family of the fake has a policy.
	Flags genetlink.OpFlags
	Do    Handler // answers requests without NLM_F_DUMP, or nil
	Dump  Handler // answers dump requests, or nil
}

// A Handler answers one request to its command. It returns the replies,
// which the Kernel sends as messages of the family, or an error: a
// syscall.Errno, or an *nltest.Error with an extended ACK message and the
// offset of the bad attribute (Request.Offset); any other error is EINVAL,
// with its text as the extended ACK message. Replies are sent as
// nltest.Handler says: a do's each in a datagram of its own, then the ACK;
// a dump's as a multipart dump ended by NLMSG_DONE. A Handler runs on the
// goroutine that sends the request, one request at a time.
type Handler func(req *Request) ([]Message, error)

// Message is a reply or a notification of a family. The Kernel adds the
// netlink header (the family's ID as its type) and the genlmsghdr (Command
// and the family's version).
type Message struct {
	Command uint8
	Data    []byte              // the family's fixed header, if it has one, then the attributes
	Flags   netlink.HeaderFlags // netlink flags to set, such as netlink.DumpInterrupted on a dump's reply
}

// Request is a request to a family's command, as its Handler gets it. Its
// slices alias the sender's buffer: they are valid until the Handler
// returns.
type Request struct {
	Header  genetlink.Header // the command and the version the sender said
	Fixed   []byte           // the family's fixed header (Family.HeaderSize bytes)
	Attrs   []byte           // the attributes after it, as sent: decode them with netlink.NewAttrDecoder
	Dump    bool             // the request is a dump (NLM_F_DUMP)
	Message netlink.Message  // the whole request

	reg *registration
}

// Offset returns the offset of the first top-level attribute of type typ
// in the request, counted from the start of its netlink header as an extended
// ACK's NLMSGERR_ATTR_OFFS is, or 0 when the request has none: the Offset
// of an *nltest.Error that blames it.
func (r *Request) Offset(typ uint16) int {
	pos := netlink.HeaderLen + len(r.Message.Data) - len(r.Attrs)
	for a, err := range netlink.Attrs(r.Attrs) {
		if err != nil {
			break
		}
		if a.Type == typ {
			return pos
		}
		pos += netlink.AttrSpace(len(a.Data))
	}
	return 0
}

// Report sends m to the family's multicast group named group as the
// notification of the change the request made: the Conns in the group get
// it with the request's sequence number and port ID, and the sender gets it
// instead as an echo when it asked for NLM_F_ECHO (see nltest.Kernel.Report).
// A Handler calls it before it returns, so that the notification comes
// before the ACK.
func (r *Request) Report(group string, m Message) error {
	id, err := r.reg.group("report", group)
	if err != nil {
		return err
	}
	r.reg.k.nl.Report(r.Message, id, r.reg.message(m))
	return nil
}

// Register registers f, as genl_register_family does: it checks f, gives
// it the next free family ID (taken in turn from 0x13 up, so a freed ID
// comes back only after the others), and gives its multicast groups the
// lowest block of free group IDs; then nlctrl notifies its "notify" group
// of the new family and of each of its groups. A name another family has
// is an error wrapping EEXIST; a family with no name or too long a name,
// a version over 255, a header size of 64 KiB or more, an op with no
// handler, two ops with one command, more than 1024 groups,
// or a group with no name, too long a name or the name of another of its
// groups, EINVAL; a Family
// registered already, EBUSY.
func (k *Kernel) Register(f *Family) error {
	if err := f.check(); err != nil {
		return err
	}
	k.mu.Lock()
	if f.reg.Load() != nil {
		k.mu.Unlock()
		return errFamily("register", f.Name, "already registered", syscall.EBUSY)
	}
	for _, o := range k.families {
		if o.name == f.Name {
			k.mu.Unlock()
			return errFamily("register", f.Name, "a family has that name", syscall.EEXIST)
		}
	}
	id, ok := k.freeID()
	if !ok {
		k.mu.Unlock()
		return errFamily("register", f.Name, "no family ID left", syscall.ENOSPC)
	}
	r := k.register(f, id, k.freeGroups(len(f.Groups)))
	k.mu.Unlock()

	k.ctrlEvent(ctrlCmdNewFamily, r, -1)
	for i := range r.groups {
		k.ctrlEvent(ctrlCmdNewMcastGrp, r, i)
	}
	return nil
}

// register records that f has id and groups; k.mu is held.
func (k *Kernel) register(f *Family, id uint16, groups []uint32) *registration {
	r := &registration{
		k: k, id: id, name: f.Name, version: f.Version, headerSize: f.HeaderSize, maxAttr: f.MaxAttr,
		groups: slices.Clone(f.Groups), groupIDs: groups, ops: slices.Clone(f.Ops), spec: f.Spec,
	}
	k.families[id] = r
	f.reg.Store(r)
	return r
}

// Unregister removes f, as genl_unregister_family does: nlctrl notifies
// its "notify" group of each of f's multicast groups going, then of the
// family; requests to its ID fail with ENOENT from then on. Conns that
// joined its groups stay joined (the kernel makes them leave). A family not
// registered is an error wrapping ENOENT. nlctrl cannot be unregistered.
func (k *Kernel) Unregister(f *Family) error {
	k.mu.Lock()
	r := f.reg.Load()
	if r == nil || r.k != k || r.id == genlIDCtrl {
		k.mu.Unlock()
		return errFamily("unregister", f.Name, "not registered", syscall.ENOENT)
	}
	delete(k.families, r.id)
	for _, g := range r.groupIDs {
		delete(k.groups, g)
	}
	f.reg.Store(nil)
	k.mu.Unlock()

	for i := range r.groups {
		k.ctrlEvent(ctrlCmdDelMcastGrp, r, i)
	}
	k.ctrlEvent(ctrlCmdDelFamily, r, -1)
	return nil
}

// ID returns the family's ID, or 0 when it is not registered.
func (f *Family) ID() uint16 {
	if r := f.reg.Load(); r != nil {
		return r.id
	}
	return 0
}

// Group returns the ID of f's multicast group named name, and whether f is
// registered and has it.
func (f *Family) Group(name string) (uint32, bool) {
	r := f.reg.Load()
	if r == nil {
		return 0, false
	}
	id, err := r.group("group", name)
	return id, err == nil
}

// Notify sends m to the Conns that joined f's multicast group named group
// (with genetlink.Conn.JoinGroup, or by its ID), as the kernel sends a
// notification no request caused: sequence number and port ID 0. A family
// not registered, or an unknown group, is an error wrapping ENOENT.
func (f *Family) Notify(group string, m Message) error {
	r := f.reg.Load()
	if r == nil {
		return errFamily("notify", f.Name, "not registered", syscall.ENOENT)
	}
	id, err := r.group("notify", group)
	if err != nil {
		return err
	}
	r.k.nl.Notify(id, r.message(m))
	return nil
}

// group returns the ID of r's group name, for operation op.
func (r *registration) group(op, name string) (uint32, error) {
	if i := slices.Index(r.groups, name); i >= 0 {
		return r.groupIDs[i], nil
	}
	return 0, errFamily(op, r.name, fmt.Sprintf("no multicast group %q", name), syscall.ENOENT)
}

// op returns r's op for command cmd.
func (r *registration) op(cmd uint8) (Op, bool) {
	i := slices.IndexFunc(r.ops, func(o Op) bool { return o.Command == cmd })
	if i < 0 {
		return Op{}, false
	}
	return r.ops[i], true
}

// message makes m a netlink message of r's family.
func (r *registration) message(m Message) netlink.Message {
	data := genetlink.AppendHeader(make([]byte, 0, genlHeaderLen+len(m.Data)), genetlink.Header{Command: m.Command, Version: uint8(r.version)})
	return netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(r.id), Flags: m.Flags},
		Data:   append(data, m.Data...),
	}
}

// maxGroups keeps a family's description within the 64 KiB of an
// attribute: each group takes at most 32 bytes of it.
const maxGroups = 1024

// check refuses what genl_register_family refuses, and duplicate group
// names, which the kernel takes but no one could join by name.
func (f *Family) check() error {
	if f.Name == "" || len(f.Name) >= genlNameSize {
		return errFamily("register", f.Name, "a name must have 1 to 15 bytes", syscall.EINVAL)
	}
	if f.Version > 0xff || f.HeaderSize > 0xffff {
		return errFamily("register", f.Name, fmt.Sprintf("version %d must fit in a byte, and header size %d in 16 bits", f.Version, f.HeaderSize), syscall.EINVAL)
	}
	for i, op := range f.Ops {
		if op.Do == nil && op.Dump == nil {
			return errFamily("register", f.Name, fmt.Sprintf("command %d has no handler", op.Command), syscall.EINVAL)
		}
		if slices.ContainsFunc(f.Ops[:i], func(o Op) bool { return o.Command == op.Command }) {
			return errFamily("register", f.Name, fmt.Sprintf("command %d is there twice", op.Command), syscall.EINVAL)
		}
	}
	if len(f.Groups) > maxGroups {
		return errFamily("register", f.Name, fmt.Sprintf("%d multicast groups: the fake takes at most %d", len(f.Groups), maxGroups), syscall.EINVAL)
	}
	for i, g := range f.Groups {
		if g == "" || len(g) >= genlNameSize || slices.Contains(f.Groups[:i], g) {
			return errFamily("register", f.Name, fmt.Sprintf("multicast group %q: a name must have 1 to 15 bytes, and be the family's only group of that name", g), syscall.EINVAL)
		}
	}
	return nil
}

// freeID returns the family ID after the last one given out that no
// family has, wrapping to GENL_START_ALLOC, as idr_alloc_cyclic does;
// k.mu is held.
func (k *Kernel) freeID() (uint16, bool) {
	for range genlMaxID - genlStartAlloc + 1 {
		k.lastID++
		if k.lastID > genlMaxID {
			k.lastID = genlStartAlloc
		}
		if k.families[k.lastID] == nil {
			return k.lastID, true
		}
	}
	return 0, false
}

// freeGroups takes the lowest block of n free multicast group IDs, as
// genl_allocate_reserve_groups does; k.mu is held.
func (k *Kernel) freeGroups(n int) []uint32 {
	if n == 0 {
		return nil
	}
	for first := uint32(1); ; first++ {
		free := true
		for id := first; id < first+uint32(n); id++ {
			if k.groups[id] {
				free = false
				break
			}
		}
		if free {
			ids := make([]uint32, n)
			for i := range ids {
				ids[i] = first + uint32(i)
				k.groups[ids[i]] = true
			}
			return ids
		}
	}
}
