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
// IIF, OIF, Mark, TOS) gets Action.
type Rule struct {
	// Family is uapi.AF_INET or uapi.AF_INET6. When adding or deleting, 0
	// is taken from Src or Dst.
	Family int
	// Priority orders the rules, lowest first (FRA_PRIORITY). When adding,
	// 0 lets the kernel choose (one below the lowest rule after the first
	// one); when deleting, 0 matches any.
	Priority uint32
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
	// Other holds the rule's attributes that the fields above do not model
	// (FRA_UID_RANGE, FRA_IP_PROTO, FRA_SPORT_RANGE, ...), as the kernel
	// sent them; requests send them back, so that deleting a Rule as Rules
	// listed it deletes that rule.
	Other RawAttrs
}

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
		case uapi.FRA_SUPPRESS_PREFIXLEN, uapi.FRA_SUPPRESS_IFGROUP:
			if d.Uint32() != 0xffffffff { // -1, the default, which the kernel sends too
				other = appendRaw(other, &d)
			}
		default:
			other = appendRaw(other, &d)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: rule: %w", err)
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
// RuleGoto) is refused before anything is sent, with a *netlink.OpError
// whose error matches both syscall.EINVAL and os.ErrInvalid. The kernel's
// refusals are *netlink.OpError values with its errno and extended ACK
// message.
//
// AddRule sends RTM_NEWRULE with NLM_F_CREATE and NLM_F_EXCL: a fib_rule_hdr
// (family, prefix lengths, TOS, table below 256, action, flags), then
// FRA_TABLE, FRA_PRIORITY, FRA_SRC, FRA_DST, FRA_IIFNAME, FRA_OIFNAME,
// FRA_FWMARK with FRA_FWMASK, FRA_GOTO and FRA_PROTOCOL when set, and
// Other. Of the flags, only RuleInvert is sent: the kernel sets the others.
func (c *Conn) AddRule(ctx context.Context, r Rule) error {
	return c.change(ctx, uapi.RTM_NEWRULE, netlink.Create|netlink.Excl, &r)
}

// DeleteRule deletes the first rule that matches r's fields that are set
// (ip rule del); the zero value of a field matches anything. Deleting a
// Rule as Rules listed it deletes that rule. It fails (ENOENT) when no
// rule matches.
//
// DeleteRule sends RTM_DELRULE, encoded as for AddRule.
func (c *Conn) DeleteRule(ctx context.Context, r Rule) error {
	return c.change(ctx, uapi.RTM_DELRULE, 0, &r)
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
		if action == RuleToTable && table == 0 {
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
	if r.Priority != 0 {
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
	putRaw(e, r.Other)
	data, err := e.Finish()
	if err != nil {
		return nil, opError("check", typ, err)
	}
	return data, nil
}
