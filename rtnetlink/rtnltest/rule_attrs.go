package rtnltest

import (
	"syscall"

	"github.com/nlkit/netlink"
)

// ruleAttrMaxLatest is FRA_MAX of Linux 6.16 to 6.18 (FRA_DSCP_MASK).
const ruleAttrMaxLatest = fraDSCPMask

// ruleAttrSizes are the sizes fib_rule_policy gives the rule attributes
// of a fixed size.
var ruleAttrSizes = map[uint16]int{
	fraGoto: 4, fraPriority: 4, fraFwMark: 4, fraFlow: 4, fraTunID: 8,
	fraSuppressIfGroup: 4, fraSuppressPrefixLen: 4, fraTable: 4, fraFwMask: 4,
	fraL3MDev: 1, fraUIDRange: 8, fraProtocol: 1, fraIPProto: 1,
	fraSPortRange: 4, fraDPortRange: 4,
	fraDSCP: 1, fraFlowLabel: 4, fraFlowLabelMask: 4, fraSPortMask: 2, fraDPortMask: 2, fraDSCPMask: 1,
}

// SetRuleAttrMax makes the fake parse rule requests (RTM_NEWRULE,
// RTM_DELRULE) as a kernel whose highest rule attribute type (FRA_MAX) is
// max: 24 (FRA_DPORT_RANGE) for Linux 4.17 to 6.12 upstream, 25 for 6.13
// (FRA_DSCP), 27 for 6.14 and 6.15 (FRA_FLOWLABEL_MASK), 30 for 6.16 on
// (FRA_DSCP_MASK), which is the default. As such a kernel, it ignores the
// attributes above max without an error: a rule is added without them,
// and a delete matches without them. 0 restores the default. A max above
// 30 makes it a kernel newer than this package, whose attributes above
// FRA_DSCP_MASK are 32-bit values, checked as strictly as the policy
// checks those from FRA_DSCP on.
func (k *Kernel) SetRuleAttrMax(max uint16) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ruleAttrMax = max
}

// parseRuleAttrs checks the attributes of a rule request as the kernel's
// parsing does (nlmsg_parse_deprecated with fib_rule_policy, then the
// prefix lengths), and returns the request without the attributes above
// FRA_MAX, which the kernel ignores. From FRA_DSCP on (the policy's
// strict_start_type), a value of another size than its type's is refused
// (EINVAL); below, a shorter one (ERANGE); both pointing at it.
func (k *Kernel) parseRuleAttrs(req netlink.Message) (netlink.Message, error) {
	if len(req.Data) < sizeofRuleHdr {
		return req, fail(syscall.EINVAL, "Invalid msg length")
	}
	if f := req.Data[0]; f != afInet && f != afInet6 {
		return req, fail(syscall.EAFNOSUPPORT, "Rule family not supported")
	}
	as, err := attrs(req.Data, sizeofRuleHdr)
	if err != nil {
		return req, malformed(err)
	}
	max := k.ruleAttrMax
	if max == 0 {
		max = ruleAttrMaxLatest
	}
	kept := append([]byte(nil), req.Data[:sizeofRuleHdr]...)
	dropped := false
	var src, dst *attr
	for i := range as {
		a := &as[i]
		if a.typ == 0 || a.typ > max {
			dropped = true
			continue
		}
		size, ok := ruleAttrSizes[a.typ]
		if a.typ > ruleAttrMaxLatest {
			size, ok = 4, true
		}
		switch {
		case ok && a.typ >= fraDSCP && len(a.data) != size:
			return req, failAt(syscall.EINVAL, "Error parsing msg", a.off)
		case ok && len(a.data) < size:
			return req, failAt(syscall.ERANGE, "Error parsing msg", a.off)
		}
		switch a.typ {
		case fraSrc:
			src = a
		case fraDst:
			dst = a
		}
		kept = netlink.Attr{Type: a.typ, Data: a.data}.Append(kept)
	}
	size := 4
	if req.Data[0] == afInet6 {
		size = 16
	}
	for _, p := range []struct {
		bits int
		a    *attr
		msg  string
	}{{int(req.Data[2]), src, "Invalid source address"}, {int(req.Data[1]), dst, "Invalid dst address"}} {
		if p.bits != 0 && (p.a == nil || p.bits > size*8 || len(p.a.data) != size) {
			return req, fail(syscall.EINVAL, p.msg)
		}
	}
	if dropped {
		req.Data = kept
	}
	return req, nil
}
