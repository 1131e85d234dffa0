package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// RuleAction is what a policy routing rule does with a packet it matches
// (the action of struct fib_rule_hdr).
type RuleAction uint8

// Rule actions from <linux/fib_rules.h>.
const (
	RuleUnspec      RuleAction = uapi.FR_ACT_UNSPEC      // none; on delete, any action
	RuleToTable     RuleAction = uapi.FR_ACT_TO_TBL      // look the route up in Table
	RuleGoto        RuleAction = uapi.FR_ACT_GOTO        // go on with the rule of priority Goto
	RuleNop         RuleAction = uapi.FR_ACT_NOP         // nothing
	RuleBlackhole   RuleAction = uapi.FR_ACT_BLACKHOLE   // drop silently
	RuleUnreachable RuleAction = uapi.FR_ACT_UNREACHABLE // drop; the sender gets network unreachable
	RuleProhibit    RuleAction = uapi.FR_ACT_PROHIBIT    // drop; the sender gets administratively prohibited
)

var ruleActionNames = [...]string{"unspec", "lookup", "goto", "nop", "4", "5", "blackhole", "unreachable", "prohibit"}

// String names the action as ip rule does ("lookup", "goto", "blackhole",
// ...), or prints its number.
func (a RuleAction) String() string {
	if int(a) < len(ruleActionNames) {
		return ruleActionNames[a]
	}
	return strconv.Itoa(int(a))
}

// RuleFlags are a rule's flags (the FIB_RULE_* flags of fib_rule_hdr).
type RuleFlags uint32

// Rule flags from <linux/fib_rules.h>. RuleInvert can be set; the kernel
// sets the others.
const (
	RulePermanent   RuleFlags = uapi.FIB_RULE_PERMANENT    // cannot be deleted
	RuleInvert      RuleFlags = uapi.FIB_RULE_INVERT       // matches the packets the selectors do not ("not")
	RuleUnresolved  RuleFlags = uapi.FIB_RULE_UNRESOLVED   // a goto to a priority with no rule
	RuleIIFDetached RuleFlags = uapi.FIB_RULE_IIF_DETACHED // the input link does not exist
	RuleOIFDetached RuleFlags = uapi.FIB_RULE_OIF_DETACHED // the output link does not exist
)

var ruleFlagNames = [...]string{"permanent", "not", "unresolved", "iif_detached", "oif_detached"}

// String names the flags, joined by "|", as in "not|unresolved"; unknown
// bits are printed in hex, and no flags as "0".
func (f RuleFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for i, name := range ruleFlagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	if rest := f &^ (1<<len(ruleFlagNames) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%#x", uint32(rest))
	}
	return b.String()
}

