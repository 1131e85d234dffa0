package xfrm

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
)

// AddPolicy adds the policy p (XFRM_MSG_NEWPOLICY). It fails with EEXIST
// when the kernel has a policy of the same selector, direction, type and
// mark.
//
// Before sending, it refuses (with an error matching os.ErrInvalid) a
// selector whose prefixes are of different families, an unknown
// direction, action or share, and templates the kernel would refuse.
func (c *Conn) AddPolicy(ctx context.Context, p *Policy) error {
	return c.writePolicy(ctx, msgNewPolicy, p)
}

// UpdatePolicy adds the policy p or replaces the one of the same
// selector, direction, type and mark (XFRM_MSG_UPDPOLICY). It checks p as
// AddPolicy does.
func (c *Conn) UpdatePolicy(ctx context.Context, p *Policy) error {
	return c.writePolicy(ctx, msgUpdPolicy, p)
}

func (c *Conn) writePolicy(ctx context.Context, typ netlink.HeaderType, p *Policy) error {
	q := p.prepared()
	if err := q.check(); err != nil {
		return invalid(typ, p.String(), "%v", err)
	}
	b, err := q.appendAttrs(q.appendInfo(make([]byte, 0, 256+userTmplLen*len(p.Templates))))
	if err != nil {
		return invalid(typ, p.String(), "%v", err)
	}
	_, err = c.execute(ctx, typ, 0, b, p.String())
	return err
}

// GetPolicy returns the policy id names (XFRM_MSG_GETPOLICY). It fails
// with ENOENT when there is none.
func (c *Conn) GetPolicy(ctx context.Context, id PolicyID) (Policy, error) {
	b, err := c.policyID(msgGetPolicy, id)
	if err != nil {
		return Policy{}, err
	}
	msgs, err := c.execute(ctx, msgGetPolicy, 0, b, id.String())
	if err != nil {
		return Policy{}, err
	}
	m, err := reply(msgs, msgNewPolicy)
	if err != nil {
		return Policy{}, fmt.Errorf("xfrm: get %s: %w", id, err)
	}
	return ParsePolicy(m)
}

// DeletePolicy deletes the policy id names (XFRM_MSG_DELPOLICY). It fails
// with ENOENT when there is none.
func (c *Conn) DeletePolicy(ctx context.Context, id PolicyID) error {
	b, err := c.policyID(msgDelPolicy, id)
	if err != nil {
		return err
	}
	_, err = c.execute(ctx, msgDelPolicy, 0, b, id.String())
	return err
}

func (c *Conn) policyID(typ netlink.HeaderType, id PolicyID) ([]byte, error) {
	if err := id.check(); err != nil {
		return nil, invalid(typ, id.String(), "%v", err)
	}
	b, err := id.append(nil)
	if err != nil {
		return nil, invalid(typ, id.String(), "%v", err)
	}
	return b, nil
}

// FlushPolicies deletes every policy of type t (XFRM_MSG_FLUSHPOLICY):
// PolicyMain (XFRMA_POLICY_TYPE not sent) or PolicySub.
func (c *Conn) FlushPolicies(ctx context.Context, t PolicyType) error {
	var b []byte
	if t != PolicyMain {
		e := netlink.NewAttrEncoder(nil)
		e.Bytes(attrPolicyType, policyTypeBytes(t))
		b, _ = e.Finish()
	}
	_, err := c.execute(ctx, msgFlushPolicy, 0, b, "policies "+t.String())
	return err
}

// Policies lists the policies, of every type (an XFRM_MSG_GETPOLICY
// dump). Each Policy yielded owns its memory; an error ends the listing.
func (c *Conn) Policies(ctx context.Context) iter.Seq2[Policy, error] {
	return func(yield func(Policy, error) bool) {
		req := netlink.Message{Header: netlink.Header{Type: msgGetPolicy, Flags: netlink.Dump}}
		for m, err := range c.NL.Dump(ctx, req) {
			if err != nil {
				yield(Policy{}, kernelError(err, "policies"))
				return
			}
			p, err := ParsePolicy(m)
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}
