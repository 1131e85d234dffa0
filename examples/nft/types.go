package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// dtype is one of nft's data types (enum datatypes in nftables'
// datatype.h), the few this program knows: how nft writes a value of the
// type in its text and its JSON, and how a command line gives one.
type dtype struct {
	id   uint32
	name string
	size int // in bytes
	// host is set for a type the kernel holds in host byte order (nft's
	// BYTEORDER_HOST_ENDIAN); the others are in network byte order.
	host bool
	// bitmask types (ct state) match with flags: "ct state new,related".
	bitmask bool
	// prefix types write a range as a prefix where one fits.
	prefix bool
	text   func(b []byte) string
	json   func(b []byte) any
	parse  func(s string) ([]byte, error)
}

// The data types. Their numbers are nft's, which it keeps in a set's key
// and data types.
var (
	typeVerdict     = &dtype{id: 1, name: "verdict"}
	typeNFProto     = &dtype{id: 2, name: "nf_proto", size: 1, host: true, text: symText(nfprotos), json: symJSON(nfprotos), parse: symParse(nfprotos)}
	typeIPAddr      = &dtype{id: 7, name: "ipv4_addr", size: 4, prefix: true, text: addrText, json: addrJSON, parse: addrParse(4)}
	typeIP6Addr     = &dtype{id: 8, name: "ipv6_addr", size: 16, prefix: true, text: addrText, json: addrJSON, parse: addrParse(16)}
	typeEtherType   = &dtype{id: 10, name: "ether_type", size: 2, text: symText(etherTypes), json: symJSON(etherTypes), parse: symParse(etherTypes)}
	typeInetProto   = &dtype{id: 12, name: "inet_proto", size: 1, text: symText(inetProtos), json: symJSON(inetProtos), parse: symParse(inetProtos)}
	typeInetService = &dtype{id: 13, name: "inet_service", size: 2, text: uintText(false), json: uintJSON(false), parse: uintParse(2, false)}
	typeMark        = &dtype{id: 19, name: "mark", size: 4, host: true, text: markText, json: uintJSON(true), parse: uintParse(4, true)}
	typeIfindex     = &dtype{id: 20, name: "iface_index", size: 4, host: true, text: uintText(true), json: uintJSON(true), parse: uintParse(4, true)}
	typeCtState     = &dtype{id: 26, name: "ct_state", size: 4, host: true, bitmask: true, text: ctStateText, json: ctStateJSON, parse: ctStateParse}
	typeIfname      = &dtype{id: 41, name: "ifname", size: 16, host: true, text: ifnameText, json: ifnameJSON, parse: ifnameParse}
)

var dtypes = []*dtype{typeVerdict, typeNFProto, typeIPAddr, typeIP6Addr, typeEtherType, typeInetProto, typeInetService, typeMark, typeIfindex, typeCtState, typeIfname}

func dtypeByID(id uint32) *dtype {
	if id == nftables.DataVerdict {
		return typeVerdict
	}
	for _, t := range dtypes {
		if t.id == id {
			return t
		}
	}
	return nil
}

// typeIDs splits the type of a set's key: one type, or the types of a
// concatenation, which nft packs 6 bits each, the first field highest.
func typeIDs(id uint32) []uint32 {
	if id < 64 || id == nftables.DataVerdict {
		return []uint32{id}
	}
	var ids []uint32
	for ; id > 0; id >>= 6 {
		ids = append([]uint32{id & 63}, ids...)
	}
	return ids
}

// keyTypes is typeIDs as data types, nil for those this program does not
// know.
func keyTypes(id uint32) []*dtype {
	var ts []*dtype
	for _, id := range typeIDs(id) {
		ts = append(ts, dtypeByID(id))
	}
	return ts
}

// typeName writes a set's key or data type as nft does: "ipv4_addr",
// "ipv4_addr . inet_service".
func typeName(id uint32) string {
	var names []string
	for _, id := range typeIDs(id) {
		if t := dtypeByID(id); t != nil {
			names = append(names, t.name)
		} else {
			names = append(names, "type("+strconv.FormatUint(uint64(id), 10)+")")
		}
	}
	return strings.Join(names, " . ")
}

// typeJSON is typeName in nft's JSON: a concatenation is a list.
func typeJSON(id uint32) any {
	if len(typeIDs(id)) == 1 {
		return typeName(id)
	}
	return strings.Split(typeName(id), " . ")
}

// value is a constant of a data type, in the kernel's bytes.
type value struct {
	t *dtype
	b []byte
}

func (v value) text() string {
	if v.t == nil || v.t.text == nil || (v.t.size != 0 && len(v.b) != v.t.size) {
		return fmt.Sprintf("0x%x", v.b)
	}
	return v.t.text(v.b)
}

func (v value) json() any {
	if v.t == nil || v.t.json == nil || (v.t.size != 0 && len(v.b) != v.t.size) {
		return fmt.Sprintf("0x%x", v.b)
	}
	return v.t.json(v.b)
}

// compareKeys orders two keys as nft lists a set's elements: by their
// value as a number, which for host byte order (and for nft's
// concatenations, whatever their fields) is the bytes from the last.
func compareKeys(a, b []byte, reverse bool) int {
	if !reverse {
		return bytes.Compare(a, b)
	}
	for i, j := len(a)-1, len(b)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if a[i] != b[j] {
			return int(a[i]) - int(b[j])
		}
	}
	return len(a) - len(b)
}

