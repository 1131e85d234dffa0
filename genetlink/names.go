package genetlink

import (
	"sync"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// A Namer names the commands and attributes of one family's messages in
// traces (netlink.FormatMessages, netlink.Config.Trace, NLKIT_DEBUG).
// The generated packages under genetlink/ynl register one each.
type Namer interface {
	// CommandName returns the name of command cmd in a request (request
	// true) or in a reply or notification, and the namer of the message's
	// attributes; "" and nil for a command it does not know.
	CommandName(cmd uint8, request bool) (name string, attrs netlink.AttrNamer)
}

// A FixedHeaderNamer is a Namer of a family whose messages carry a fixed
// header of their own after the genlmsghdr, before the attributes (as
// Open vSwitch's families carry struct ovs_header): traces print its
// bytes and name the attributes after it.
type FixedHeaderNamer interface {
	Namer
	// FixedHeaderLen returns the length of the family's fixed header.
	FixedHeaderLen() int
}

// names are the families traces know: their IDs, as resolved, and the
// namers registered by name.
var names = struct {
	sync.RWMutex
	ids    map[uint16]string
	namers map[string]Namer
}{ids: map[uint16]string{uapi.GENL_ID_CTRL: "nlctrl"}, namers: map[string]Namer{}}

func init() { netlink.SetMessageNamer(uapi.NETLINK_GENERIC, genericNamer{}) }

// RegisterNamer makes traces name the commands and attributes of the
// family named family with n, once the family's ID is known: when a Conn
// resolves it (Family, Families, ParseFamily). A later call for the same
// family replaces n.
func RegisterNamer(family string, n Namer) {
	names.Lock()
	names.namers[family] = n
	names.Unlock()
}

// learnID records that family name has ID id, for traces. It allocates
// only the first time it learns an ID.
func learnID(id uint16, name string) {
	if id == 0 || name == "" {
		return
	}
	names.RLock()
	known := names.ids[id] == name
	names.RUnlock()
	if known {
		return
	}
	names.Lock()
	names.ids[id] = name
	names.Unlock()
}

// genericNamer names generic netlink messages for the root package's
// traces: the family by its ID, the command and attributes by the
// family's Namer.
type genericNamer struct{}

func (genericNamer) MessageName(m netlink.Message) (family, command string, attrs netlink.AttrNamer) {
	family, n := namer(m)
	if n == nil || len(m.Data) < 1 {
		return family, "", nil
	}
	command, attrs = n.CommandName(m.Data[0], m.Header.Flags&netlink.Request != 0)
	return family, command, attrs
}

// FixedHeaderLen returns the length of the fixed header of m's family, if
// its Namer is a FixedHeaderNamer; 0 otherwise.
func (genericNamer) FixedHeaderLen(m netlink.Message) int {
	if _, n := namer(m); n != nil {
		if f, ok := n.(FixedHeaderNamer); ok {
			return f.FixedHeaderLen()
		}
	}
	return 0
}

// namer returns the name of m's family and its Namer, as known.
func namer(m netlink.Message) (string, Namer) {
	names.RLock()
	defer names.RUnlock()
	family := names.ids[uint16(m.Header.Type)]
	return family, names.namers[family]
}
