package genltest

import (
	"bytes"
	"encoding/binary"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/nltest"
)

// This file is nlctrl, the controller family: what the kernel's
// ctrl_getfamily, ctrl_dumpfamily, ctrl_dumppolicy_start and
// genl_ctrl_event do.

// getFamily answers CTRL_CMD_GETFAMILY: the family of CTRL_ATTR_FAMILY_NAME,
// else of CTRL_ATTR_FAMILY_ID; EINVAL with neither, ENOENT for no family.
func (k *Kernel) getFamily(req *Request) ([]Message, error) {
	r, err := k.lookup(req)
	if err != nil {
		return nil, err
	}
	b, err := describe(r)
	return []Message{{Command: ctrlCmdNewFamily, Data: b}}, err
}

// dumpFamilies answers CTRL_CMD_GETFAMILY as a dump: every family, by ID.
// The kernel's dump takes no attributes.
func (k *Kernel) dumpFamilies(*Request) ([]Message, error) {
	k.mu.Lock()
	regs := make([]*registration, 0, len(k.families))
	for _, r := range k.families {
		regs = append(regs, r)
	}
	k.mu.Unlock()
	slices.SortFunc(regs, func(a, b *registration) int { return int(a.id) - int(b.id) })
	msgs := make([]Message, len(regs))
	for i, r := range regs {
		b, err := describe(r)
		if err != nil {
			return nil, err
		}
		msgs[i] = Message{Command: ctrlCmdNewFamily, Data: b}
	}
	return msgs, nil
}

// getPolicy answers CTRL_CMD_GETPOLICY for a family that, as every family
// of the fake, has no attribute policy: ENODATA, as the kernel does for
// those, after the same checks as getFamily.
func (k *Kernel) getPolicy(req *Request) ([]Message, error) {
	if _, err := k.lookup(req); err != nil {
		return nil, err
	}
	return nil, errNoData
}

