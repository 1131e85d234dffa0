package netlink

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// tap wraps s to trace and capture what passes, as cfg and NLKIT_DEBUG
// say, or returns s as it is: a Conn that neither traces nor captures pays
// nothing.
func tap(s sock, proto int, cfg *Config) sock {
	trace := cfg.Trace
	if trace == nil && os.Getenv("NLKIT_DEBUG") == "1" {
		trace = os.Stderr
	}
	if trace == nil && cfg.Capture == nil {
		return s
	}
	t := &tapSock{sock: s, proto: proto, trace: trace}
	if cfg.Capture != nil {
		t.pcap = &pcapWriter{w: cfg.Capture}
	}
	return t
}

// tapSock is a sock whose datagrams are traced and captured. Sending and
// receiving may run at once, so the writers are used under mu.
type tapSock struct {
	sock
	proto int
	mu    sync.Mutex
	trace io.Writer
	pcap  *pcapWriter
	buf   bytes.Buffer
}

func (t *tapSock) recv(buf *[]byte, how int) (Datagram, error) {
	d, err := t.sock.recv(buf, how)
	if err == nil || len(d.Data) > 0 {
		t.record(false, d.Data, d.From, d.Group)
	}
	return d, err
}

func (t *tapSock) send(b []byte, to Addr) error {
	err := t.sock.send(b, to)
	if err == nil {
		t.record(true, b, to, 0)
	}
	return err
}

// record traces and captures one datagram; errors of the writers are
// ignored, as a trace must not fail the Conn.
func (t *tapSock) record(sent bool, b []byte, peer Addr, group uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pcap != nil {
		t.pcap.write(time.Now(), t.proto, sent, b)
	}
	if t.trace == nil {
		return
	}
	t.buf.Reset()
	dir, prep := "received", "from"
	if sent {
		dir, prep = "sent", "to"
	}
	who := "the kernel"
	switch {
	case group != 0:
		who = fmt.Sprintf("group %d", group)
	case peer.PortID != 0:
		who = fmt.Sprintf("port %d", peer.PortID)
	case peer.Groups != 0:
		who = fmt.Sprintf("groups %#x", peer.Groups)
	}
	fmt.Fprintf(&t.buf, "netlink %s: %s %d bytes %s %s\n", ProtocolName(t.proto), dir, len(b), prep, who)
	formatMessages(&t.buf, t.proto, b, "  ")
	t.trace.Write(t.buf.Bytes())
}

// FormatMessages writes a readable account of the netlink messages in b, of
// protocol proto, to w: each header with its type and flags by name, then
// the payload: the error code and request of an NLMSG_ERROR, the family
// header of the message types it knows (rtnetlink's, generic netlink's) in
// hex, and attributes as a tree, with strings quoted, integers in decimal
// and other payloads in hex. Where the protocol's MessageNamer (see
// SetMessageNamer) knows the message, it names its family, its command
// and its attributes, nested ones included, says which attributes are
// strings, integers and nests, and names the values of enums and the bits
// of flags, as in "full(1)" and "up|running(0x41)". A malformed message
// ends the account with a line that says what is wrong. It returns the
// error of w.
func FormatMessages(w io.Writer, proto int, b []byte) error {
	var buf bytes.Buffer
	formatMessages(&buf, proto, b, "")
	_, err := w.Write(buf.Bytes())
	return err
}

func formatMessages(w *bytes.Buffer, proto int, b []byte, indent string) {
	for m, err := range Messages(b) {
		if err != nil {
			fmt.Fprintf(w, "%s%v\n", indent, err)
			return
		}
		formatMessage(w, proto, m, indent)
	}
}

// The protocols whose messages FormatMessages knows (NETLINK_ROUTE,
// NETLINK_GENERIC), named here since syscall lacks them off Linux.
const (
	protoRoute   = 0
	protoGeneric = 16
)

// genericCtrl is GENL_ID_CTRL, the type of nlctrl's messages.
const genericCtrl = 0x10

