package rtnltest

import (
	"encoding/binary"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// defaultRules are the rules of a fresh namespace.
func defaultRules() []rtnetlink.Rule {
	r := func(fam int, prio, table uint32) rtnetlink.Rule {
		return rtnetlink.Rule{Family: fam, Priority: prio, Table: table, Action: frActToTbl, Protocol: rtprotKernel}
	}
	return []rtnetlink.Rule{
		r(afInet, 0, rtTableLocal), r(afInet, 32766, rtTableMain), r(afInet, 32767, rtTableDefault),
		r(afInet6, 0, rtTableLocal), r(afInet6, 32766, rtTableMain),
	}
}

// ruleMsg encodes r as the kernel's RTM_NEWRULE payload, with
// FIB_RULE_UNRESOLVED on a goto rule whose target is missing and
// FIB_RULE_IIF/OIF_DETACHED on a rule whose link is missing.
func (k *Kernel) ruleMsg(r *rtnetlink.Rule) []byte {
	b := make([]byte, sizeofRuleHdr, 96)
	b[0] = uint8(r.Family)
	if r.Dst.IsValid() {
		b[1] = uint8(r.Dst.Bits())
	}
	if r.Src.IsValid() {
		b[2] = uint8(r.Src.Bits())
	}
	b[3] = r.TOS
	b[4] = 252 // RT_TABLE_COMPAT
	if r.Table < 256 {
		b[4] = uint8(r.Table)
	}
	b[7] = uint8(r.Action)
	flags := r.Flags
	if r.Action == frActGoto && !slices.ContainsFunc(k.rules, func(o rtnetlink.Rule) bool { return o.Family == r.Family && o.Priority == r.Goto }) {
		flags |= fibRuleUnresolved
	}
	if r.IIF != "" && k.linkByName(r.IIF) == nil {
		flags |= fibRuleIIFDetached
	}
	if r.OIF != "" && k.linkByName(r.OIF) == nil {
		flags |= fibRuleOIFDetached
	}
	binary.NativeEndian.PutUint32(b[8:], uint32(flags))
	e := netlink.NewAttrEncoder(b)
	e.Uint32(fraTable, r.Table)
	if r.Priority != 0 {
		e.Uint32(fraPriority, r.Priority)
	}
	if r.Src.IsValid() {
		e.Addr(fraSrc, r.Src.Addr())
	}
	if r.Dst.IsValid() {
		e.Addr(fraDst, r.Dst.Addr())
	}
	if r.IIF != "" {
		e.String(fraIIFName, r.IIF)
	}
	if r.OIF != "" {
		e.String(fraOIFName, r.OIF)
	}
	if r.Mark != 0 || r.Mask != 0 {
		e.Uint32(fraFwMark, r.Mark)
		e.Uint32(fraFwMask, r.Mask)
	}
	if r.Goto != 0 {
		e.Uint32(fraGoto, r.Goto)
	}
	e.Uint8(fraProtocol, uint8(r.Protocol))
	putRuleSelectors(e, r, k.ruleAttrMax == 0 || k.ruleAttrMax >= fraDSCPMask)
	e.RawAttrs(r.Other) // the selectors the fake does not model (uidrange, ipproto, ...), kept as sent
	out, _ := e.Finish()
	return out
}

// putRuleSelectors appends the selectors and settings of r that the
// kernel reports when they are set, as it encodes them: the uid and port
// ranges as structs, the tunnel id and flow label big-endian, the
// suppressors as -1 when unset, the DSCP with its mask (0x3f by default)
// if dscpMask (kernels before 6.16 report none).
func putRuleSelectors(e *netlink.AttrEncoder, r *rtnetlink.Rule, dscpMask bool) {
	if r.HasUIDRange {
		var b [8]byte
		binary.NativeEndian.PutUint32(b[:], r.UIDRange.Start)
		binary.NativeEndian.PutUint32(b[4:], r.UIDRange.End)
		e.Bytes(fraUIDRange, b[:])
	}
	if r.IPProto != 0 {
		e.Uint8(fraIPProto, r.IPProto)
	}
	for _, p := range []struct {
		typ, maskTyp uint16
		r            rtnetlink.PortRange
		mask         uint16
	}{{fraSPortRange, fraSPortMask, r.SPort, r.SPortMask}, {fraDPortRange, fraDPortMask, r.DPort, r.DPortMask}} {
		if p.r != (rtnetlink.PortRange{}) {
			var b [4]byte
			binary.NativeEndian.PutUint16(b[:], p.r.Start)
			binary.NativeEndian.PutUint16(b[2:], p.r.End)
			e.Bytes(p.typ, b[:])
		}
		if p.mask != 0 {
			e.Uint16(p.maskTyp, p.mask)
		}
	}
	suppress := func(typ uint16, v uint32, set bool) {
		if !set {
			v = 0xffffffff
		}
		e.Uint32(typ, v)
	}
	suppress(fraSuppressPrefixLen, r.SuppressPrefixLen, r.HasSuppressPrefixLen)
	suppress(fraSuppressIfGroup, r.SuppressIfGroup, r.HasSuppressIfGroup)
	if r.L3MDev {
		e.Uint8(fraL3MDev, 1)
	}
	if r.TunID != 0 {
		e.Uint64BE(fraTunID, r.TunID)
	}
	if r.Realms != 0 {
		e.Uint32(fraFlow, r.Realms)
	}
	if r.DSCP != 0 || r.DSCPMask != 0 {
		mask := r.DSCPMask
		if mask == 0 {
			mask = 0x3f
		}
		e.Uint8(fraDSCP, r.DSCP)
		if dscpMask {
			e.Uint8(fraDSCPMask, mask)
		}
	}
	if r.FlowLabelMask != 0 {
		e.Uint32BE(fraFlowLabel, r.FlowLabel)
		e.Uint32BE(fraFlowLabelMask, r.FlowLabelMask)
	}
}

// dumpRules answers the RTM_GETRULE dump, by family.
func (k *Kernel) dumpRules(req netlink.Message) ([]netlink.Message, error) {
	var fam int
	if len(req.Data) > 0 {
		fam = int(req.Data[0])
	}
	var out []netlink.Message
	for _, r := range k.rules {
		if fam == afUnspec || r.Family == fam {
			out = append(out, netlink.Message{Header: netlink.Header{Type: rtmNewRule}, Data: k.ruleMsg(&r)})
		}
	}
	return out, nil
}

// ruleRequest answers RTM_NEWRULE and RTM_DELRULE.
func (k *Kernel) ruleRequest(req netlink.Message) error {
	if len(req.Data) < sizeofRuleHdr {
		return syscall.EINVAL
	}
	if f := req.Data[0]; f != afInet && f != afInet6 {
		return fail(syscall.EAFNOSUPPORT, "Rule family not supported")
	}
	as, err := attrs(req.Data, sizeofRuleHdr)
	if err != nil {
		return malformed(err)
	}
	r, err := rtnetlink.ParseRule(netlink.Message{Header: netlink.Header{Type: req.Header.Type}, Data: req.Data})
	if err != nil {
		return malformed(err)
	}
	// ParseRule sets HasPriority, as a listing has it; in a request, a
	// priority is one when FRA_PRIORITY is there.
	r.HasPriority = find(as, fraPriority) != nil
	// FRA_DSCP 0 without a mask (ip's "dscp 0"), which ParseRule keeps
	// in Other since the fields cannot say it, selects DSCP 0 here as in
	// the kernel.
	dscpZero := find(as, fraDSCP) != nil && r.DSCP == 0 && r.DSCPMask == 0
	if dscpZero {
		r.Other = withoutRuleAttrs(r.Other, fraDSCP, fraDSCPMask)
	}
	if req.Header.Type == rtmDelRule {
		return k.delRule(&r, dscpZero)
	}
	if dscpZero {
		r.DSCPMask = 0x3f
	}
	return k.newRule(r, r.HasPriority, req.Header.Flags, true)
}

// withoutRuleAttrs returns other without the attributes of the types
// drop.
func withoutRuleAttrs(other rtnetlink.RawAttrs, drop ...uint16) rtnetlink.RawAttrs {
	as, err := attrs([]byte(other), 0)
	if err != nil {
		return other
	}
	var b []byte
	for _, a := range as {
		if !slices.Contains(drop, a.typ) {
			b = netlink.Attr{Type: a.typ, Data: a.data}.Append(b)
		}
	}
	return rtnetlink.RawAttrs(b)
}

// newRule adds r; without a priority it gets the kernel's default, one
// below the second rule's.
func (k *Kernel) newRule(r rtnetlink.Rule, hasPrio bool, flags netlink.HeaderFlags, main bool) error {
	if r.Mark != 0 && r.Mask == 0 {
		r.Mask = 0xffffffff
	}
	if r.FlowLabel != 0 && r.FlowLabelMask == 0 {
		r.FlowLabelMask = 0xfffff
	}
	if (r.DSCP != 0 || r.DSCPMask != 0) && r.DSCPMask == 0 {
		r.DSCPMask = 0x3f
	}
	if r.Action == rtnetlink.RuleUnspec {
		return fail(syscall.EINVAL, "Invalid action")
	}
	r.HasPriority = true // every rule has one, as Rules lists it
	if !hasPrio {
		var fam []rtnetlink.Rule
		for _, o := range k.rules {
			if o.Family == r.Family {
				fam = append(fam, o)
			}
		}
		if len(fam) > 1 && fam[1].Priority > 0 {
			r.Priority = fam[1].Priority - 1
		}
	}
	if r.Action == frActGoto {
		switch {
		case r.Goto == 0:
			return fail(syscall.EINVAL, "Missing goto target for action goto")
		case r.Goto <= r.Priority:
			return fail(syscall.EINVAL, "Backward goto not supported")
		}
	}
	switch {
	case r.L3MDev && r.Table != 0:
		return fail(syscall.EINVAL, "l3mdev and table are mutually exclusive")
	case r.Action == frActToTbl && r.Table == 0 && !r.L3MDev:
		r.Table = rtTableMain
	}
	if flags&netlink.Excl != 0 && slices.Contains(k.rules, r) {
		return syscall.EEXIST
	}
	i := 0
	for i < len(k.rules) && (k.rules[i].Family != r.Family || k.rules[i].Priority <= r.Priority) {
		i++
	}
	// Keep the families apart as the kernel's lists are: place r after
	// the last rule of its family at or below its priority.
	for i > 0 && k.rules[i-1].Family != r.Family {
		i--
	}
	k.rules = slices.Insert(k.rules, i, r)
	k.notify(groupOf(uint8(r.Family), grpIPv4Rule, grpIPv6Rule), rtmNewRule, k.ruleMsg(&r), main)
	return nil
}

// delRule deletes the first rule that matches r: its family, and the other
// fields that are set (a DSCP of 0 too when dscpZero says the request
// had one). The attributes the fake does not model (Other) match as a
// whole.
func (k *Kernel) delRule(r *rtnetlink.Rule, dscpZero bool) error {
	for i, o := range k.rules {
		switch {
		case o.Family != r.Family,
			r.HasPriority && o.Priority != r.Priority, // FRA_PRIORITY, 0 too, as rule_find compares it
			r.Action != 0 && o.Action != r.Action,
			r.Table != 0 && o.Table != r.Table,
			r.Src.IsValid() && o.Src != r.Src, r.Dst.IsValid() && o.Dst != r.Dst,
			r.IIF != "" && o.IIF != r.IIF, r.OIF != "" && o.OIF != r.OIF,
			r.Mark != 0 && o.Mark != r.Mark, r.TOS != 0 && o.TOS != r.TOS,
			r.Goto != 0 && o.Goto != r.Goto, r.Protocol != 0 && o.Protocol != r.Protocol,
			r.HasUIDRange && (!o.HasUIDRange || o.UIDRange != r.UIDRange),
			r.IPProto != 0 && o.IPProto != r.IPProto,
			r.SPort != (rtnetlink.PortRange{}) && o.SPort != r.SPort, r.DPort != (rtnetlink.PortRange{}) && o.DPort != r.DPort,
			r.SPortMask != 0 && o.SPortMask != r.SPortMask, r.DPortMask != 0 && o.DPortMask != r.DPortMask,
			r.HasSuppressPrefixLen && (!o.HasSuppressPrefixLen || o.SuppressPrefixLen != r.SuppressPrefixLen),
			r.HasSuppressIfGroup && (!o.HasSuppressIfGroup || o.SuppressIfGroup != r.SuppressIfGroup),
			r.L3MDev && !o.L3MDev, r.TunID != 0 && o.TunID != r.TunID, r.Realms != 0 && o.Realms != r.Realms,
			(r.DSCP != 0 || r.DSCPMask != 0 || dscpZero) && (o.DSCPMask == 0 || o.DSCP != r.DSCP || r.DSCPMask != 0 && o.DSCPMask != r.DSCPMask),
			r.FlowLabelMask != 0 && (o.FlowLabel != r.FlowLabel || o.FlowLabelMask != r.FlowLabelMask),
			r.Other != "" && o.Other != r.Other:
			continue
		}
		k.rules = slices.Delete(k.rules, i, i+1)
		k.notify(groupOf(uint8(o.Family), grpIPv4Rule, grpIPv6Rule), rtmDelRule, k.ruleMsg(&o), true)
		return nil
	}
	return syscall.ENOENT
}

// Rules returns the rules of the namespace, IPv4 then IPv6, each family in
// priority order.
func (k *Kernel) Rules() []rtnetlink.Rule {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.rules)
}

// AddRule adds r as rtnetlink.Conn.AddRule does (Family from Src or Dst
// when 0; Action 0 is RuleToTable, or RuleGoto with a Goto; Priority 0 is
// the kernel's default unless HasPriority is set). It fails as AddRule would, with an error wrapping
// the kernel's errno.
func (k *Kernel) AddRule(r rtnetlink.Rule) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer k.flush()
	if r.Family == 0 {
		switch {
		case r.Src.IsValid():
			r.Family = int(familyOf(r.Src.Addr()))
		case r.Dst.IsValid():
			r.Family = int(familyOf(r.Dst.Addr()))
		}
	}
	if r.Family != afInet && r.Family != afInet6 {
		return seedError("add rule", syscall.EAFNOSUPPORT)
	}
	if r.Action == 0 {
		r.Action = frActToTbl
		if r.Goto != 0 {
			r.Action = frActGoto
		}
	}
	return seedError("add rule", k.newRule(r, r.HasPriority || r.Priority != 0, netlink.Create|netlink.Excl, false))
}