// lookup finds the family a GETFAMILY or GETPOLICY request names, after
// checking its attributes against nlctrl's policy (CTRL_ATTR_FAMILY_ID a
// u16, CTRL_ATTR_FAMILY_NAME a NUL-terminated string of at most 15 bytes)
// as the kernel's liberal validation does: attributes of other types, and
// bytes after the last whole attribute, are ignored; the last of two of a
// kind counts.
func (k *Kernel) lookup(req *Request) (*registration, error) {
	var id, name []byte
	pos := netlink.HeaderLen + len(req.Message.Data) - len(req.Attrs)
	for a, err := range netlink.Attrs(req.Attrs) {
		if err != nil {
			break
		}
		switch a.Type {
		case ctrlAttrFamilyID:
			if len(a.Data) < 2 {
				return nil, policyError(syscall.ERANGE, pos)
			}
			id = a.Data
		case ctrlAttrFamilyName:
			if errno := checkName(a.Data); errno != 0 {
				return nil, policyError(errno, pos)
			}
			name = a.Data
		}
		pos += netlink.AttrSpace(len(a.Data))
	}
	if id == nil && name == nil {
		return nil, syscall.EINVAL
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	var r *registration
	if id != nil {
		r = k.families[binary.NativeEndian.Uint16(id)]
	}
	if name != nil {
		s, _, _ := bytes.Cut(name, []byte{0})
		r = nil
		for _, o := range k.families {
			if o.name == string(s) {
				r = o
			}
		}
	}
	if r == nil {
		return nil, syscall.ENOENT
	}
	return r, nil
}

// checkName checks a family name as NLA_NUL_STRING of length 15 does.
func checkName(b []byte) syscall.Errno {
	if i := bytes.IndexByte(b, 0); i < 0 || i >= genlNameSize {
		return syscall.EINVAL
	}
	if n := len(b); n > genlNameSize || n == genlNameSize && b[n-1] != 0 {
		return syscall.ERANGE
	}
	return 0
}

// policyError is the kernel's refusal of the attribute at offset pos.
func policyError(errno syscall.Errno, pos int) error {
	return &nltest.Error{Errno: errno, Message: "Attribute failed policy validation", Offset: pos}
}

// describe encodes r as ctrl_fill_info does: name, ID, version, header
// size, highest attribute, then the ops and the multicast groups in nests
// that, as the kernel's, do not set NLA_F_NESTED. Register's limits keep
// it within the 64 KiB an attribute can hold; should they not, the error
// wraps netlink.ErrAttrTooLarge.
func describe(r *registration) ([]byte, error) {
	var e netlink.AttrEncoder
	e.String(ctrlAttrFamilyName, r.name)
	e.Uint16(ctrlAttrFamilyID, r.id)
	e.Uint32(ctrlAttrVersion, r.version)
	e.Uint32(ctrlAttrHdrSize, r.headerSize)
	e.Uint32(ctrlAttrMaxAttr, r.maxAttr)
	var nests []int
	if len(r.ops) > 0 {
		ops := e.Nest(ctrlAttrOps)
		for i, op := range r.ops {
			flags := op.Flags &^ (genetlink.CanDo | genetlink.CanDump | genetlink.HasPolicy)
			if op.Do != nil {
				flags |= genetlink.CanDo
			}
			if op.Dump != nil {
				flags |= genetlink.CanDump
			}
			n := e.Nest(uint16(i + 1))
			e.Uint32(ctrlAttrOpID, uint32(op.Command))
			e.Uint32(ctrlAttrOpFlags, uint32(flags))
			e.End(n)
			nests = append(nests, n)
		}
		e.End(ops)
		nests = append(nests, ops)
	}
	if len(r.groups) > 0 {
		groups := e.Nest(ctrlAttrMcastGroups)
		for i := range r.groups {
			nests = append(nests, appendGroup(&e, r, i, i+1))
		}
		e.End(groups)
		nests = append(nests, groups)
	}
	b, err := e.Finish()
	if err != nil {
		return nil, err
	}
	return noNestedFlag(b, nests), nil
}

// appendGroup appends group i of r as nest n, and returns the nest's
// offset.
func appendGroup(e *netlink.AttrEncoder, r *registration, i, n int) int {
	g := e.Nest(uint16(n))
	e.Uint32(ctrlAttrMcastGrpID, r.groupIDs[i])
	e.String(ctrlAttrMcastGrpName, r.groups[i])
	e.End(g)
	return g
}

// noNestedFlag clears NLA_F_NESTED in the attributes of b at offsets.
func noNestedFlag(b []byte, offsets []int) []byte {
	for _, off := range offsets {
		t := binary.NativeEndian.Uint16(b[off+2:])
		binary.NativeEndian.PutUint16(b[off+2:], t&^netlink.AttrNested)
	}
	return b
}

// ctrlEvent notifies nlctrl's "notify" group of event for r: the whole
// family for CTRL_CMD_NEWFAMILY and DELFAMILY, its name, ID and group i
// for CTRL_CMD_NEWMCAST_GRP and DELMCAST_GRP.
func (k *Kernel) ctrlEvent(event uint8, r *registration, i int) {
	var data []byte
	var err error
	if i < 0 {
		data, err = describe(r)
	} else {
		var e netlink.AttrEncoder
		e.String(ctrlAttrFamilyName, r.name)
		e.Uint16(ctrlAttrFamilyID, r.id)
		groups := e.Nest(ctrlAttrMcastGroups)
		g := appendGroup(&e, r, i, 1)
		e.End(groups)
		if data, err = e.Finish(); err == nil {
			data = noNestedFlag(data, []int{g, groups})
		}
	}
	if err != nil {
		return // as the kernel, which sends no event it cannot build
	}
	ctrl := k.ctrl.reg.Load()
	k.nl.Notify(genlIDCtrl, ctrl.message(Message{Command: event, Data: data}))
}