// Rule is an IPv4 or IPv6 policy routing rule (RTM_NEWRULE), as ip rule
// shows it. A packet that matches every selector that is set (Src, Dst,
// IIF, OIF, Mark, TOS, UIDRange, IPProto, ports, TunID, DSCP, FlowLabel)
// gets Action.
type Rule struct {
	// Family is uapi.AF_INET or uapi.AF_INET6. When adding or deleting, 0
	// is taken from Src or Dst.
	Family int
	// Priority orders the rules, lowest first (FRA_PRIORITY). Unless
	// HasPriority is set, 0 lets the kernel choose when adding (one below
	// the lowest rule after the first one), and matches any priority when
	// deleting.
	Priority uint32
	// HasPriority says that Priority is the rule's even when it is 0:
	// requests send FRA_PRIORITY 0, so that adding puts the rule at
	// priority 0 and deleting deletes a rule of priority 0 alone. Rules
	// and ParseRule set it for every rule, since every rule has a
	// priority (the kernel reports one of 0, such as the local table's
	// rule or one ip rule add pref 0 makes, without FRA_PRIORITY).
	HasPriority bool
	// Src and Dst are the source and destination prefixes the rule matches
	// (FRA_SRC, FRA_DST), or the zero Prefix for any.
	Src, Dst netip.Prefix
	// IIF and OIF are the names of the input and output links the rule
	// matches (FRA_IIFNAME, FRA_OIFNAME), or "" for any. "lo" as IIF
	// matches the packets of this host.
	IIF, OIF string
	// Mark is the firewall mark the rule matches (FRA_FWMARK), under Mask
	// (FRA_FWMASK). With a Mark, Mask 0 is taken as 0xffffffff.
	Mark, Mask uint32
	// TOS is the IPv4 type of service the rule matches (tos).
	TOS uint8
	// Action is what the rule does. When adding, 0 is taken as RuleGoto
	// with a Goto, RuleToTable otherwise; when deleting, 0 matches any.
	Action RuleAction
	// Table is the table RuleToTable looks routes up in (FRA_TABLE, or
	// the table of fib_rule_hdr). When adding a RuleToTable rule, 0 means
	// TableMain; when deleting, 0 matches any.
	Table uint32
	// Goto is the priority of the rule a RuleGoto rule goes on with
	// (FRA_GOTO).
	Goto uint32
	// Protocol says who added the rule (FRA_PROTOCOL), 0 when unknown.
	Protocol Protocol
	// Flags are the rule's flags: RuleInvert ("not"), and those the kernel
	// sets, which requests leave out.
	Flags RuleFlags
	// UIDRange is the range of user ids whose sockets' packets the rule
	// matches (FRA_UID_RANGE, ip rule ... uidrange), when HasUIDRange is
	// set. A UIDRange without HasUIDRange is refused before sending: the
	// zero range (uid 0 alone) is a range too.
	UIDRange    UIDRange
	HasUIDRange bool // UIDRange is set (FRA_UID_RANGE is sent)
	// IPProto is the IP protocol the rule matches, such as 6 for TCP
	// (FRA_IP_PROTO, ipproto), or 0 for any.
	IPProto uint8
	// SPort and DPort are the source and destination port ranges the rule
	// matches (FRA_SPORT_RANGE, FRA_DPORT_RANGE: sport, dport), or the zero
	// PortRange for any.
	SPort, DPort PortRange
	// SPortMask and DPortMask, when not 0, match the ports under a mask
	// (FRA_SPORT_MASK, FRA_DPORT_MASK, Linux 6.16; ip's sport 0x10/0xf0):
	// the range is then a single port.
	SPortMask, DPortMask uint16
	// SuppressPrefixLen, when HasSuppressPrefixLen is set, makes the rule
	// reject a route its lookup finds whose prefix is this long or shorter
	// (FRA_SUPPRESS_PREFIXLEN, suppress_prefixlength): 0 rejects default
	// routes.
	SuppressPrefixLen    uint32
	HasSuppressPrefixLen bool // SuppressPrefixLen is set
	// SuppressIfGroup, when HasSuppressIfGroup is set, makes the rule
	// reject a route its lookup finds through a link of this group
	// (FRA_SUPPRESS_IFGROUP, suppress_ifgroup; 0 is the default group).
	SuppressIfGroup    uint32
	HasSuppressIfGroup bool // SuppressIfGroup is set
	// L3MDev makes the rule look routes up in the table of the L3 master
	// device (VRF) of the packet's input or output link (FRA_L3MDEV,
	// l3mdev). Such a rule has no Table.
	L3MDev bool
	// TunID is the tunnel id the rule matches (FRA_TUN_ID, tun_id), or 0.
	TunID uint64
	// Realms are the IPv4 routing realms the rule sets (FRA_FLOW, realms):
	// the source realm in the high 16 bits, the destination realm in the
	// low 16 bits; 0 for none.
	Realms uint32
	// DSCP is the differentiated services code point the rule matches
	// (FRA_DSCP, Linux 6.13; ip's dscp), under DSCPMask (FRA_DSCP_MASK,
	// Linux 6.16). With neither set, the rule matches any DSCP (or TOS).
	// A DSCP with DSCPMask 0 matches it exactly (the kernel reports the
	// mask 0x3f); DSCPMask 0x3f with DSCP 0 matches DSCP 0. Kernels 6.13
	// to 6.15 report no mask: a rule of theirs that matches DSCP 0 lists
	// with both fields 0 and its FRA_DSCP in Other. A kernel
	// older than the attribute would ignore it, as it would FlowLabel and
	// the port masks: there AddRule and DeleteRule refuse the rule.
	DSCP, DSCPMask uint8
	// FlowLabel is the IPv6 flow label the rule matches (FRA_FLOWLABEL,
	// Linux 6.14; ip's flowlabel), under FlowLabelMask
	// (FRA_FLOWLABEL_MASK). With a FlowLabel, FlowLabelMask 0 is taken
	// as 0xfffff; FlowLabelMask 0xfffff with FlowLabel 0 matches label 0.
	FlowLabel, FlowLabelMask uint32
	// Other holds the rule's attributes that the fields above do not model
	// (those of kernels newer than this package, or of a size the fields
	// cannot hold), as the kernel sent them; requests send them back, so
	// that deleting a Rule as Rules listed it deletes that rule.
	Other RawAttrs
}