func formatMessage(w *bytes.Buffer, proto int, m Message, indent string) {
	h := m.Header
	name := RequestName(proto, h.Type)
	var family, command string
	var names AttrNamer
	if h.Type >= minType {
		family, command, names = messageNames(proto, m)
	}
	switch {
	case family != "":
		name = family
	case proto == protoGeneric && h.Type == genericCtrl:
		name = "nlctrl"
	case proto == protoGeneric && h.Type >= minType:
		name = fmt.Sprintf("family %d", h.Type)
	}
	fmt.Fprintf(w, "%s%s len=%d flags=%s seq=%d port=%d\n", indent, name, h.Length, h.Flags.Format(flagKind(proto, h)), h.Sequence, h.PortID)
	in := indent + "  "
	switch h.Type {
	case TypeError:
		ack, err := ParseAck(m)
		if err != nil {
			fmt.Fprintf(w, "%s%v\n", in, err)
			formatHex(w, m.Data, in)
			return
		}
		rest := 4 + HeaderLen
		if h.Flags&Capped == 0 {
			rest = 4 + Align(int(ack.Request.Length))
		}
		req := requestName(proto, ack.Request, m.Data[4+HeaderLen:min(max(rest, 4+HeaderLen), len(m.Data))])
		if ack.Errno == 0 {
			fmt.Fprintf(w, "%sack of %s seq=%d\n", in, req, ack.Request.Sequence)
		} else {
			fmt.Fprintf(w, "%serror %d (%v) for %s seq=%d\n", in, -int(ack.Errno), ack.Errno, req, ack.Request.Sequence)
		}
		if h.Flags&AckTLVs != 0 {
			if rest <= len(m.Data) {
				formatAttrs(w, m.Data[rest:], in, 0, nil)
			}
		}
		return
	case TypeDone:
		if len(m.Data) >= 4 {
			if e := errnoOf(m.Data); e != 0 {
				fmt.Fprintf(w, "%serror %d (%v)\n", in, -int(e), e)
			}
		}
		return
	}
	if h.Type < minType {
		formatHex(w, m.Data, in)
		return
	}
	fixed, ok := familyHeaderLen(proto, h.Type)
	if !ok || fixed > len(m.Data) {
		formatHex(w, m.Data, in)
		return
	}
	if proto == protoGeneric {
		if command != "" {
			fmt.Fprintf(w, "%scmd=%d (%s) version=%d\n", in, m.Data[0], command, m.Data[1])
		} else {
			fmt.Fprintf(w, "%scmd=%d version=%d\n", in, m.Data[0], m.Data[1])
		}
		if n := fixedHeaderLen(proto, m); n > 0 {
			// The family's own header (Open vSwitch's ovs_header).
			end := min(fixed+n, len(m.Data))
			fmt.Fprintf(w, "%sheader len=%d:", in, end-fixed)
			for _, c := range m.Data[fixed:end] {
				fmt.Fprintf(w, " %02x", c)
			}
			w.WriteByte('\n')
			fixed += n
		}
	} else {
		fmt.Fprintf(w, "%sheader:", in)
		for _, c := range m.Data[:fixed] {
			fmt.Fprintf(w, " %02x", c)
		}
		w.WriteByte('\n')
	}
	formatAttrs(w, m.Data[min(Align(fixed), len(m.Data)):], in, 0, names)
}

// requestName names the request that an ACK answers, from its header and
// what the ACK echoes of its payload (nothing when capped).
func requestName(proto int, h Header, payload []byte) string {
	if h.Type >= minType {
		family, command, _ := messageNames(proto, Message{Header: h, Data: payload})
		switch {
		case family != "" && command != "":
			return family + " " + command
		case family != "":
			return family
		}
	}
	return RequestName(proto, h.Type)
}

// flagKind says how to read the modifier flags of a message with header h.
func flagKind(proto int, h Header) FlagKind {
	switch {
	case h.Type == TypeError || h.Type == TypeDone:
		return KindAck
	case proto == protoRoute && h.Type >= minType && h.Flags&Request != 0:
		return [...]FlagKind{KindNew, KindDelete, KindGet, KindNew}[(h.Type-minType)%4]
	case h.Flags&Request != 0 && h.Flags&Dump == Dump:
		return KindGet
	}
	return -1 // String's names, which say both meanings
}

