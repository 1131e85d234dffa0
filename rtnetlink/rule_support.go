package rtnetlink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Rule attributes the running kernel may not know.
//
// The kernel parses RTM_NEWRULE and RTM_DELRULE liberally
// (nlmsg_parse_deprecated, still in 6.18): an attribute of a type above
// its FRA_MAX is ignored without an error. Sent to a kernel older than
// the attribute, a selector is lost: AddRule would add a rule that matches
// more packets than asked, DeleteRule would delete the first rule that
// matches the other fields, which may be another. No flag makes the kernel
// strict there (NETLINK_GET_STRICT_CHK is for GET requests; the policy's
// strict_start_type only applies to the types the kernel knows).
//
// So before a rule request goes out, each attribute type in it above
// FRA_DPORT_RANGE (the last one of Linux 4.17 to 6.12 upstream; Debian's
// 6.12 has FRA_DSCP) is checked against the kernel once per Conn and
// family, rather than guessed from its release. A probe of the request's
// type carries that attribute with an empty payload, then with one byte,
// and a header no kernel takes (a source prefix of 255 bits without
// FRA_SRC). A kernel that knows the type refuses the attribute while
// parsing, pointing at it in the extended ACK (a fixed-size value refuses
// the empty payload, a flag or a nest the byte); one that does not, skips
// it and refuses the header next ("Invalid source address", EINVAL, no
// attribute). Either way the probe adds and deletes nothing.

// ruleAttrsOld is the last rule attribute type every supported kernel
// knows (FRA_DPORT_RANGE, Linux 4.17); the types above it are checked.
const ruleAttrsOld = uapi.FRA_DPORT_RANGE

// ruleAttrNames names the attribute types above ruleAttrsOld that this
// package models, with the release that brought each.
var ruleAttrNames = map[uint16]string{
	fraDSCP:          "FRA_DSCP (Linux 6.13)",
	fraFlowLabel:     "FRA_FLOWLABEL (Linux 6.14)",
	fraFlowLabelMask: "FRA_FLOWLABEL_MASK (Linux 6.14)",
	fraSPortMask:     "FRA_SPORT_MASK (Linux 6.16)",
	fraDPortMask:     "FRA_DPORT_MASK (Linux 6.16)",
	fraDSCPMask:      "FRA_DSCP_MASK (Linux 6.16)",
}

// ruleAttrs remembers which rule attribute types a Conn's kernel knows.
type ruleAttrs struct {
	mu    sync.Mutex
	known map[ruleAttr]bool
}

// ruleAttr is a rule attribute type of a family.
type ruleAttr struct {
	family uint8
	typ    uint16
}

// errUnsupported is the cause of a request refused before it was sent
// because the kernel would have ignored part of it.
type errUnsupported struct{ msg string }

func (e *errUnsupported) Error() string { return e.msg }

// Is reports whether target is errors.ErrUnsupported or syscall.EOPNOTSUPP.
func (e *errUnsupported) Is(target error) bool {
	return target == errors.ErrUnsupported || target == syscall.EOPNOTSUPP
}

// changeRule checks and encodes r, checks that the kernel knows every
// attribute of the request, and runs it as a request of type typ.
func (c *Conn) changeRule(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, r *Rule) error {
	data, err := r.encode(typ)
	if err == nil {
		err = c.checkRuleAttrs(ctx, typ, data)
	}
	if err == nil {
		_, err = c.execute(ctx, typ, flags, data)
	}
	return named(err, "%s", r.object())
}

// checkRuleAttrs returns an error wrapping errors.ErrUnsupported, naming
// them, when the request data (of type typ, encoded) has attributes the
// kernel does not know.
func (c *Conn) checkRuleAttrs(ctx context.Context, typ netlink.HeaderType, data []byte) error {
	var missing []string
	var seen []uint16
	for a, err := range netlink.RawAttrs(data[fibRuleHdrLen:]).All() {
		if err != nil {
			return opError("check", typ, err)
		}
		if a.Type <= ruleAttrsOld || slices.Contains(seen, a.Type) {
			continue
		}
		seen = append(seen, a.Type)
		known, err := c.ruleAttrKnown(ctx, typ, ruleAttr{data[0], a.Type})
		if err != nil {
			return err
		}
		if !known {
			name, ok := ruleAttrNames[a.Type]
			if !ok {
				name = fmt.Sprintf("attribute %d", a.Type)
			}
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return opError("check", typ, &errUnsupported{
		"rule attributes the kernel does not know (it would ignore them, and the rule would match more than asked): " +
			strings.Join(missing, ", ")})
}

// ruleAttrKnown reports whether the kernel knows the rule attribute a,
// probing it with requests of type typ the first time.
func (c *Conn) ruleAttrKnown(ctx context.Context, typ netlink.HeaderType, a ruleAttr) (bool, error) {
	c.rules.mu.Lock()
	known, ok := c.rules.known[a]
	c.rules.mu.Unlock()
	if ok {
		return known, nil
	}
	// Two requests may probe the same type at once; they find the same.
	for _, payload := range [][]byte{nil, {0}} {
		refused, err := c.probeRuleAttr(ctx, typ, a, payload)
		if err != nil {
			return false, err
		}
		if refused {
			known = true
			break
		}
	}
	c.rules.mu.Lock()
	if c.rules.known == nil {
		c.rules.known = make(map[ruleAttr]bool)
	}
	c.rules.known[a] = known
	c.rules.mu.Unlock()
	return known, nil
}

// probeRuleAttr sends a request of type typ that the kernel refuses,
// with the attribute a of the given payload, and reports whether the
// kernel refused that attribute (rather than the header after it).
func (c *Conn) probeRuleAttr(ctx context.Context, typ netlink.HeaderType, a ruleAttr, payload []byte) (bool, error) {
	b := make([]byte, fibRuleHdrLen, fibRuleHdrLen+netlink.AttrHeaderLen+netlink.Align(len(payload)))
	b[0] = a.family
	b[2] = 255 // src_len: a source prefix of 255 bits, without FRA_SRC
	b = netlink.Attr{Type: a.typ, Data: payload}.Append(b)
	_, err := c.execute(ctx, typ, 0, b)
	var oe *netlink.OpError
	switch {
	case err == nil:
		return false, opError("check", typ, fmt.Errorf("the kernel took a rule request with a source prefix of 255 bits (probing attribute %d)", a.typ))
	case errors.As(err, &oe) && oe.Offset == netlink.HeaderLen+fibRuleHdrLen:
		return true, nil // refused at the attribute, which it parsed
	case errors.Is(err, syscall.EINVAL):
		return false, nil // refused at the header: it skipped the attribute
	}
	return false, err
}
