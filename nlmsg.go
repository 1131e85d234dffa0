package netlink

import (
	"encoding/binary"
	"fmt"
	"iter"
	"strconv"
	"strings"
)

// HeaderType is nlmsg_type: a control type below TypeMinType, or a
// family-specific message type (RTM_NEWLINK, a genetlink family ID, ...).
type HeaderType uint16

// Control message types from <linux/netlink.h>.
const (
	TypeNoop    HeaderType = 0x1  // NLMSG_NOOP: nothing; skip it
	TypeError   HeaderType = 0x2  // NLMSG_ERROR: an error, or an ACK when the code is 0
	TypeDone    HeaderType = 0x3  // NLMSG_DONE: the end of a multipart message
	TypeOverrun HeaderType = 0x4  // NLMSG_OVERRUN: data was lost
	TypeMinType HeaderType = 0x10 // NLMSG_MIN_TYPE: the first type a family may use
)

// String names the control types and prints other types in decimal.
func (t HeaderType) String() string {
	switch t {
	case TypeNoop:
		return "NOOP"
	case TypeError:
		return "ERROR"
	case TypeDone:
		return "DONE"
	case TypeOverrun:
		return "OVERRUN"
	}
	return strconv.Itoa(int(t))
}

// HeaderFlags is nlmsg_flags.
//
// The bits from 0x100 up mean different things depending on the request:
// GET requests use Root, Match, Atomic and Dump; NEW requests use Replace,
// Excl, Create and Append; DELETE requests use NonRecursive and Bulk; ACKs
// and errors use Capped and AckTLVs. String cannot know which applies, so
// Format takes the kind of message.
type HeaderFlags uint16

// Flags valid in every message (NLM_F_*).
const (
	Request         HeaderFlags = 0x01 // NLM_F_REQUEST: a request
	Multi           HeaderFlags = 0x02 // NLM_F_MULTI: part of a multipart message ending in DONE
	Acknowledge     HeaderFlags = 0x04 // NLM_F_ACK: reply with an ACK (or an error)
	Echo            HeaderFlags = 0x08 // NLM_F_ECHO: echo this request to the sender
	DumpInterrupted HeaderFlags = 0x10 // NLM_F_DUMP_INTR: the dump was inconsistent
	DumpFiltered    HeaderFlags = 0x20 // NLM_F_DUMP_FILTERED: the dump was filtered as asked
)

// Modifiers of GET requests.
const (
	Root   HeaderFlags = 0x100        // NLM_F_ROOT: the whole table, not one entry
	Match  HeaderFlags = 0x200        // NLM_F_MATCH: every entry that matches
	Atomic HeaderFlags = 0x400        // NLM_F_ATOMIC: an atomic snapshot
	Dump   HeaderFlags = Root | Match // NLM_F_DUMP
)

// Modifiers of NEW requests.
const (
	Replace HeaderFlags = 0x100 // NLM_F_REPLACE: replace an existing entry
	Excl    HeaderFlags = 0x200 // NLM_F_EXCL: fail if the entry exists
	Create  HeaderFlags = 0x400 // NLM_F_CREATE: create the entry if it does not exist
	Append  HeaderFlags = 0x800 // NLM_F_APPEND: add at the end of the list
)

// Modifiers of DELETE requests.
const (
	NonRecursive HeaderFlags = 0x100 // NLM_F_NONREC: do not delete recursively
	Bulk         HeaderFlags = 0x200 // NLM_F_BULK: delete every matching entry
)

// Flags of ACK and error messages.
const (
	Capped  HeaderFlags = 0x100 // NLM_F_CAPPED: the echoed request was cut to its header
	AckTLVs HeaderFlags = 0x200 // NLM_F_ACK_TLVS: extended ACK attributes follow
)

// FlagKind says how Format reads the modifier bits of HeaderFlags.
type FlagKind int

// The kinds of message whose modifier bits differ.
const (
	KindGet    FlagKind = iota // GET requests and dumps
	KindNew                    // NEW (create or change) requests
	KindDelete                 // DELETE requests
	KindAck                    // NLMSG_ERROR messages, errors and ACKs
)

// flagName names a flag, or a group of bits that print as one name.
type flagName struct {
	f    HeaderFlags
	name string
}

var flagNames = []flagName{
	{Request, "REQUEST"}, {Multi, "MULTI"}, {Acknowledge, "ACK"}, {Echo, "ECHO"},
	{DumpInterrupted, "DUMP_INTR"}, {DumpFiltered, "DUMP_FILTERED"},
}