// routeHeaderLen are the family headers of rtnetlink's objects, in the
// order of routeObjects; 0 for those this package does not know.
var routeHeaderLen = [...]int{
	16, 8, 12, 12, 12, 20, 20, 20, // ifinfomsg, ifaddrmsg, rtmsg, ndmsg, fib_rule_hdr, tcmsg ×3
	4, 12, 0, 0, 4, 0, 12, 4, // tcamsg, prefixmsg, -, -, ndtmsg, -, ifaddrlblmsg, dcbmsg
	4, 8, 4, 12, 0, 20, 8, 16, // netconfmsg, br_port_msg, rtgenmsg, if_stats_msg, -, tcmsg, nhmsg, ifinfomsg
	8, 8, 8, // br_vlan_msg, nhmsg, tunnel_msg
}

// familyHeaderLen is the length of the family header of messages of type t
// in protocol proto, when known.
func familyHeaderLen(proto int, t HeaderType) (int, bool) {
	switch proto {
	case protoRoute:
		if i := int(t-minType) / 4; i < len(routeHeaderLen) && routeHeaderLen[i] > 0 {
			return routeHeaderLen[i], true
		}
	case protoGeneric:
		return 4, true // genlmsghdr
	}
	return 0, false
}

// formatAttrs writes the attributes in b as a tree, named by names where
// it is not nil.
func formatAttrs(w *bytes.Buffer, b []byte, indent string, depth int, names AttrNamer) {
	for a, err := range Attrs(b) {
		if err != nil {
			fmt.Fprintf(w, "%s%v\n", indent, err)
			formatHex(w, b, indent)
			return
		}
		flags := ""
		if a.Type&AttrNested != 0 {
			flags += " nested"
		}
		if a.Type&AttrNetByteOrder != 0 {
			flags += " net-order"
		}
		var info AttrInfo
		if names != nil {
			info, _ = names.Attr(a.Type & AttrTypeMask)
		}
		name := ""
		if info.Name != "" {
			name = " " + info.Name
		}
		fmt.Fprintf(w, "%sattr %d%s%s len=%d", indent, a.Type&AttrTypeMask, name, flags, AttrHeaderLen+len(a.Data))
		// What the names say of an attribute decides how it is printed;
		// without, its bytes: a nest when flagged or when they look like
		// one, a string when they look like one.
		nest := a.Type&AttrNested != 0 || info.Nested != nil || info.Kind == "nest" || (info.Kind == "" && looksNested(a.Data))
		switch {
		case len(a.Data) == 0:
			w.WriteByte('\n')
		case info.Kind == "string":
			fmt.Fprintf(w, ": %q\n", bytes.TrimSuffix(a.Data, []byte{0}))
		case info.Kind == "" && isString(a.Data):
			fmt.Fprintf(w, ": %q\n", a.Data[:len(a.Data)-1])
		case depth < MaxNestDepth && nest:
			w.WriteByte('\n')
			formatAttrs(w, a.Data, indent+"  ", depth+1, info.Nested)
		case len(a.Data) <= 16:
			w.WriteByte(':')
			for _, c := range a.Data {
				fmt.Fprintf(w, " %02x", c)
			}
			formatValue(w, a.Data, info, a.Type&AttrNetByteOrder != 0 || info.BigEndian)
			w.WriteByte('\n')
		default:
			w.WriteByte('\n')
			formatHex(w, a.Data, indent+"  ")
		}
	}
}

