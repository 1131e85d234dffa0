package xfrm

import (
	"context"
	"errors"

	"github.com/nlkit/netlink"
)

// Conn runs xfrm requests on a netlink Conn.
type Conn struct {
	// NL is the underlying NETLINK_XFRM connection.
	NL *netlink.Conn
}

// Dial opens a NETLINK_XFRM socket as cfg says (cfg may be nil; its NetNS
// chooses the namespace whose SAs and policies the Conn sees). Off Linux
// it fails with an error wrapping errors.ErrUnsupported.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(netlinkXFRM, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_XFRM connection (one of
// package xfrmtest's fake kernel, for one).
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.NL.Close() }

// execute sends a request of type typ with payload data, asking for an
// ACK, and names object in its error.
func (c *Conn) execute(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, data []byte, object string) ([]netlink.Message, error) {
	msgs, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
	return msgs, kernelError(err, object)
}

// reply returns the message of type typ among msgs, the kernel's answer
// to a GET.
func reply(msgs []netlink.Message, typ netlink.HeaderType) (netlink.Message, error) {
	for _, m := range msgs {
		if m.Header.Type == typ {
			return m, nil
		}
	}
	return netlink.Message{}, errors.New("xfrm: the kernel sent no reply")
}
