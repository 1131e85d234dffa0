package ynl

// Family describes a generic netlink family as its spec does: its
// operations, attribute sets and multicast groups, by name and number.
// Each generated package has one, Spec, for checks against the kernel's
// policy (ComparePolicy) and for tools that print or build messages by
// name.
type Family struct {
	Name    string
	Version int
	// Header is the fixed header every message of the family carries
	// between the generic netlink header and the attributes (a
	// genetlink-legacy spec's fixed-header, such as Open vSwitch's
	// ovs-header); nil for none.
	Header *Struct
	Ops    []Op
	Sets   []AttrSet
	Groups []string
	Enums  []Enum
}

// Struct is a fixed-layout struct of a Family's spec, as C lays it out:
// its members at their offsets, and its size with C's padding.
type Struct struct {
	Name    string
	Len     int
	Members []Member
}

// Member is a member of a Struct. Padding the spec names is left out.
type Member struct {
	Name   string
	Kind   string // "u8" … "s64", or "binary" (Len bytes)
	Offset int
	Len    int
	// BigEndian says an integer is in network byte order.
	BigEndian bool
}

// Enum is an enum or a set of flags of a Family, with its values' names.
// A flags' values are the bits themselves (1, 2, 4, …).
type Enum struct {
	Name   string
	Flags  bool
	Values []Name
}

// Enum returns the enum or flags named name.
func (f *Family) Enum(name string) (*Enum, bool) {
	for i := range f.Enums {
		if f.Enums[i].Name == name {
			return &f.Enums[i], true
		}
	}
	return nil, false
}

// Op is an operation of a Family.
type Op struct {
	Name string
	// Request and Reply are the command numbers of its request and its
	// reply or notification; -1 where it has none.
	Request, Reply int
	Do, Dump       bool   // whether it has a do and a dump
	Notify         bool   // a notification or an event
	Set            string // the attribute set its messages use
	// DoRequest and DumpRequest name the attributes its requests carry.
	DoRequest, DumpRequest []string
}

// AttrSet is an attribute set of a Family. A subset (SubsetOf not empty)
// has some of another set's attributes, with their numbers.
type AttrSet struct {
	Name     string
	SubsetOf string
	Attrs    []Attr
	// Ordered says a nest of the set is a list, in order, whose
	// attributes may each come more than once (ovs_flow's actions, which
	// the kernel runs in order): its generated type is a slice, one
	// element per attribute.
	Ordered bool
}

// Attr is an attribute of an AttrSet.
type Attr struct {
	Name string
	Type uint16 // its number
	// Kind is its type in the spec: "u32", "nest", "string", …; a scalar
	// with a type-value is a multi-attr "nest-type-value" of SubType, as
	// the kernel sends it.
	Kind      string
	Nested    string // the set a nest's (or array's) attributes are of
	Multi     bool   // multi-attr: it may appear more than once
	BigEndian bool   // byte-order: big-endian
	// SubType is an indexed-array's or binary's element type, or the type
	// of a nest-type-value's entries if they are scalars (no Nested).
	SubType string
	Keys    int    // a nest-type-value's levels of keys
	Enum    string // the enum or flags of an integer's values
	// EnumAsFlags says the integer is a set of bits numbered by Enum's
	// values (enum-as-flags).
	EnumAsFlags bool
	Checks      Checks
}

// Checks is what a spec says the kernel checks of an attribute. Has says
// which fields are set.
type Checks struct {
	Has            CheckFields
	Min, Max       int64
	MinLen, MaxLen int64
}

// CheckFields say which of a Checks' fields are set.
type CheckFields uint8

// The fields of a Checks.
const (
	HasMin CheckFields = 1 << iota
	HasMax
	HasMinLen
	HasMaxLen
)

// Op returns the operation named name.
func (f *Family) Op(name string) (Op, bool) {
	for _, o := range f.Ops {
		if o.Name == name {
			return o, true
		}
	}
	return Op{}, false
}

// Set returns the attribute set named name.
func (f *Family) Set(name string) (*AttrSet, bool) {
	for i := range f.Sets {
		if f.Sets[i].Name == name {
			return &f.Sets[i], true
		}
	}
	return nil, false
}

// Attr returns the attribute named name.
func (s *AttrSet) Attr(name string) (Attr, bool) {
	for _, a := range s.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// ByType returns the attribute numbered typ.
func (s *AttrSet) ByType(typ uint16) (Attr, bool) {
	for _, a := range s.Attrs {
		if a.Type == typ {
			return a, true
		}
	}
	return Attr{}, false
}