// UIDRange is an inclusive range of user ids (struct fib_rule_uid_range).
type UIDRange struct {
	Start, End uint32 // the first and the last user id
}

// PortRange is an inclusive range of TCP, UDP or SCTP ports (struct
// fib_rule_port_range). The zero PortRange is no range; a range starts at
// port 1 or above.
type PortRange struct {
	Start, End uint16 // the first and the last port
}

// Rule attribute numbers missing from x/sys/unix (<linux/fib_rules.h>).
const (
	fraDSCP          = 25 // FRA_DSCP: u8, Linux 6.13
	fraFlowLabel     = 26 // FRA_FLOWLABEL: be32, Linux 6.14
	fraFlowLabelMask = 27 // FRA_FLOWLABEL_MASK: be32
	fraSPortMask     = 28 // FRA_SPORT_MASK: u16, Linux 6.16
	fraDPortMask     = 29 // FRA_DPORT_MASK: u16
	fraDSCPMask      = 30 // FRA_DSCP_MASK: u8
)

// unsetRuleValue is the kernel's "not set" for FRA_SUPPRESS_PREFIXLEN and
// FRA_SUPPRESS_IFGROUP (-1), which it sends for every rule.
const unsetRuleValue = 0xffffffff

// flowLabelMax is the largest IPv6 flow label (20 bits).
const flowLabelMax = 0xfffff

// RuleFilter says which rules Rules lists. The zero RuleFilter lists every
// IPv4 and IPv6 rule, as ip rule show and ip -6 rule show do.
type RuleFilter struct {
	// Family is uapi.AF_INET or uapi.AF_INET6 for one family, or 0 for both.
	Family int
	// Table, when not 0, lists only the rules that look up that table.
	Table uint32
	// Protocol, when not 0, lists only the rules of that protocol.
	Protocol Protocol
}

// fibRuleHdrLen is the size of struct fib_rule_hdr, which x/sys/unix lacks.
const fibRuleHdrLen = 12

// ParseRule reads an RTM_NEWRULE or RTM_DELRULE message of the IPv4 or
// IPv6 family: a reply of Rules, or a notification received on the
// RTNLGRP_IPV4_RULE or RTNLGRP_IPV6_RULE group. The rule owns its memory.
func ParseRule(m netlink.Message) (Rule, error) {
	var r Rule
	ok, err := r.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not an IPv4 or IPv6 rule message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return Rule{}, err
	}
	return r, nil
}