var modifierNames = [...][]flagName{
	KindGet:    {{Dump, "DUMP"}, {Root, "ROOT"}, {Match, "MATCH"}, {Atomic, "ATOMIC"}},
	KindNew:    {{Replace, "REPLACE"}, {Excl, "EXCL"}, {Create, "CREATE"}, {Append, "APPEND"}},
	KindDelete: {{NonRecursive, "NONREC"}, {Bulk, "BULK"}},
	KindAck:    {{Capped, "CAPPED"}, {AckTLVs, "ACK_TLVS"}},
}

// ambiguous names each modifier bit by all its meanings, for String.
var ambiguous = []flagName{
	{Dump, "DUMP"}, {Root, "ROOT/REPLACE"}, {Match, "MATCH/EXCL"},
	{Atomic, "ATOMIC/CREATE"}, {Append, "APPEND"},
}

// String prints the flags joined by "|", for example "REQUEST|ACK|DUMP".
// Modifier bits whose meaning depends on the request are printed with their
// GET and NEW names, as in "ATOMIC/CREATE", and both bits of Dump print as
// "DUMP". Use Format when the kind of message is known (Header.String does
// for NLMSG_ERROR and NLMSG_DONE).
func (f HeaderFlags) String() string {
	return f.format(ambiguous)
}

// Format prints the flags like String, naming the modifier bits as they are
// read in a message of kind k.
func (f HeaderFlags) Format(k FlagKind) string {
	if k < 0 || int(k) >= len(modifierNames) {
		return f.String()
	}
	return f.format(modifierNames[k])
}

func (f HeaderFlags) format(mods []flagName) string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for _, table := range [][]flagName{flagNames, mods} {
		for _, n := range table {
			if f&n.f == n.f {
				parts = append(parts, n.name)
				f &^= n.f
			}
		}
	}
	if f != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint16(f)))
	}
	return strings.Join(parts, "|")
}

// Header is struct nlmsghdr.
type Header struct {
	Length   uint32      // nlmsg_len: header and payload, without trailing padding
	Type     HeaderType  // nlmsg_type
	Flags    HeaderFlags // nlmsg_flags
	Sequence uint32      // nlmsg_seq
	PortID   uint32      // nlmsg_pid: the sending port, 0 for the kernel
}

// String prints the header's fields. The flags of NLMSG_ERROR and
// NLMSG_DONE are read as ACK flags (CAPPED, ACK_TLVS).
func (h Header) String() string {
	flags := h.Flags.String()
	if h.Type == TypeError || h.Type == TypeDone {
		flags = h.Flags.Format(KindAck)
	}
	return fmt.Sprintf("{len=%d type=%v flags=%s seq=%d port=%d}", h.Length, h.Type, flags, h.Sequence, h.PortID)
}

// Message is one netlink message: a header and the payload that follows it.
// Messages from Messages and from Conn's zero-copy calls alias the buffer they
// were parsed from.
type Message struct {
	Header Header
	Data   []byte // the payload: everything after the header, up to nlmsg_len
}

// Attrs walks the attributes of m's payload that follow a fixed family header
// of fixedLen bytes (for example unix.SizeofIfInfomsg for RTM_NEWLINK, or 0
// when attributes start right after the netlink header). Like the kernel's
// nlmsg_attrdata, it skips fixedLen rounded up to the alignment. A payload
// shorter than the family header yields an error.
func (m Message) Attrs(fixedLen int) iter.Seq2[Attr, error] {
	return func(yield func(Attr, error) bool) {
		if fixedLen < 0 || fixedLen > len(m.Data) {
			yield(Attr{}, shortPayloadError(len(m.Data), m.Header.Type, fixedLen))
			return
		}
		// Like nlmsg_parse, need the family header only, not its padding.
		walkAttrs(m.Data[min(Align(fixedLen), len(m.Data)):], yield)
	}
}

// shortPayloadError is the error for a payload of size bytes, in a message
// of type typ, that is shorter than its family header.
func shortPayloadError(size int, typ HeaderType, fixedLen int) error {
	return fmt.Errorf("netlink: %d-byte payload of message type %v is shorter than its %d-byte family header: %w",
		size, typ, fixedLen, ErrMalformed)
}

