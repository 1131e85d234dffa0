package xfrm

import (
	"context"
	"fmt"
	"strconv"

	"github.com/nlkit/netlink"
)

// DefaultAction is what the kernel does, in one direction, with packets
// no policy selects (XFRM_USERPOLICY_*).
type DefaultAction uint8

// The default actions.
const (
	DefaultUnspec DefaultAction = 0 // XFRM_USERPOLICY_UNSPEC: in a request, leave as it is
	DefaultBlock  DefaultAction = 1 // XFRM_USERPOLICY_BLOCK
	DefaultAccept DefaultAction = 2 // XFRM_USERPOLICY_ACCEPT
)

// String returns "block", "accept" (as ip xfrm policy getdefault prints
// them), "unspec" or the number.
func (a DefaultAction) String() string {
	switch a {
	case DefaultUnspec:
		return "unspec"
	case DefaultBlock:
		return "block"
	case DefaultAccept:
		return "accept"
	}
	return strconv.Itoa(int(a))
}

// DefaultPolicies is struct xfrm_userpolicy_default: the default action
// of each direction (Linux 5.16).
type DefaultPolicies struct {
	In, Fwd, Out DefaultAction
}

// DefaultPolicies returns the default actions (XFRM_MSG_GETDEFAULT).
func (c *Conn) DefaultPolicies(ctx context.Context) (DefaultPolicies, error) {
	msgs, err := c.execute(ctx, msgGetDefault, 0, make([]byte, userpolicyDefLen), "default policies")
	if err != nil {
		return DefaultPolicies{}, err
	}
	m, err := reply(msgs, msgGetDefault)
	if err != nil {
		return DefaultPolicies{}, fmt.Errorf("xfrm: default policies: %w", err)
	}
	return ParseDefaultPolicies(m)
}

// SetDefaultPolicies sets the default actions (XFRM_MSG_SETDEFAULT); a
// direction whose action is DefaultUnspec keeps its own. The kernel
// notifies GroupPolicy with an XFRM_MSG_GETDEFAULT message of the actions
// now. Before sending it refuses an action it does not know.
func (c *Conn) SetDefaultPolicies(ctx context.Context, d DefaultPolicies) error {
	obj := fmt.Sprintf("default policies in %s fwd %s out %s", d.In, d.Fwd, d.Out)
	for _, a := range []DefaultAction{d.In, d.Fwd, d.Out} {
		if a > DefaultAccept {
			return invalid(msgSetDefault, obj, "default action %d, want block, accept or unspec", a)
		}
	}
	_, err := c.execute(ctx, msgSetDefault, 0, d.Append(nil), obj)
	return err
}

// Append appends struct xfrm_userpolicy_default, padded to 4 bytes.
func (d DefaultPolicies) Append(b []byte) []byte {
	return append(b, uint8(d.In), uint8(d.Fwd), uint8(d.Out), 0)
}

// ParseDefaultPolicies decodes an XFRM_MSG_GETDEFAULT reply or
// notification (or an XFRM_MSG_SETDEFAULT request).
func ParseDefaultPolicies(m netlink.Message) (DefaultPolicies, error) {
	if len(m.Data) < userpolicyDefLen {
		return DefaultPolicies{}, malformed("struct xfrm_userpolicy_default of %d bytes", len(m.Data))
	}
	return DefaultPolicies{In: DefaultAction(m.Data[0]), Fwd: DefaultAction(m.Data[1]), Out: DefaultAction(m.Data[2])}, nil
}