// formatValue writes, after the bytes b of an attribute that info
// describes, the integer they hold, as in " (9)", with its name where
// info has one: " full(1)", " up|running(0x41)" (a set of flags, in
// hexadecimal). A bitfield32 is its value and selector, as in
// " value=0x1 selector=0x3" or " value=up(0x1) selector=up|running(0x41)".
// A 1-byte payload counts as an integer only when info says it is one.
func formatValue(w *bytes.Buffer, b []byte, info AttrInfo, netOrder bool) {
	if info.Kind == "bitfield32" && len(b) == 8 {
		for i, field := range [2]string{" value=", " selector="} {
			v := uint64(binary.NativeEndian.Uint32(b[4*i:]))
			w.WriteString(field)
			if !writeFlagNames(w, v, info.Values) {
				fmt.Fprintf(w, "%#x", v)
				continue
			}
			fmt.Fprintf(w, "(%#x)", v)
		}
		return
	}
	n, ok := integer(b, netOrder, isInteger(info.Kind))
	if !ok {
		return
	}
	w.WriteByte(' ')
	switch {
	case info.Flags:
		writeFlagNames(w, n, info.Values)
		fmt.Fprintf(w, "(%#x)", n)
	case isInteger(info.Kind) && info.Kind[0] == 's':
		v := signed(n, len(b))
		if info.Values != nil {
			w.WriteString(info.Values.ValueName(uint64(v)))
		}
		fmt.Fprintf(w, "(%d)", v)
	default:
		if info.Values != nil {
			w.WriteString(info.Values.ValueName(n))
		}
		fmt.Fprintf(w, "(%d)", n)
	}
}

// writeFlagNames writes the names of the bits set in v that names knows,
// joined by "|", then, if it wrote any, the bits it does not know in
// hexadecimal ("up|running|0x100"). It reports whether it wrote a name.
func writeFlagNames(w *bytes.Buffer, v uint64, names ValueNamer) bool {
	if names == nil {
		return false
	}
	named, rest := false, uint64(0)
	for bits := v; bits != 0; bits &= bits - 1 {
		bit := bits & -bits
		name := names.ValueName(bit)
		if name == "" {
			rest |= bit
			continue
		}
		if named {
			w.WriteByte('|')
		}
		w.WriteString(name)
		named = true
	}
	if named && rest != 0 {
		fmt.Fprintf(w, "|%#x", rest)
	}
	return named
}

// isString reports whether b is a NUL-terminated string of printable
// ASCII.
func isString(b []byte) bool {
	if len(b) < 2 || b[len(b)-1] != 0 {
		return false
	}
	for _, c := range b[:len(b)-1] {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// looksNested reports whether b, an attribute's payload without
// NLA_F_NESTED (rtnetlink rarely sets it), parses as attributes: at least
// eight bytes, which fill b exactly, none of type 0.
func looksNested(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	for a, err := range Attrs(b) {
		if err != nil || a.Type&AttrTypeMask == 0 {
			return false
		}
	}
	return true
}

// integer reads b, of 1, 2, 4 or 8 bytes, as an unsigned integer. A
// single byte counts only when names say it is one.
func integer(b []byte, netOrder, oneByte bool) (uint64, bool) {
	var order binary.ByteOrder = binary.NativeEndian
	if netOrder {
		order = binary.BigEndian
	}
	switch len(b) {
	case 1:
		return uint64(b[0]), oneByte
	case 2:
		return uint64(order.Uint16(b)), true
	case 4:
		return uint64(order.Uint32(b)), true
	case 8:
		return order.Uint64(b), true
	}
	return 0, false
}

// formatHex writes b in hex, 16 bytes a line.
func formatHex(w *bytes.Buffer, b []byte, indent string) {
	for len(b) > 0 {
		n := min(16, len(b))
		var line strings.Builder
		for i, c := range b[:n] {
			if i > 0 {
				line.WriteByte(' ')
			}
			fmt.Fprintf(&line, "%02x", c)
		}
		fmt.Fprintf(w, "%s%s\n", indent, line.String())
		b = b[n:]
	}
}

// isInteger reports whether kind, a YNL attribute type, is an integer.
func isInteger(kind string) bool {
	switch kind {
	case "u8", "u16", "u32", "u64", "uint", "s8", "s16", "s32", "s64", "sint":
		return true
	}
	return false
}

// signed reads n, an integer of size bytes, as two's complement.
func signed(n uint64, size int) int64 {
	shift := 64 - 8*size
	return int64(n<<shift) >> shift
}
