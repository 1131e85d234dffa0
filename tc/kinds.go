package tc

import (
	"bytes"
	"encoding/binary"

	"github.com/nlkit/netlink"
)

// Kinds: how a qdisc, class, filter or action kind is added.
//
// Each kind lives in a file of its own (qdisc_htb.go, filter_u32.go,
// action_mirred.go, ...) which holds, side by side, the kind's type (its
// fields are its TCA_OPTIONS), its Kind method, its encode method (which
// appends the whole TCA_OPTIONS attribute, nested attributes or a struct as
// the kind takes it, and checks the values before anything is sent), its
// decode method (which reads TCA_OPTIONS's payload), and an init function
// registering it:
//
//	func init() { registerQdisc("tbf", func() Options { return new(TBF) }) }
//
// Nested kinds keep the attributes no field models in an Other field and
// send them back last, so a listed object is re-created with every option
// it had. A kind no file registers decodes as *RawOptions (the kind's name
// and TCA_OPTIONS as it came), which encodes unchanged. This is the scheme
// of package rtnetlink's link kinds (rtnetlink/link_kinds.go).

// Options is the kind-specific part (TCA_OPTIONS) of a qdisc, a class or a
// filter: one of this package's kind types (*HTB, *HTBClass, *TBF, *FIFO,
// *U32, *Flower, ...), or *RawOptions for the kinds it does not decode.
type Options interface {
	// Kind is the TCA_KIND the options belong to ("htb", "u32", ...).
	Kind() string
	// encode appends the TCA_OPTIONS attribute, or returns a *checkError
	// for a value the kernel would refuse.
	encode(e *netlink.AttrEncoder) error
	// decode reads TCA_OPTIONS's payload b into the zero value.
	decode(b []byte) error
}

// The registered kinds, by name; filled by init functions, read only
// after.
var (
	qdiscKinds  = map[string]func() Options{}
	classKinds  = map[string]func() Options{}
	filterKinds = map[string]func() Options{}
	actionKinds = map[string]func() ActionOptions{}
)

func register[T any](table map[string]func() T, what, kind string, f func() T) {
	if _, dup := table[kind]; dup {
		panic("tc: " + what + " kind " + kind + " registered twice")
	}
	table[kind] = f
	kindNames[kind] = kind
}

// kindNames holds the names of the registered kinds and of a few the
// kernel reports without options, so that decoding a known kind's
// TCA_KIND allocates nothing.
var kindNames = map[string]string{"noqueue": "noqueue", "mq": "mq", "noop": "noop"}

// kindName returns the NUL-terminated string b, without allocating when
// it names a known kind.
func kindName(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if s, ok := kindNames[string(b)]; ok {
		return s
	}
	return string(b)
}

func registerQdisc(kind string, f func() Options)  { register(qdiscKinds, "qdisc", kind, f) }
func registerClass(kind string, f func() Options)  { register(classKinds, "class", kind, f) }
func registerFilter(kind string, f func() Options) { register(filterKinds, "filter", kind, f) }
func registerAction(kind string, f func() ActionOptions) {
	register(actionKinds, "action", kind, f)
}

// decodeOptions reads a, the TCA_OPTIONS of an object of the given kind,
// with the kind's decoder from table, or as *RawOptions.
func decodeOptions(table map[string]func() Options, kind string, a netlink.Attr) (Options, error) {
	f, ok := table[kind]
	if !ok {
		return &RawOptions{KindName: kind, Data: clone(a.Data), Nested: a.Nested}, nil
	}
	o := f()
	if err := o.decode(a.Data); err != nil {
		return nil, err
	}
	return o, nil
}

// RawOptions are the TCA_OPTIONS of a kind this package does not decode,
// as the kernel sent them. They encode unchanged, so a listed object of
// any kind can be created again as it was; a caller may also build them
// for a kind this package does not model.
type RawOptions struct {
	KindName string // TCA_KIND
	Data     []byte // TCA_OPTIONS's payload
	Nested   bool   // TCA_OPTIONS had NLA_F_NESTED
}

// Kind returns o.KindName.
func (o *RawOptions) Kind() string { return o.KindName }

func (o *RawOptions) encode(e *netlink.AttrEncoder) error {
	typ := uint16(tcaOptions)
	if o.Nested {
		typ |= netlink.AttrNested
	}
	e.Bytes(typ, o.Data)
	return nil
}

func (o *RawOptions) decode(b []byte) error {
	o.Data = clone(b)
	return nil
}

// RawAttrs are attributes kept as the kernel sent them, in order (see
// netlink.RawAttrs): what an object's fields do not model, sent back
// unchanged.
type RawAttrs = netlink.RawAttrs

// clone copies b out of a message; an empty b is nil.
func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte{}, b...)
}

// putOther appends other's attributes to e; a malformed other is an error.
func putOther(e *netlink.AttrEncoder, other RawAttrs) error {
	for a, err := range other.All() {
		if err != nil {
			return badf("Other: %v", err)
		}
		e.Attr(a)
	}
	return nil
}

// nestOptions starts TCA_OPTIONS as a nest.
func nestOptions(e *netlink.AttrEncoder) int { return e.Nest(tcaOptions) }

var ne = binary.NativeEndian
