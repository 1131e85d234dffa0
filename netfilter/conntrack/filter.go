package conntrack

import (
	"fmt"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Filter selects entries, for Flows and DeleteMatching: an entry is
// selected when it matches every part the filter has (see Match). The
// zero Filter selects every entry.
//
// The kernel runs what it can of a filter (ctnetlink_filter_match), and
// this package the rest, so that Flows yields, and DeleteMatching deletes,
// exactly what Match selects on every kernel. The kernel's own filter
// differs in places: kernels before 6.8 ignore the zone; some kernels
// invert the comparison of IPv6 addresses in a tuple filter, so that a
// dump filtered by an IPv6 address lists every entry but those of the
// address (6.1's ctnetlink_filter_match_tuple tests !ipv6_addr_cmp;
// Debian's 6.12.118 compares them right, this project's 6.18.44 host
// inverts them again), so the kernel is never given one; and it compares
// ports for TCP and UDP only.
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
// MatchProto: the ports a protocol with ports (TCP, UDP, UDP-Lite, SCTP,
// DCCP; GRE's keys), the ICMP fields ICMP or ICMPv6, whose fields
// MatchICMP* then compare.
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

// check refuses a filter that cannot be sent in a request of type req.
func (f Filter) check(req netlink.HeaderType) error {
	for _, t := range []*TupleFilter{&f.Orig, &f.Reply} {
		if t.Match == 0 {
			continue
		}
		if t.Match&^matchAll != 0 {
			return invalid(req, "%s: unknown tuple fields %#x", f.object(), uint32(t.Match&^matchAll))
		}
		if f.Family != afInet && f.Family != afInet6 {
			return invalid(req, "%s: a tuple filter needs family AF_INET or AF_INET6", f.object())
		}
		if t.Match&matchL4 != 0 && t.Match&MatchProto == 0 {
			return invalid(req, "%s: ports and ICMP fields need MatchProto", f.object())
		}
		if t.Match&(MatchSrcPort|MatchDstPort) != 0 && !hasPorts(t.Tuple.Proto) {
			return invalid(req, "%s: protocol %d has no ports", f.object(), t.Tuple.Proto)
		}
		if t.Match&matchICMP != 0 && t.Tuple.Proto != protoICMP && t.Tuple.Proto != protoICMPv6 {
			return invalid(req, "%s: ICMP fields need protocol ICMP or ICMPv6, not %d", f.object(), t.Tuple.Proto)
		}
		if fam := t.Tuple.family(); fam != 0 && fam != f.Family {
			return invalid(req, "%s: tuple addresses of another family", f.object())
		}
		if t.Match&MatchSrc != 0 && !t.Tuple.Src.IsValid() || t.Match&MatchDst != 0 && !t.Tuple.Dst.IsValid() {
			return invalid(req, "%s: matching an address the tuple lacks", f.object())
		}
	}
	return nil
}

// Match reports whether f selects the entry fl: fl is of f's family, its
// mark and status are f's under their masks, it is in f's zone, and its
// tuples have the values of f's tuples in the fields they name. The zone
// of an entry whose zone applies to one direction only is that zone.
func (f Filter) Match(fl *Flow) bool {
	switch {
	case f.Family != 0 && fl.Family != f.Family,
		f.MarkMask != 0 && fl.Mark&f.MarkMask != f.Mark,
		f.StatusMask != 0 && fl.Status&f.StatusMask != f.Status,
		f.HasZone && fl.zoneID() != f.Zone:
		return false
	}
	return f.Orig.match(&fl.Orig) && f.Reply.match(&fl.Reply)
}

// zoneID is the entry's zone, as the kernel compares it (nf_ct_zone(ct)->id).
func (fl *Flow) zoneID() uint16 {
	switch {
	case fl.Orig.HasZone:
		return fl.Orig.Zone
	case fl.Reply.HasZone:
		return fl.Reply.Zone
	}
	return fl.Zone
}

// match reports whether t has tf's values in the fields tf names.
func (tf *TupleFilter) match(t *Tuple) bool {
	m, w := tf.Match, &tf.Tuple
	switch {
	case m&MatchSrc != 0 && t.Src != w.Src,
		m&MatchDst != 0 && t.Dst != w.Dst,
		m&MatchProto != 0 && t.Proto != w.Proto,
		m&MatchSrcPort != 0 && t.SrcPort != w.SrcPort,
		m&MatchDstPort != 0 && t.DstPort != w.DstPort,
		m&MatchICMPType != 0 && t.ICMPType != w.ICMPType,
		m&MatchICMPCode != 0 && t.ICMPCode != w.ICMPCode,
		m&MatchICMPID != 0 && t.ICMPID != w.ICMPID:
		return false
	}
	return true
}

// kernelPart returns the part of f that every kernel that takes it
// compares as Match does, or compares loosely (so that what it sends
// includes all that Match selects): f without the IPv6 addresses of its
// tuple filters, which some kernels compare inverted.
func (f Filter) kernelPart() Filter {
	if f.Family == afInet6 {
		f.Orig.Match &^= MatchSrc | MatchDst
		f.Reply.Match &^= MatchSrc | MatchDst
	}
	return f
}

// kernelExact reports whether the kernel, when it takes f, selects
// exactly what Match does: f has no IPv6 address in a tuple filter, and
// compares ports (which the kernel compares for TCP and UDP only) only of
// TCP or UDP.
func (f Filter) kernelExact() bool {
	if f.kernelPart() != f {
		return false
	}
	for _, t := range []*TupleFilter{&f.Orig, &f.Reply} {
		if t.Match&(MatchSrcPort|MatchDstPort) != 0 && t.Tuple.Proto != protoTCP && t.Tuple.Proto != protoUDP {
			return false
		}
	}
	return true
}

// needsFilterFlush reports whether the kernel runs f in a delete only
// from Linux 6.12 on: f has a zone (6.8) or a tuple filter (6.12, commit
// "netfilter: ctnetlink: support CTA_FILTER for flush"). Before, a zone
// is ignored, so the delete removes the entries of every zone, and a
// tuple makes the request delete the one entry of that tuple.
func (f Filter) needsFilterFlush() bool {
	return f.HasZone || f.Orig.Match != 0 || f.Reply.Match != 0
}

// append appends f as a request's payload, checked by check; del makes it
// a DELETE's, whose version byte 1 tells the kernel to honour the family.
func (f Filter) append(b []byte, del bool) ([]byte, error) {
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
