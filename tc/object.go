package tc

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// object is what qdiscs, classes and filters share: struct tcmsg and the
// attributes around TCA_OPTIONS. Each public type converts to and from it.
type object struct {
	ifindex int32
	handle  uint32
	parent  uint32
	info    uint32

	kind      string
	options   Options // nil when TCA_OPTIONS was absent
	chain     uint32
	hasChain  bool
	hwOffload bool
	stats     *Stats
	warning   string
	estimator *Estimator
	other     RawAttrs
}

// decode reads a tc message's payload (struct tcmsg and its attributes),
// decoding TCA_OPTIONS with the kinds of table.
func (o *object) decode(b []byte, table map[string]func() Options) error {
	if len(b) < tcmsgLen {
		return fmt.Errorf("tc: message of %d bytes is shorter than struct tcmsg: %w", len(b), netlink.ErrMalformed)
	}
	o.ifindex = int32(ne.Uint32(b[4:]))
	o.handle, o.parent, o.info = ne.Uint32(b[8:]), ne.Uint32(b[12:]), ne.Uint32(b[16:])
	var opts netlink.Attr
	var hasOpts bool
	var rest []byte
	d := netlink.NewAttrDecoder(b[tcmsgLen:])
	for d.Next() {
		switch d.Type() {
		case tcaKind:
			o.kind = kindName(d.Bytes())
		case tcaOptions:
			opts, hasOpts = d.Attr(), true
		case tcaChain:
			o.chain, o.hasChain = d.Uint32(), true
		case tcaHWOffload:
			o.hwOffload = d.Uint8() != 0
		case tcaStats2:
			s, err := decodeStats(d.Bytes())
			if err != nil {
				return err
			}
			o.stats = s
		case tcaExtWarnMsg:
			o.warning = d.CString()
		case tcaStats, tcaXStats, tcaFcnt, tcaPad:
			// What TCA_STATS2 says again, in older forms; never sent.
		default:
			rest = d.Attr().Append(rest)
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	if hasOpts {
		op, err := decodeOptions(table, o.kind, opts)
		if err != nil {
			return fmt.Errorf("tc: %s options: %w", o.kind, err)
		}
		o.options = op
	}
	o.other = RawAttrs(rest)
	return nil
}

// kindOf returns the kind an object is sent as: kind, or its options'
// kind when kind is empty; the two must agree.
func kindOf(kind string, opts Options) (string, error) {
	if opts == nil {
		return kind, nil
	}
	if kind == "" {
		return opts.Kind(), nil
	}
	if k := opts.Kind(); k != kind {
		return "", badf("Kind %q but Options of kind %q", kind, k)
	}
	return kind, nil
}

// encode appends the message's payload to b: struct tcmsg, TCA_KIND, the
// options (the kind's zero value's when o.options is nil and table has
// the kind, none with withOptions false), then TCA_CHAIN, TCA_RATE and
// the other attributes.
func (o *object) encode(b []byte, table map[string]func() Options, withOptions bool) ([]byte, error) {
	b = append(b, 0, 0, 0, 0)
	b = ne.AppendUint32(b, uint32(o.ifindex))
	b = ne.AppendUint32(b, o.handle)
	b = ne.AppendUint32(b, o.parent)
	b = ne.AppendUint32(b, o.info)
	e := netlink.NewAttrEncoder(b)
	if o.kind != "" {
		e.String(tcaKind, o.kind)
	}
	if withOptions {
		opts := o.options
		if opts == nil {
			f, ok := table[o.kind]
			if !ok {
				return nil, badf("kind %q: this package does not know it, and no RawOptions were given", o.kind)
			}
			opts = f()
		}
		if err := opts.encode(e); err != nil {
			return nil, err
		}
	}
	if o.hasChain {
		e.Uint32(tcaChain, o.chain)
	}
	if o.estimator != nil {
		e.Bytes(tcaRate, []byte{byte(o.estimator.Interval), o.estimator.EWMALog})
	}
	if err := putOther(e, o.other); err != nil {
		return nil, err
	}
	return e.Finish()
}
