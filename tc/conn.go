// Package tc is the typed layer for traffic control: the NETLINK_ROUTE
// messages tc sends (RTM_NEWQDISC, RTM_NEWTCLASS, RTM_NEWTFILTER,
// RTM_NEWACTION and their GET and DEL forms, on struct tcmsg and the TCA_*
// attributes). Qdiscs, classes, filters and actions are Go values whose
// kind-specific options are typed (*HTB, *TBF, *U32, *Flower, *Mirred,
// ...); kinds the package does not model decode as *RawOptions and are
// sent back unchanged, so whatever is listed can be deleted and created
// again as it was.
//
// It runs on the root package's *netlink.Conn, so a Conn can mix typed
// calls with raw requests, and errors carry the kernel's errno and
// extended ACK (see Error). Handles are written and read as tc writes
// them (see Handle).
//
// # Other platforms
//
// The package builds on every GOOS: the types, parsers and encoders work
// everywhere, and Dial fails off Linux with an error wrapping
// errors.ErrUnsupported. A Conn made with New on a fake kernel (package
// tctest) works anywhere.
package tc

import (
	"context"
	"iter"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// Conn runs traffic control requests on a netlink Conn.
type Conn struct {
	// NL is the underlying NETLINK_ROUTE connection: for raw requests,
	// notifications, options and deadlines.
	NL *netlink.Conn
}

// Dial opens a NETLINK_ROUTE socket as cfg says (cfg may be nil; its
// NetNS chooses the namespace) with strict checking of GET requests on,
// and returns it as a Conn.
func Dial(cfg *netlink.Config) (*Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Options = append(append([]netlink.Option(nil), c.Options...), netlink.GetStrictCheck)
	nl, err := netlink.Dial(uapi.NETLINK_ROUTE, &c)
	if err != nil {
		return nil, &Error{Op: "dial", Err: err}
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_ROUTE connection.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection. It sends nothing.
func (c *Conn) Close() error { return c.NL.Close() }

// The flags of the changing requests, as tc sends them.
const (
	flagsAdd     = netlink.Create | netlink.Excl
	flagsReplace = netlink.Create | netlink.Replace
	flagsChange  = 0
)

// request is a change a Conn sends: what the object encodes to, and how
// it is named in errors.
type request struct {
	op      string // "add", "change", ...
	typ     netlink.HeaderType
	flags   netlink.HeaderFlags
	obj     *object
	table   map[string]func() Options
	options bool // TCA_OPTIONS is sent
	check   func() error
	name    func(dev string) string
}

// run checks and encodes r and sends it, waiting for the ACK.
func (c *Conn) run(ctx context.Context, r request) error {
	err := error(nil)
	if r.check != nil {
		err = r.check()
	}
	var data []byte
	if err == nil {
		data, err = r.obj.encode(make([]byte, 0, 128), r.table, r.options)
	}
	if err != nil {
		return c.fail(ctx, r, asInvalid(r.typ, err))
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: r.typ, Flags: r.flags}, Data: data})
	if err != nil {
		return c.fail(ctx, r, err)
	}
	return nil
}

// fail returns the *Error of r.
func (c *Conn) fail(ctx context.Context, r request, err error) error {
	obj := r.name(c.devName(ctx, r.obj.ifindex))
	return &Error{Op: r.op, Object: obj, Err: netlink.WithObject(err, obj)}
}

// devName names the link with index i for an error: its name quoted, as
// the kernel knows it, or its index when that cannot be found. It sends
// RTM_GETLINK (only on the way to an error).
func (c *Conn) devName(ctx context.Context, i int32) string {
	if i > 0 && ctx.Err() == nil {
		if l, err := rtnetlink.New(c.NL).Link(ctx, int(i)); err == nil && l.Name != "" {
			return strconv.Quote(l.Name)
		}
	}
	return strconv.Itoa(int(i))
}

// dump runs a dump request of type typ and yields each reply decoded into
// obj with table's kinds; the caller converts obj.
func (c *Conn) dump(ctx context.Context, typ netlink.HeaderType, req *object, table map[string]func() Options, what string) iter.Seq2[*object, error] {
	return func(yield func(*object, error) bool) {
		data, err := req.encode(nil, nil, false)
		if err != nil {
			yield(nil, &Error{Op: "list", Object: what, Err: err})
			return
		}
		for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: data}) {
			if err != nil {
				yield(nil, &Error{Op: "list", Object: what, Err: netlink.WithObject(err, what)})
				return
			}
			var o object
			if err := o.decode(m.Data, table); err != nil {
				yield(nil, &Error{Op: "list", Object: what, Err: err})
				return
			}
			if !yield(&o, nil) {
				return
			}
		}
	}
}
