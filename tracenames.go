package netlink

import "sync"

// An AttrNamer names the attributes of one attribute set in traces
// (FormatMessages, Config.Trace, NLKIT_DEBUG).
type AttrNamer interface {
	// Attr describes attribute typ (without its flags); ok is false for
	// a number the set does not name.
	Attr(typ uint16) (a AttrInfo, ok bool)
}

// AttrInfo is what a trace is told of an attribute.
type AttrInfo struct {
	Name string
	// Kind is its type as YNL specs name them ("u32", "string", "nest",
	// "binary", …), which says how the trace prints it; "" for a guess
	// from its bytes.
	Kind      string
	BigEndian bool      // an integer in network byte order
	Nested    AttrNamer // the names of the attributes it holds; nil if none
	// Values names an integer's values (an enum's), or with Flags the
	// bits of a set of flags; nil where the values have no names.
	Values ValueNamer
	// Flags says the integer (or a bitfield32's value and selector) is
	// a set of bits: traces print it in hexadecimal, after the names of
	// its bits.
	Flags bool
}

// A ValueNamer names the values of an integer attribute in traces, as
// in "duplex len=5: 01 full(1)" and "flags len=8: 41 00 00 00
// up|running(0x41)".
type ValueNamer interface {
	// ValueName returns the name of value v, "" for a value it does not
	// name. For a set of flags it is asked for one bit at a time.
	ValueName(v uint64) string
}

// A MessageNamer names the messages of a netlink protocol in traces.
type MessageNamer interface {
	// MessageName returns the name of the family or object m is of
	// (such as "ethtool"), the name of its command where the protocol has
	// commands, and the namer of its attributes; "", "" and nil for what
	// it does not know. It is called only while a trace is written.
	MessageName(m Message) (family, command string, attrs AttrNamer)
}

// A FixedHeaderNamer is a MessageNamer whose messages may carry a header
// of their family's own between the protocol's header and the attributes
// (a generic netlink family's fixed header, such as Open vSwitch's struct
// ovs_header after the genlmsghdr): traces print that header's bytes, and
// the attributes after it.
type FixedHeaderNamer interface {
	MessageNamer
	// FixedHeaderLen returns the length of m's family header after the
	// protocol's own; 0 for none. It is called only while a trace is
	// written.
	FixedHeaderLen(m Message) int
}

var messageNamers struct {
	sync.RWMutex
	m [MaxProtocol]MessageNamer
}

// SetMessageNamer makes traces name the messages of protocol proto with n
// (nil for none): genetlink sets one for generic netlink, which names the
// families whose packages register their names with it. A proto out of
// range is ignored.
func SetMessageNamer(proto int, n MessageNamer) {
	if proto < 0 || proto >= MaxProtocol {
		return
	}
	messageNamers.Lock()
	messageNamers.m[proto] = n
	messageNamers.Unlock()
}

// messageNames asks proto's namer, if any, for the names of m.
func messageNames(proto int, m Message) (family, command string, attrs AttrNamer) {
	n := messageNamer(proto)
	if n == nil {
		return "", "", nil
	}
	return n.MessageName(m)
}

// fixedHeaderLen asks proto's namer, if it is a FixedHeaderNamer, for the
// length of m's family header after the protocol's; 0 if none.
func fixedHeaderLen(proto int, m Message) int {
	if n, ok := messageNamer(proto).(FixedHeaderNamer); ok {
		return max(n.FixedHeaderLen(m), 0)
	}
	return 0
}

// messageNamer returns proto's namer, nil for none.
func messageNamer(proto int) MessageNamer {
	if proto < 0 || proto >= MaxProtocol {
		return nil
	}
	messageNamers.RLock()
	defer messageNamers.RUnlock()
	return messageNamers.m[proto]
}
