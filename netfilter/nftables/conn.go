package nftables

import (
	"context"
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"
	"slices"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Conn talks nf_tables over a netlink.Conn of protocol NETLINK_NETFILTER.
// Its methods are safe for concurrent use.
type Conn struct {
	c *netlink.Conn
}

// Dial opens a NETLINK_NETFILTER socket as cfg says (cfg may be nil) for
// nf_tables. It turns on NETLINK_CAP_ACK, so that the kernel's errors do
// not echo the (possibly large) refused message. Off Linux it fails with
// an error wrapping errors.ErrUnsupported.
func Dial(cfg *netlink.Config) (*Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	if !slices.Contains(c.Options, netlink.CapAck) {
		c.Options = append(slices.Clip(c.Options), netlink.CapAck)
	}
	nc, err := netlink.Dial(netfilter.Protocol, &c)
	if err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	return &Conn{c: nc}, nil
}

// NewConn runs nf_tables requests on c, a NETLINK_NETFILTER Conn (from
// netlink.Dial, or netlink.NewConn with a fake kernel).
func NewConn(c *netlink.Conn) *Conn { return &Conn{c: c} }

// Netlink returns the netlink.Conn underneath.
func (c *Conn) Netlink() *netlink.Conn { return c.c }

// Close closes the socket.
func (c *Conn) Close() error { return c.c.Close() }

// Commit sends tx as one batch (NFNL_MSG_BATCH_BEGIN, its messages,
// NFNL_MSG_BATCH_END) in one datagram, and returns once the kernel has
// applied all of it, or none: then the error is a *TxError naming the
// message the kernel refused first and the change it belongs to, and
// wrapping the kernel's errno and extended ACK. A transaction larger than
// the kernel takes in one datagram is refused before anything is applied,
// with an error wrapping EMSGSIZE. Such errors of the exchange (that one,
// ctx done, an overrun) read "nftables: commit of N messages: ..." and
// wrap the cause; one that wraps netlink.ErrOutcomeUnknown came after the
// batch was sent, and whether the kernel applied it is unknown (see
// netfilter.ExecuteBatch). An empty transaction sends nothing.
func (c *Conn) Commit(ctx context.Context, tx *Tx) error {
	if tx.err != nil {
		return tx.err
	}
	if len(tx.msgs) == 0 {
		return nil
	}
	err := netfilter.ExecuteBatch(ctx, c.c, netfilter.SubsysNFTables, tx.GenID, tx.msgs)
	if err != nil {
		return tx.txError(err)
	}
	return nil
}

// GenID returns the ruleset's generation (NFT_MSG_GETGEN), which every
// committed transaction moves on: see Tx.GenID.
func (c *Conn) GenID(ctx context.Context) (uint32, error) {
	req := netlink.Message{Header: netlink.Header{Type: msgType(uapi.NFT_MSG_GETGEN), Flags: netlink.Request},
		Data: netfilterHeader(FamilyUnspec)}
	msgs, err := c.c.Execute(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("nftables: get generation: %w", err)
	}
	for _, m := range msgs {
		if m.Header.Type != msgType(uapi.NFT_MSG_NEWGEN) {
			continue
		}
		g, err := parseGen(m)
		if err != nil {
			return 0, fmt.Errorf("nftables: get generation: %w", err)
		}
		return g.ID, nil
	}
	return 0, fmt.Errorf("nftables: get generation: no NFT_MSG_NEWGEN in the reply: %w", netlink.ErrMalformed)
}

// dump runs the dump request msg with the attributes of filter (nil for
// none) and decodes each reply with decode.
func dump[T any](ctx context.Context, c *Conn, what string, msg uint8, f Family, filter Object, decode func(netfilter.Header, []byte) (T, error)) ([]T, error) {
	var req netlink.Message
	if filter != nil {
		var err error
		if req, err = message(msg, netlink.Dump, filter, opGet); err != nil {
			return nil, err
		}
	} else {
		req = netlink.Message{Header: netlink.Header{Type: msgType(msg), Flags: netlink.Request | netlink.Dump}, Data: netfilterHeader(f)}
	}
	var out []T
	for m, err := range c.c.Dump(ctx, req) {
		if err != nil {
			return nil, fmt.Errorf("nftables: list %s: %w", what, err)
		}
		h, b, err := payload(m)
		if err != nil {
			return nil, fmt.Errorf("nftables: list %s: %w", what, err)
		}
		v, err := decode(h, b)
		if err != nil {
			return nil, fmt.Errorf("nftables: list %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Tables lists the tables of family f, or of all families for
// FamilyUnspec (NFT_MSG_GETTABLE, a dump).
func (c *Conn) Tables(ctx context.Context, f Family) ([]*Table, error) {
	return dump(ctx, c, "tables", uapi.NFT_MSG_GETTABLE, f, nil, decodeTable)
}

// Chains lists the chains of table (all tables for "") of family f
// (NFT_MSG_GETCHAIN, a dump).
func (c *Conn) Chains(ctx context.Context, f Family, table string) ([]*Chain, error) {
	all, err := dump(ctx, c, "chains", uapi.NFT_MSG_GETCHAIN, f, nil, decodeChain)
	return keep(all, err, func(ch *Chain) bool { return table == "" || ch.Table == table })
}

// Rules lists the rules of chain (all chains for "") of table (all tables
// for "") of family f (NFT_MSG_GETRULE, a dump), in the chains' order.
func (c *Conn) Rules(ctx context.Context, f Family, table, chain string) ([]*Rule, error) {
	var filter Object
	if table != "" && f != FamilyUnspec {
		filter = &Rule{Family: f, Table: table, Chain: chain}
	}
	all, err := dump(ctx, c, "rules", uapi.NFT_MSG_GETRULE, f, filter, decodeRule)
	return keep(all, err, func(r *Rule) bool {
		return (table == "" || r.Table == table) && (chain == "" || r.Chain == chain)
	})
}

// Sets lists the sets and maps of table (all tables for "") of family f
// (NFT_MSG_GETSET, a dump), anonymous ones included.
func (c *Conn) Sets(ctx context.Context, f Family, table string) ([]*Set, error) {
	all, err := dump(ctx, c, "sets", uapi.NFT_MSG_GETSET, f, nil, decodeSet)
	return keep(all, err, func(s *Set) bool { return table == "" || s.Table == table })
}

// Elements lists the elements of set s, named by its Family, Table and
// Name (NFT_MSG_GETSETELEM, a dump).
func (c *Conn) Elements(ctx context.Context, s *Set) ([]Element, error) {
	msgs, err := elementMessages(s, nil, opGet, uapi.NFT_MSG_GETSETELEM, netlink.Dump)
	if err != nil {
		return nil, err
	}
	var out []Element
	for m, err := range c.c.Dump(ctx, msgs[0]) {
		if err != nil {
			return nil, fmt.Errorf("nftables: list elements of %s: %w", s, err)
		}
		_, b, err := payload(m)
		if err == nil {
			out, err = appendElements(out, b)
		}
		if err != nil {
			return nil, fmt.Errorf("nftables: list elements of %s: %w", s, err)
		}
	}
	return out, nil
}

// Objects lists the named objects of table (all tables for "") of family
// f (NFT_MSG_GETOBJ, a dump).
func (c *Conn) Objects(ctx context.Context, f Family, table string) ([]*NamedObject, error) {
	all, err := dump(ctx, c, "objects", uapi.NFT_MSG_GETOBJ, f, nil, decodeObject)
	return keep(all, err, func(o *NamedObject) bool { return table == "" || o.Table == table })
}

// Flowtables lists the flowtables of table (all tables for "") of family
// f (NFT_MSG_GETFLOWTABLE, a dump).
func (c *Conn) Flowtables(ctx context.Context, f Family, table string) ([]*Flowtable, error) {
	all, err := dump(ctx, c, "flowtables", uapi.NFT_MSG_GETFLOWTABLE, f, nil, decodeFlowtable)
	return keep(all, err, func(ft *Flowtable) bool { return table == "" || ft.Table == table })
}

func keep[T any](all []T, err error, ok func(T) bool) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(v T) bool { return !ok(v) }), nil
}

// get runs the GET request msg for o and decodes the one object of the
// reply.
func get[T any](ctx context.Context, c *Conn, msg uint8, o Object, decode func(netfilter.Header, []byte) (T, error)) (T, error) {
	var zero T
	req, err := message(msg, 0, o, opGet)
	if err != nil {
		return zero, err
	}
	msgs, err := c.c.Execute(ctx, req)
	if err != nil {
		return zero, fmt.Errorf("nftables: get %s: %w", o, err)
	}
	for _, m := range msgs {
		if m.Header.Type == netlink.TypeError {
			continue
		}
		h, b, err := payload(m)
		if err != nil {
			return zero, fmt.Errorf("nftables: get %s: %w", o, err)
		}
		return decode(h, b)
	}
	return zero, fmt.Errorf("nftables: get %s: no object in the reply: %w", o, netlink.ErrMalformed)
}

// Table returns the table name of family f (NFT_MSG_GETTABLE).
func (c *Conn) Table(ctx context.Context, f Family, name string) (*Table, error) {
	return get(ctx, c, uapi.NFT_MSG_GETTABLE, &Table{Family: f, Name: name}, decodeTable)
}

// Chain returns the chain name of table (NFT_MSG_GETCHAIN).
func (c *Conn) Chain(ctx context.Context, f Family, table, name string) (*Chain, error) {
	return get(ctx, c, uapi.NFT_MSG_GETCHAIN, &Chain{Family: f, Table: table, Name: name}, decodeChain)
}

// Rule returns the rule of handle in chain (NFT_MSG_GETRULE).
func (c *Conn) Rule(ctx context.Context, f Family, table, chain string, handle uint64) (*Rule, error) {
	return get(ctx, c, uapi.NFT_MSG_GETRULE, &Rule{Family: f, Table: table, Chain: chain, Handle: handle}, decodeRule)
}

// Set returns the set or map name of table (NFT_MSG_GETSET).
func (c *Conn) Set(ctx context.Context, f Family, table, name string) (*Set, error) {
	return get(ctx, c, uapi.NFT_MSG_GETSET, &Set{Family: f, Table: table, Name: name}, decodeSet)
}

// Object returns the named object name of type typ (ObjCounter, ...) of
// table (NFT_MSG_GETOBJ).
func (c *Conn) Object(ctx context.Context, f Family, table, name string, typ ObjectType) (*NamedObject, error) {
	return get(ctx, c, uapi.NFT_MSG_GETOBJ, &NamedObject{Family: f, Table: table, Name: name, Data: &RawObject{Type: typ}}, decodeObject)
}

// Flowtable returns the flowtable name of table (NFT_MSG_GETFLOWTABLE).
func (c *Conn) Flowtable(ctx context.Context, f Family, table, name string) (*Flowtable, error) {
	return get(ctx, c, uapi.NFT_MSG_GETFLOWTABLE, &Flowtable{Family: f, Table: table, Name: name}, decodeFlowtable)
}
