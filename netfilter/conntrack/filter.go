package conntrack

import (
	"fmt"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Filter selects entries, for Flows and DeleteMatching. The kernel runs
// it (ctnetlink_filter_match): an entry is selected when it matches every
// part the filter has. The zero Filter selects every entry.
type Filter struct {
	// Family selects entries of one layer 3 protocol (AF_INET,
	// AF_INET6), when not 0 (the nfgenmsg family).
	Family uint8
	// Mark selects entries whose mark, with the bits of MarkMask, is
	// Mark (CTA_MARK, CTA_MARK_MASK), when MarkMask is not 0.
	Mark, MarkMask uint32
	// Status selects entries whose status, with the bits of StatusMask,
	// is Status (CTA_STATUS, CTA_STATUS_MASK), when StatusMask is not 0.
	Status, StatusMask Status
	// Zone selects entries of one zone (CTA_ZONE), when HasZone.
	Zone    uint16
	HasZone bool
	// Orig and Reply select entries by the fields of a tuple
	// (CTA_TUPLE_ORIG, CTA_TUPLE_REPLY with CTA_FILTER): those named by
	// Match. They need Family to be AF_INET or AF_INET6.
	Orig, Reply TupleFilter
}

// TupleFilter selects entries whose tuple has Tuple's values in the
// fields Match names.
type TupleFilter struct {
	Tuple Tuple
	Match TupleMatch
}

// TupleMatch is a set of a tuple's fields for the kernel to compare
// (CTA_FILTER_ORIG_FLAGS, CTA_FILTER_REPLY_FLAGS; the kernel's
// CTA_FILTER_F_* bits, net/netfilter/nf_internals.h).
type TupleMatch uint32

// The fields a filter can compare. The ports and ICMP fields need
// MatchProto; MatchICMP* compare ICMPv6's when the tuple's protocol is
// ICMPv6.
const (
	MatchSrc      TupleMatch = 1 << 0 // CTA_FILTER_F_CTA_IP_SRC
	MatchDst      TupleMatch = 1 << 1 // CTA_FILTER_F_CTA_IP_DST
	MatchProto    TupleMatch = 1 << 3 // CTA_FILTER_F_CTA_PROTO_NUM
	MatchSrcPort  TupleMatch = 1 << 4 // CTA_FILTER_F_CTA_PROTO_SRC_PORT
	MatchDstPort  TupleMatch = 1 << 5 // CTA_FILTER_F_CTA_PROTO_DST_PORT
	MatchICMPType TupleMatch = 1 << 6 // CTA_FILTER_F_CTA_PROTO_ICMP_TYPE (ICMPv6: 1<<9)
	MatchICMPCode TupleMatch = 1 << 7 // CTA_FILTER_F_CTA_PROTO_ICMP_CODE (ICMPv6: 1<<10)
	MatchICMPID   TupleMatch = 1 << 8 // CTA_FILTER_F_CTA_PROTO_ICMP_ID (ICMPv6: 1<<11)

	matchAll   = MatchSrc | MatchDst | MatchProto | MatchSrcPort | MatchDstPort | MatchICMPType | MatchICMPCode | MatchICMPID
	matchL4    = MatchSrcPort | MatchDstPort | MatchICMPType | MatchICMPCode | MatchICMPID
	matchICMP  = MatchICMPType | MatchICMPCode | MatchICMPID
	icmpv6Bits = 3 // the ICMPv6 bits are the ICMP bits shifted by this
)

// wire returns the kernel's flags for m on a tuple of protocol proto.
func (m TupleMatch) wire(proto uint8) uint32 {
	if proto == protoICMPv6 && m&matchICMP != 0 {
		return uint32(m&^matchICMP) | uint32(m&matchICMP)<<icmpv6Bits
	}
	return uint32(m)
}

// append appends the filter as a request's payload; del makes it a
// DELETE's, whose version byte 1 tells the kernel to honour the family.
func (f Filter) append(b []byte, del bool) ([]byte, error) {
	req := msgGet
	if del {
		req = msgDelete
	}
	for _, t := range []*TupleFilter{&f.Orig, &f.Reply} {
		if t.Match == 0 {
			continue
		}
		if t.Match&^matchAll != 0 {
			return nil, invalid(req, "%s: unknown tuple fields %#x", f.object(), uint32(t.Match&^matchAll))
		}
		if f.Family != afInet && f.Family != afInet6 {
			return nil, invalid(req, "%s: a tuple filter needs family AF_INET or AF_INET6", f.object())
		}
		if t.Match&matchL4 != 0 && t.Match&MatchProto == 0 {
			return nil, invalid(req, "%s: ports and ICMP fields need MatchProto", f.object())
		}
		if fam := t.Tuple.family(); fam != 0 && fam != f.Family {
			return nil, invalid(req, "%s: tuple addresses of another family", f.object())
		}
		if t.Match&MatchSrc != 0 && !t.Tuple.Src.IsValid() || t.Match&MatchDst != 0 && !t.Tuple.Dst.IsValid() {
			return nil, invalid(req, "%s: matching an address the tuple lacks", f.object())
		}
	}
	var version uint8
	if del {
		version = 1
	}
	b = netfilter.Header{Family: f.Family, Version: version}.Append(b)
	e := netlink.NewAttrEncoder(b)
	if f.MarkMask != 0 {
		e.Uint32BE(ctaMark, f.Mark)
		e.Uint32BE(ctaMarkMask, f.MarkMask)
	}
	if f.StatusMask != 0 {
		e.Uint32BE(ctaStatus, uint32(f.Status))
		e.Uint32BE(ctaStatusMask, uint32(f.StatusMask))
	}
	if f.HasZone {
		e.Uint16BE(ctaZone, f.Zone)
	}
	if f.Orig.Match != 0 || f.Reply.Match != 0 {
		if f.Orig.Match != 0 {
			encodeTuple(e, ctaTupleOrig, &f.Orig.Tuple)
		}
		if f.Reply.Match != 0 {
			encodeTuple(e, ctaTupleReply, &f.Reply.Tuple)
		}
		n := e.Nest(ctaFilter)
		if f.Orig.Match != 0 {
			e.Uint32(ctaFilterOrigFlags, f.Orig.Match.wire(f.Orig.Tuple.Proto))
		}
		if f.Reply.Match != 0 {
			e.Uint32(ctaFilterReplyFlags, f.Reply.Match.wire(f.Reply.Tuple.Proto))
		}
		e.End(n)
	}
	return e.Finish()
}

// object names the entries f selects, as "conntrack entries family 2
// mark 0x7/0xff".
func (f Filter) object() string {
	var b strings.Builder
	b.WriteString("conntrack entries")
	if f.Family != 0 {
		fmt.Fprintf(&b, " family %d", f.Family)
	}
	if f.MarkMask != 0 {
		fmt.Fprintf(&b, " mark %#x/%#x", f.Mark, f.MarkMask)
	}
	if f.StatusMask != 0 {
		fmt.Fprintf(&b, " status %s/%s", f.Status, f.StatusMask)
	}
	if f.HasZone {
		fmt.Fprintf(&b, " zone %d", f.Zone)
	}
	if f.Orig.Match != 0 {
		fmt.Fprintf(&b, " orig %s", f.Orig.Tuple)
	}
	if f.Reply.Match != 0 {
		fmt.Fprintf(&b, " reply %s", f.Reply.Tuple)
	}
	return b.String()
}