// AppendMessage appends a message with header h and payload data to b and
// returns the extended buffer. The length field is computed, whatever
// h.Length holds, and the message is padded to the alignment.
func AppendMessage(b []byte, h Header, data []byte) []byte {
	h.Length = uint32(MessageLen(len(data)))
	b = AppendHeader(b, h)
	b = append(b, data...)
	return pad(b)
}

// AppendHeader appends h to b as is, for building a message in place: append
// the header, then the payload (a family header, attributes), then call
// SetLength with the offset where the header started.
func AppendHeader(b []byte, h Header) []byte {
	b = binary.NativeEndian.AppendUint32(b, h.Length)
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Flags))
	b = binary.NativeEndian.AppendUint32(b, h.Sequence)
	return binary.NativeEndian.AppendUint32(b, h.PortID)
}

// SetLength sets the length of the message that starts at offset start in b
// to the bytes from there to the end of b, and pads b to the alignment. It
// returns the padded buffer.
func SetLength(b []byte, start int) []byte {
	binary.NativeEndian.PutUint32(b[start:], uint32(len(b)-start))
	return pad(b)
}

// pad appends zero bytes up to the alignment.
func pad(b []byte) []byte {
	for len(b)%AlignTo != 0 {
		b = append(b, 0)
	}
	return b
}

// ParseHeader decodes the header at the start of b. It checks only that b is
// long enough for a header; Messages checks the length field too.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("netlink: %d bytes are too short for a message header: %w", len(b), ErrMalformed)
	}
	return Header{
		Length:   binary.NativeEndian.Uint32(b[0:4]),
		Type:     HeaderType(binary.NativeEndian.Uint16(b[4:6])),
		Flags:    HeaderFlags(binary.NativeEndian.Uint16(b[6:8])),
		Sequence: binary.NativeEndian.Uint32(b[8:12]),
		PortID:   binary.NativeEndian.Uint32(b[12:16]),
	}, nil
}

// messageError describes the malformed message at the start of b: too short
// for a header, or with a length smaller than the header or past the end.
func messageError(b []byte) error {
	if len(b) < HeaderLen {
		_, err := ParseHeader(b)
		return err
	}
	n := int(binary.NativeEndian.Uint32(b))
	if n < HeaderLen {
		return fmt.Errorf("netlink: message length %d is smaller than the %d-byte header: %w", n, HeaderLen, ErrMalformed)
	}
	return fmt.Errorf("netlink: message length %d runs past the %d bytes left in the buffer: %w", n, len(b), ErrMalformed)
}

// Messages walks the netlink messages in b, yielding each with its payload
// aliasing b. A malformed message (a short header, a length smaller than the
// header or past the end of b) yields an error and ends the walk.
// MessageDecoder is the same walk as a loop of calls that inline, for hot
// paths: a range loop over Messages calls its body once per message.
func Messages(b []byte) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) { walkMessages(b, yield) }
}

// MessageDecoder walks the netlink messages in a buffer one at a time, as
// AttrDecoder walks attributes: the loop form of Messages, for hot paths. It
// makes no closure and costs no call per message, since Next and the
// accessors inline:
//
//	md := netlink.NewMessageDecoder(b)
//	for md.Next() {
//		if md.Type() != unix.RTM_NEWLINK {
//			continue
//		}
//		d := md.AttrDecoder(unix.SizeofIfInfomsg)
//		for d.Next() {
//			// ...
//		}
//		if err := d.Err(); err != nil {
//			return err
//		}
//	}
//	if err := md.Err(); err != nil {
//		return err
//	}
//
// Next stops at a malformed message, as Messages does, and Err reports it
// with the error Messages yields. The messages alias the buffer. Like
// AttrDecoder, NewMessageDecoder returns a decoder by value, to live on the
// caller's stack; the zero MessageDecoder has no messages.
type MessageDecoder struct {
	rest []byte           // the messages after the current one
	hdr  *[HeaderLen]byte // the current message's header; nil before the first
	data []byte           // the current message's payload
	typ  HeaderType       // the current message's type: read by most loops
}

// NewMessageDecoder returns a decoder for the messages in b.
func NewMessageDecoder(b []byte) MessageDecoder {
	return MessageDecoder{rest: b}
}

// Reset makes md decode the messages in b.
func (md *MessageDecoder) Reset(b []byte) {
	*md = MessageDecoder{rest: b}
}