// sym is a named value of a type.
type sym struct {
	name string
	val  uint64
}

var (
	nfprotos   = []sym{{"ipv4", 2}, {"ipv6", 10}}
	etherTypes = []sym{{"ip", 0x0800}, {"arp", 0x0806}, {"ip6", 0x86dd}, {"vlan", 0x8100}}
	inetProtos = []sym{{"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"ipv6-icmp", 58}, {"sctp", 132}}
	ctStates   = []sym{{"invalid", 1}, {"established", 2}, {"related", 4}, {"new", 8}, {"untracked", 64}}
)

func symText(syms []sym) func([]byte) string {
	return func(b []byte) string {
		n := uintOf(b, false)
		for _, s := range syms {
			if s.val == n {
				return s.name
			}
		}
		if len(b) == 2 {
			return fmt.Sprintf("0x%04x", n)
		}
		return strconv.FormatUint(n, 10)
	}
}

func symJSON(syms []sym) func([]byte) any {
	return func(b []byte) any {
		s := symText(syms)(b)
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return n
		}
		return s
	}
}

func symParse(syms []sym) func(string) ([]byte, error) {
	return func(s string) ([]byte, error) {
		for _, x := range syms {
			if x.name == s {
				return putUint(x.val, symSize(syms), false), nil
			}
		}
		n, err := strconv.ParseUint(s, 0, 8*symSize(syms))
		if err != nil {
			return nil, fmt.Errorf("could not parse %q", s)
		}
		return putUint(n, symSize(syms), false), nil
	}
}

// symSize is the size of a symbolic type's values: the ether types are
// 2 bytes, the others 1.
func symSize(syms []sym) int {
	if len(syms) > 0 && syms[0].val > 0xff {
		return 2
	}
	return 1
}

// littleEndian is set where host byte order is not network byte order.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// uintOf reads a number in network or host byte order.
func uintOf(b []byte, host bool) uint64 {
	var n uint64
	for i := range b {
		c := b[i]
		if host && littleEndian {
			c = b[len(b)-1-i]
		}
		n = n<<8 | uint64(c)
	}
	return n
}

func putUint(n uint64, size int, host bool) []byte {
	b := make([]byte, size)
	for i := size - 1; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	if host && littleEndian {
		slices.Reverse(b)
	}
	return b
}

func uintText(host bool) func([]byte) string {
	return func(b []byte) string { return strconv.FormatUint(uintOf(b, host), 10) }
}

func uintJSON(host bool) func([]byte) any {
	return func(b []byte) any { return uintOf(b, host) }
}

func uintParse(size int, host bool) func(string) ([]byte, error) {
	return func(s string) ([]byte, error) {
		n, err := strconv.ParseUint(s, 0, 8*size)
		if err != nil {
			return nil, fmt.Errorf("could not parse %q as a number of %d bits", s, 8*size)
		}
		return putUint(n, size, host), nil
	}
}

func markText(b []byte) string { return fmt.Sprintf("0x%08x", uintOf(b, true)) }

func addrText(b []byte) string {
	a, _ := netip.AddrFromSlice(b)
	return a.String()
}

func addrJSON(b []byte) any { return addrText(b) }

func addrParse(size int) func(string) ([]byte, error) {
	return func(s string) ([]byte, error) {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" || len(a.AsSlice()) != size {
			return nil, fmt.Errorf("could not parse %q as an IPv%d address", s, map[int]int{4: 4, 16: 6}[size])
		}
		return a.AsSlice(), nil
	}
}

func ctStateNames(b []byte) []string {
	m := uintOf(b, true)
	var out []string
	for _, s := range ctStates {
		if m&s.val != 0 {
			out = append(out, s.name)
			m &^= s.val
		}
	}
	if m != 0 {
		out = append(out, fmt.Sprintf("0x%x", m))
	}
	return out
}

func ctStateText(b []byte) string { return strings.Join(ctStateNames(b), ",") }

func ctStateJSON(b []byte) any {
	if n := ctStateNames(b); len(n) != 1 {
		return n
	}
	return ctStateNames(b)[0]
}

func ctStateParse(s string) ([]byte, error) {
	var m uint64
	for _, name := range strings.Split(s, ",") {
		i := slices.IndexFunc(ctStates, func(x sym) bool { return x.name == name })
		if i < 0 {
			return nil, fmt.Errorf("could not parse %q as a conntrack state", name)
		}
		m |= ctStates[i].val
	}
	return putUint(m, 4, true), nil
}

func ifnameText(b []byte) string { return quote(string(bytes.TrimRight(b, "\x00"))) }
func ifnameJSON(b []byte) any    { return string(bytes.TrimRight(b, "\x00")) }

func ifnameParse(s string) ([]byte, error) {
	s = unquote(s)
	if len(s) == 0 || len(s) >= 16 || strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("%q is not an interface name", s)
	}
	b := make([]byte, 16)
	copy(b, s)
	return b, nil
}

// unquote takes the quotes off a word given as "word".
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// quote writes a string as nft does, in double quotes, as it is.
func quote(s string) string { return `"` + s + `"` }