// Rules lists the rules f selects, in priority order for each family. The
// kernel filters by family only; the iterator filters the rest. An error
// ends the iteration.
//
// Rules sends an RTM_GETRULE dump request: a fib_rule_hdr with the family.
// Each RTM_NEWRULE reply is a Rule.
func (c *Conn) Rules(ctx context.Context, f RuleFilter) iter.Seq2[Rule, error] {
	return func(yield func(Rule, error) bool) {
		if f.Family != 0 && f.Family != uapi.AF_INET && f.Family != uapi.AF_INET6 {
			yield(Rule{}, invalid(uapi.RTM_GETRULE, "family %d is neither AF_INET nor AF_INET6", f.Family))
			return
		}
		var req [fibRuleHdrLen]byte
		req[0] = uint8(f.Family)
		for m, err := range c.dump(ctx, uapi.RTM_GETRULE, req[:]) {
			if err != nil {
				yield(Rule{}, err)
				return
			}
			var r Rule
			ok, err := r.decode(&m)
			if err != nil {
				yield(Rule{}, err)
				return
			}
			if !ok || f.Table != 0 && r.Table != f.Table || f.Protocol != 0 && r.Protocol != f.Protocol {
				continue
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// decode reads m into r, which is the zero Rule, and reports whether m is
// an IPv4 or IPv6 rule.
func (r *Rule) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWRULE && m.Header.Type != uapi.RTM_DELRULE {
		return false, nil
	}
	data := m.Data
	if len(data) < fibRuleHdrLen {
		return false, fmt.Errorf("rtnetlink: rule message of %d bytes is shorter than fib_rule_hdr: %w", len(data), netlink.ErrMalformed)
	}
	family := data[0]
	if family != uapi.AF_INET && family != uapi.AF_INET6 {
		return false, nil // multicast routing rules, ...
	}
	r.Family = int(family)
	dstLen, srcLen := int(data[1]), int(data[2])
	r.TOS = data[3]
	r.Table = uint32(data[4])
	r.Action = RuleAction(data[7])
	r.Flags = RuleFlags(binary.NativeEndian.Uint32(data[8:]))
	var dst, src netip.Addr
	var buf [64]byte
	other := buf[:0]
	var dscpBuf [16]byte
	dscp := dscpBuf[:0] // FRA_DSCP and FRA_DSCP_MASK as they came
	// Without FRA_PRIORITY, the rule's priority is 0 (the kernel leaves
	// the attribute out then), not unknown.
	r.HasPriority = true
	d := m.AttrDecoder(fibRuleHdrLen)
	for d.Next() {
		switch d.Type() {
		case uapi.FRA_DST:
			dst = d.Addr()
		case uapi.FRA_SRC:
			src = d.Addr()
		case uapi.FRA_IIFNAME:
			r.IIF = d.CString()
		case uapi.FRA_OIFNAME:
			r.OIF = d.CString()
		case uapi.FRA_PRIORITY:
			r.Priority = d.Uint32()
		case uapi.FRA_FWMARK:
			r.Mark = d.Uint32()
		case uapi.FRA_FWMASK:
			r.Mask = d.Uint32()
		case uapi.FRA_TABLE:
			r.Table = d.Uint32()
		case uapi.FRA_GOTO:
			r.Goto = d.Uint32()
		case uapi.FRA_PROTOCOL:
			r.Protocol = Protocol(d.Uint8())
		case uapi.FRA_SUPPRESS_PREFIXLEN:
			if v := d.Uint32(); v != unsetRuleValue {
				r.SuppressPrefixLen, r.HasSuppressPrefixLen = v, true
			}
		case uapi.FRA_SUPPRESS_IFGROUP:
			if v := d.Uint32(); v != unsetRuleValue {
				r.SuppressIfGroup, r.HasSuppressIfGroup = v, true
			}
		case uapi.FRA_IP_PROTO:
			r.IPProto = d.Uint8()
		case uapi.FRA_L3MDEV:
			r.L3MDev = d.Uint8() != 0
		case uapi.FRA_TUN_ID:
			r.TunID = d.Uint64BE()
		case uapi.FRA_FLOW:
			r.Realms = d.Uint32()
		case fraDSCP:
			r.DSCP = d.Uint8()
			dscp = d.Attr().Append(dscp)
		case fraDSCPMask:
			r.DSCPMask = d.Uint8()
			dscp = d.Attr().Append(dscp)
		case fraFlowLabel:
			r.FlowLabel = d.Uint32BE()
		case fraFlowLabelMask:
			r.FlowLabelMask = d.Uint32BE()
		case fraSPortMask:
			r.SPortMask = d.Uint16()
		case fraDPortMask:
			r.DPortMask = d.Uint16()
		case uapi.FRA_UID_RANGE:
			if b := d.Bytes(); len(b) == 8 && !r.HasUIDRange {
				r.UIDRange = UIDRange{binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:])}
				r.HasUIDRange = true
			} else {
				other = d.Attr().Append(other) // a size the field cannot hold
			}
		case uapi.FRA_SPORT_RANGE, uapi.FRA_DPORT_RANGE:
			p := &r.SPort
			if d.Type() == uapi.FRA_DPORT_RANGE {
				p = &r.DPort
			}
			if b := d.Bytes(); len(b) == 4 && *p == (PortRange{}) {
				*p = PortRange{binary.NativeEndian.Uint16(b), binary.NativeEndian.Uint16(b[2:])}
			} else {
				other = d.Attr().Append(other)
			}
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: rule: %w", err)
	}
	// A rule that matches DSCP 0 without a mask (as kernels 6.13 to 6.15
	// list "dscp 0", which have no FRA_DSCP_MASK) is one the fields
	// cannot say: DSCP and DSCPMask 0 mean no DSCP selector. Other
	// keeps its attributes, so that the rule is deleted as listed.
	if r.DSCP == 0 && r.DSCPMask == 0 && len(dscp) > 0 {
		other = append(other, dscp...)
	}
	if len(other) > 0 {
		r.Other = RawAttrs(other)
	}
	for _, p := range []struct {
		pfx  *netip.Prefix
		addr netip.Addr
		bits int
	}{{&r.Dst, dst, dstLen}, {&r.Src, src, srcLen}} {
		if !p.addr.IsValid() && p.bits == 0 {
			continue
		}
		*p.pfx = netip.PrefixFrom(p.addr, p.bits)
		if !p.pfx.IsValid() || p.addr.Is4() != (family == uapi.AF_INET) {
			return false, fmt.Errorf("rtnetlink: rule prefix %v/%d does not fit family %d: %w", p.addr, p.bits, family, netlink.ErrMalformed)
		}
	}
	return true, nil
}

// AddRule adds r (ip rule add). The kernel accepts the same rule twice
// unless it has a Priority and a rule of that priority is the same
// (EEXIST).
//
// A Rule that cannot be right (no family, prefixes of another family or
// with bits past their length, a link name too long, a Goto without
// RuleGoto, a range that ends before it starts, a value without its Has
// field, a DSCP or flow label too wide) is refused before anything is sent, with a *netlink.OpError
// whose error matches both syscall.EINVAL and os.ErrInvalid. The kernel's
// refusals are *netlink.OpError values with its errno and extended ACK
// message.
//
// AddRule sends RTM_NEWRULE with NLM_F_CREATE and NLM_F_EXCL: a fib_rule_hdr
// (family, prefix lengths, TOS, table below 256, action, flags), then
// FRA_TABLE, FRA_PRIORITY, FRA_SRC, FRA_DST, FRA_IIFNAME, FRA_OIFNAME,
// FRA_FWMARK with FRA_FWMASK, FRA_GOTO, FRA_PROTOCOL, FRA_UID_RANGE,
// FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_SPORT_MASK, FRA_DPORT_RANGE,
// FRA_DPORT_MASK, FRA_SUPPRESS_PREFIXLEN, FRA_SUPPRESS_IFGROUP,
// FRA_L3MDEV, FRA_TUN_ID, FRA_FLOW, FRA_DSCP, FRA_DSCP_MASK and
// FRA_FLOWLABEL with FRA_FLOWLABEL_MASK when set, and Other. Of the flags,
// only RuleInvert is sent: the kernel sets the others.
//
// The kernel ignores the rule attributes it does not know, so a kernel
// older than a selector would add the rule without it, matching more
// packets than asked. AddRule refuses such a rule before sending it: one
// with a selector or an attribute in Other that the running kernel does
// not know (of the selectors, those newer than Linux 6.12 upstream may
// be: DSCP, FlowLabel, FlowLabelMask, DSCPMask, SPortMask, DPortMask),
// with a *netlink.OpError (Op "check") whose error matches
// errors.ErrUnsupported and syscall.EOPNOTSUPP and names the attributes.
// The Conn learns which attributes the kernel knows
// the first time a rule of a family has one: it sends a request the
// kernel refuses, at the attribute if it knows it, at the header if not
// (so nothing changes), and remembers the answer. That needs extended
// ACKs, which Dial turns on; without them, every such rule is refused.
func (c *Conn) AddRule(ctx context.Context, r Rule) error {
	return c.changeRule(ctx, uapi.RTM_NEWRULE, netlink.Create|netlink.Excl, &r)
}

// DeleteRule deletes the first rule that matches r's fields that are set
// (ip rule del); the zero value of a field matches anything (Priority 0
// too, unless HasPriority is set). Deleting a Rule as Rules listed it
// deletes that rule. It fails (ENOENT) when no rule matches.
//
// DeleteRule sends RTM_DELRULE, encoded as for AddRule.
//
// A rule with a selector the kernel does not know is refused as AddRule
// refuses it: the kernel would delete the first rule that matches the
// other fields, which may be another.
func (c *Conn) DeleteRule(ctx context.Context, r Rule) error {
	return c.changeRule(ctx, uapi.RTM_DELRULE, 0, &r)
}

// encode checks r and returns it as a fib_rule_hdr and its attributes,
// with the defaults for an add or a delete.
func (r *Rule) encode(typ netlink.HeaderType) ([]byte, error) {
	family := r.Family
	for _, p := range []netip.Prefix{r.Src, r.Dst} {
		if !p.IsValid() {
			continue
		}
		f := uapi.AF_INET6
		if p.Addr().Is4() {
			f = uapi.AF_INET
		}
		switch {
		case p.Addr().Is4In6() || p.Addr().Zone() != "":
			return nil, invalid(typ, "prefix %v is IPv4-mapped or has a zone", p)
		case p.Masked() != p:
			return nil, invalid(typ, "prefix %v has bits set past its length (did you mean %v?)", p, p.Masked())
		case family == 0:
			family = f
		case family != f:
			return nil, invalid(typ, "prefix %v is not of family %d", p, family)
		}
	}
	switch {
	case family != uapi.AF_INET && family != uapi.AF_INET6:
		return nil, invalid(typ, "family %d is neither AF_INET nor AF_INET6", family)
	case r.Goto != 0 && r.Action != RuleGoto && r.Action != 0:
		return nil, invalid(typ, "goto %d with action %v", r.Goto, r.Action)
	}
	switch {
	case !r.HasUIDRange && r.UIDRange != (UIDRange{}):
		return nil, invalid(typ, "uid range %d-%d without HasUIDRange", r.UIDRange.Start, r.UIDRange.End)
	case r.HasUIDRange && r.UIDRange.Start > r.UIDRange.End:
		return nil, invalid(typ, "uid range %d-%d ends before it starts", r.UIDRange.Start, r.UIDRange.End)
	case !r.HasSuppressPrefixLen && r.SuppressPrefixLen != 0:
		return nil, invalid(typ, "suppress_prefixlength %d without HasSuppressPrefixLen", r.SuppressPrefixLen)
	case !r.HasSuppressIfGroup && r.SuppressIfGroup != 0:
		return nil, invalid(typ, "suppress_ifgroup %d without HasSuppressIfGroup", r.SuppressIfGroup)
	case r.DSCP > 0x3f || r.DSCPMask > 0x3f:
		return nil, invalid(typ, "dscp %#x/%#x: a DSCP has 6 bits", r.DSCP, r.DSCPMask)
	case r.FlowLabel > flowLabelMax || r.FlowLabelMask > flowLabelMax:
		return nil, invalid(typ, "flow label %#x/%#x: a flow label has 20 bits", r.FlowLabel, r.FlowLabelMask)
	}
	for _, p := range []struct {
		name string
		r    PortRange
	}{{"sport", r.SPort}, {"dport", r.DPort}} {
		if p.r.Start > p.r.End || (p.r.Start == 0) != (p.r.End == 0) {
			return nil, invalid(typ, "%s range %d-%d is not a range of ports from 1 up", p.name, p.r.Start, p.r.End)
		}
	}
	for _, name := range []string{r.IIF, r.OIF} {
		if len(name) >= uapi.IFNAMSIZ || strings.IndexByte(name, 0) >= 0 {
			return nil, invalid(typ, "link name %q is longer than %d bytes or has a NUL", name, uapi.IFNAMSIZ-1)
		}
	}
	action, table, mask := r.Action, r.Table, r.Mask
	if typ == uapi.RTM_NEWRULE {
		if action == 0 && r.Goto != 0 {
			action = RuleGoto
		} else if action == 0 {
			action = RuleToTable
		}
		if action == RuleToTable && table == 0 && !r.L3MDev {
			table = TableMain
		}
	}
	if r.Mark != 0 && mask == 0 {
		mask = 0xffffffff
	}
	b := make([]byte, fibRuleHdrLen, 128)
	b[0] = uint8(family)
	if r.Dst.IsValid() {
		b[1] = uint8(r.Dst.Bits())
	}
	if r.Src.IsValid() {
		b[2] = uint8(r.Src.Bits())
	}
	b[3] = r.TOS
	if table < 256 {
		b[4] = uint8(table)
	}
	b[7] = uint8(action)
	// The kernel sets the other flags (a missing link, a goto to no rule):
	// a rule as listed must be deletable, so they are not sent.
	binary.NativeEndian.PutUint32(b[8:], uint32(r.Flags&RuleInvert))
	e := netlink.NewAttrEncoder(b)
	if table != 0 {
		e.Uint32(uapi.FRA_TABLE, table)
	}
	priority := r.HasPriority || r.Priority != 0
	if priority {
		e.Uint32(uapi.FRA_PRIORITY, r.Priority)
	}
	if r.Src.IsValid() {
		e.Addr(uapi.FRA_SRC, r.Src.Addr())
	}
	if r.Dst.IsValid() {
		e.Addr(uapi.FRA_DST, r.Dst.Addr())
	}
	if r.IIF != "" {
		e.String(uapi.FRA_IIFNAME, r.IIF)
	}
	if r.OIF != "" {
		e.String(uapi.FRA_OIFNAME, r.OIF)
	}
	if r.Mark != 0 || r.Mask != 0 {
		e.Uint32(uapi.FRA_FWMARK, r.Mark)
		e.Uint32(uapi.FRA_FWMASK, mask)
	}
	if r.Goto != 0 {
		e.Uint32(uapi.FRA_GOTO, r.Goto)
	}
	if r.Protocol != 0 {
		e.Uint8(uapi.FRA_PROTOCOL, uint8(r.Protocol))
	}
	if r.HasUIDRange {
		var b [8]byte
		binary.NativeEndian.PutUint32(b[:], r.UIDRange.Start)
		binary.NativeEndian.PutUint32(b[4:], r.UIDRange.End)
		e.Bytes(uapi.FRA_UID_RANGE, b[:])
	}
	if r.IPProto != 0 {
		e.Uint8(uapi.FRA_IP_PROTO, r.IPProto)
	}
	for _, p := range []struct {
		typ, maskTyp uint16
		r            PortRange
		mask         uint16
	}{{uapi.FRA_SPORT_RANGE, fraSPortMask, r.SPort, r.SPortMask}, {uapi.FRA_DPORT_RANGE, fraDPortMask, r.DPort, r.DPortMask}} {
		if p.r != (PortRange{}) {
			var b [4]byte
			binary.NativeEndian.PutUint16(b[:], p.r.Start)
			binary.NativeEndian.PutUint16(b[2:], p.r.End)
			e.Bytes(p.typ, b[:])
		}
		if p.mask != 0 {
			e.Uint16(p.maskTyp, p.mask)
		}
	}
	if r.HasSuppressPrefixLen {
		e.Uint32(uapi.FRA_SUPPRESS_PREFIXLEN, r.SuppressPrefixLen)
	}
	if r.HasSuppressIfGroup {
		e.Uint32(uapi.FRA_SUPPRESS_IFGROUP, r.SuppressIfGroup)
	}
	if r.L3MDev {
		e.Uint8(uapi.FRA_L3MDEV, 1)
	}
	if r.TunID != 0 {
		e.Uint64BE(uapi.FRA_TUN_ID, r.TunID)
	}
	if r.Realms != 0 {
		e.Uint32(uapi.FRA_FLOW, r.Realms)
	}
	if r.DSCP != 0 || r.DSCPMask != 0 {
		e.Uint8(fraDSCP, r.DSCP)
	}
	if r.DSCPMask != 0 {
		e.Uint8(fraDSCPMask, r.DSCPMask)
	}
	if r.FlowLabel != 0 || r.FlowLabelMask != 0 {
		mask := r.FlowLabelMask
		if mask == 0 {
			mask = flowLabelMax
		}
		e.Uint32BE(fraFlowLabel, r.FlowLabel)
		e.Uint32BE(fraFlowLabelMask, mask)
	}
	// A FRA_PRIORITY in Other (where this package kept a priority of 0
	// before HasPriority) gives way to the field's, and so does a kept
	// FRA_DSCP 0 (a rule of DSCP 0 listed without a mask) once DSCP or
	// DSCPMask is set: the kernel takes the last attribute of a type.
	dscpSet := r.DSCP != 0 || r.DSCPMask != 0
	e.RawAttrs(withoutKept(r.Other, kept{uapi.FRA_PRIORITY, priority}, kept{fraDSCP, dscpSet}, kept{fraDSCPMask, r.DSCPMask != 0}))
	data, err := e.Finish()
	if err != nil {
		return nil, opError("check", typ, err)
	}
	return data, nil
}