// Next moves to the next message and reports whether there is one. It
// returns false at the end of the buffer and at a malformed message (a short
// header, a length smaller than the header or past the end of the buffer),
// where it stays. The padding after the last message may be missing.
func (md *MessageDecoder) Next() bool {
	// Free of calls, and within the inlining budget (cost 77 of 80 with Go
	// 1.26): keeping the payload, rather than the whole message, saves the
	// hot loop cutting off the header twice, and the type has a field of its
	// own so that AttrDecoder inlines too. go build -gcflags=-m shows both.
	b := md.rest
	if len(b) < HeaderLen {
		return false
	}
	n := int(binary.NativeEndian.Uint32(b))
	if n < HeaderLen || n > len(b) {
		return false
	}
	md.hdr = (*[HeaderLen]byte)(b)
	md.typ = HeaderType(binary.NativeEndian.Uint16(b[4:6]))
	md.data = b[HeaderLen:n:n]
	md.rest = b[min(Align(n), len(b)):]
	return true
}

// Err returns the error for the malformed message at which Next stopped, or
// nil when the walk reached the end of the buffer or has yet to meet a
// malformed message. Each call makes a new error value.
func (md *MessageDecoder) Err() error {
	if len(md.rest) == 0 {
		return nil
	}
	return md.slowErr()
}

// slowErr is Err with messages left: Next stops at a malformed one without
// saying why.
func (md *MessageDecoder) slowErr() error {
	b := md.rest
	if len(b) >= HeaderLen {
		if n := int(binary.NativeEndian.Uint32(b)); n >= HeaderLen && n <= len(b) {
			return nil
		}
	}
	return messageError(b)
}

// Header returns the current message's header; the zero Header before the
// first Next.
func (md *MessageDecoder) Header() Header {
	b := md.hdr
	if b == nil {
		return Header{}
	}
	return Header{
		Length:   binary.NativeEndian.Uint32(b[0:4]),
		Type:     HeaderType(binary.NativeEndian.Uint16(b[4:6])),
		Flags:    HeaderFlags(binary.NativeEndian.Uint16(b[6:8])),
		Sequence: binary.NativeEndian.Uint32(b[8:12]),
		PortID:   binary.NativeEndian.Uint32(b[12:16]),
	}
}

// Type returns the current message's type: md.Header().Type, read alone.
func (md *MessageDecoder) Type() HeaderType {
	return md.typ
}

// Data returns the current message's payload, aliasing the buffer.
func (md *MessageDecoder) Data() []byte {
	return md.data
}

// Message returns the current message, as Messages would yield it.
func (md *MessageDecoder) Message() Message {
	return Message{Header: md.Header(), Data: md.Data()}
}

// AttrDecoder returns a decoder for the attributes of the current message's
// payload that follow a fixed family header of fixedLen bytes: the same as
// Message.AttrDecoder, without making the Message.
func (md *MessageDecoder) AttrDecoder(fixedLen int) AttrDecoder {
	// The body of Message.AttrDecoder: see there.
	data := md.Data()
	var rest []byte
	var bad failure
	if fixedLen >= 0 && fixedLen <= len(data) {
		rest = data[min(Align(fixedLen), len(data)):]
	} else {
		rest = data[:0:len(data)]
		bad = failShort | failure(md.typ)<<8 | failure(uint32(fixedLen))<<24
	}
	return AttrDecoder{rest: rest, bad: bad}
}

// walkMessages is the body of Messages, kept apart so that Messages inlines
// and a range loop over it allocates nothing. It parses the header in place,
// with the error paths out of line: this loop is the hot path of every
// receive.
func walkMessages(b []byte, yield func(Message, error) bool) {
	for len(b) > 0 {
		if len(b) >= HeaderLen {
			n := int(binary.NativeEndian.Uint32(b))
			if n >= HeaderLen && n <= len(b) {
				// Built in the call: Header has too many fields for
				// the compiler to keep in registers, and a Message
				// built in a variable is zeroed first, or copied in
				// whole, which stalls on reading back the fields just
				// stored.
				m := Message{Header: Header{
					Length:   uint32(n),
					Type:     HeaderType(binary.NativeEndian.Uint16(b[4:6])),
					Flags:    HeaderFlags(binary.NativeEndian.Uint16(b[6:8])),
					Sequence: binary.NativeEndian.Uint32(b[8:12]),
					PortID:   binary.NativeEndian.Uint32(b[12:16]),
				}, Data: b[HeaderLen:n:n]}
				if !yield(m, nil) {
					return
				}
				// The padding after the last message of a datagram may
				// be missing.
				b = b[min(Align(n), len(b)):]
				continue
			}
		}
		yield(Message{}, messageError(b))
		return
	}
}
