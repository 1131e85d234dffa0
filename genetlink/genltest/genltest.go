// Package genltest is a fake generic netlink kernel for unit tests of code
// that uses package genetlink or a typed family package built on it
// (genetlink/ethtool, genetlink/netdev, genetlink/taskstats, or one of the
// test's own). It needs no root and no kernel module: the families are the
// test's, registered from their ops, and the Conns are genetlink.Conns
// that talk to them in memory.
//
// The Kernel runs the controller, nlctrl, as the kernel does: family ID
// 0x10, its "notify" multicast group 0x10, CTRL_CMD_GETFAMILY by name, by
// ID and as a dump, with the attributes the kernel sends, and
// CTRL_CMD_NEWFAMILY, DELFAMILY, NEWMCAST_GRP and DELMCAST_GRP
// notifications when families come and go. Register gives a family its ID
// and its multicast groups theirs as the kernel does (IDs from 0x13 up,
// taken in turn; groups in the lowest free block). A request then goes
// where the kernel sends it: to the family whose ID is its message type
// (ENOENT if none), to the handler of its command's do or dump (EOPNOTSUPP
// if the family has none), after the checks the kernel makes first (a
// payload too short for the headers is EINVAL; a command that needs
// CAP_NET_ADMIN is EPERM once SetNetAdmin(false) took it away).
//
// A family registered with its spec (Family.Spec, the Spec of a package
// generated under genetlink/ynl) has its requests checked against it as
// the kernel checks them against the policy it generates from the spec:
// what the kernel would refuse is refused before the handler runs, with
// the kernel's errno (EINVAL, ERANGE), an extended ACK message and the
// offset of the bad attribute.
//
// What the fake does not model: attribute policies in nlctrl (no op says
// has-policy, CTRL_CMD_GETPOLICY answers ENODATA as the kernel does for a
// family without policies, and handlers of a family without a Spec see
// the attributes as sent and refuse what they must); network namespaces (every family is in
// every Conn's namespace); and the kernel loading a module for a family it
// does not have. Below genetlink, the byte-level fake of package nltest
// runs the sockets: sequence numbers, ACKs, multipart dumps in 4 KiB
// datagrams, extended ACKs, echoes, overruns (Netlink gives it to the
// test).
package genltest

import (
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/nltest"
)

// Kernel is a fake generic netlink kernel. Its methods are safe for
// concurrent use, and handlers may call them.
type Kernel struct {
	nl   *nltest.Kernel
	ctrl *Family

	mu       sync.Mutex
	families map[uint16]*registration // by ID
	lastID   uint16                   // the family ID given out last
	groups   map[uint32]bool          // the multicast group IDs in use
	noAdmin  bool                     // Conns lack CAP_NET_ADMIN
}

// New returns a fake kernel with nlctrl alone registered.
func New() *Kernel {
	k := &Kernel{families: map[uint16]*registration{}, lastID: genlStartAlloc - 1, groups: map[uint32]bool{}}
	for _, g := range reservedGroups {
		k.groups[g] = true
	}
	k.nl = nltest.New(netlinkGeneric, k.handle)
	k.ctrl = &Family{
		Name:    "nlctrl",
		Version: ctrlVersion,
		Groups:  []string{"notify"},
		Ops: []Op{
			{Command: ctrlCmdGetFamily, Do: k.getFamily, Dump: k.dumpFamilies},
			{Command: ctrlCmdGetPolicy, Dump: k.getPolicy},
		},
	}
	k.register(k.ctrl, genlIDCtrl, []uint32{genlIDCtrl})
	return k
}

// Dial returns a generic netlink Conn on the fake kernel, made from cfg
// (which may be nil) as nltest.Kernel.Dial makes one. Its NL field is the
// raw netlink Conn.
func (k *Kernel) Dial(cfg *netlink.Config) (*genetlink.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return genetlink.New(nl), nil
}

// Netlink returns the byte-level fake kernel that runs the Kernel's
// sockets, to overflow Conns' receive queues (Overrun) or send
// notifications made by hand (Notify).
func (k *Kernel) Netlink() *nltest.Kernel { return k.nl }

// SetNetAdmin says whether the Conns have CAP_NET_ADMIN, as they do at
// first. Without it, a command whose Op.Flags has genetlink.AdminPerm or
// genetlink.UnsAdminPerm fails with EPERM before its handler runs.
func (k *Kernel) SetNetAdmin(admin bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.noAdmin = !admin
}

// handle answers one request as the kernel's genl_rcv_msg does.
func (k *Kernel) handle(m netlink.Message) ([]netlink.Message, error) {
	k.mu.Lock()
	r, admin := k.families[uint16(m.Header.Type)], !k.noAdmin
	k.mu.Unlock()
	if r == nil {
		return nil, syscall.ENOENT
	}
	hdrlen := genlHeaderLen + int(r.headerSize)
	if len(m.Data) < hdrlen {
		return nil, syscall.EINVAL
	}
	dump := m.Header.Flags&netlink.Dump == netlink.Dump
	op, ok := r.op(m.Data[0])
	h := op.Do
	if dump {
		h = op.Dump
	}
	if !ok || h == nil {
		return nil, syscall.EOPNOTSUPP
	}
	if op.Flags&(genetlink.AdminPerm|genetlink.UnsAdminPerm) != 0 && !admin {
		return nil, syscall.EPERM
	}
	if r.spec != nil {
		if err := r.spec.CheckRequest(m.Data[0], dump, m.Data[hdrlen:]); err != nil {
			var re *ynl.RequestError
			if errors.As(err, &re) {
				return nil, &nltest.Error{Errno: re.Errno, Message: re.Path + ": " + re.Reason, Offset: netlink.HeaderLen + hdrlen + re.Offset}
			}
			return nil, err
		}
	}
	req := &Request{
		Header:  genetlink.Header{Command: m.Data[0], Version: m.Data[1]},
		Fixed:   m.Data[genlHeaderLen:hdrlen],
		Attrs:   m.Data[hdrlen:],
		Dump:    dump,
		Message: m,
		reg:     r,
	}
	replies, err := h(req)
	msgs := make([]netlink.Message, len(replies))
	for i, m := range replies {
		msgs[i] = r.message(m)
	}
	return msgs, err
}

// errFamily makes the error of Register, Unregister or Notify for family
// name.
func errFamily(op, name, why string, errno syscall.Errno) error {
	return fmt.Errorf("genltest: %s family %q: %s: %w", op, name, why, errno)
}
