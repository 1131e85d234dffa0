package rtnetlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Scope is how far from this host an address or route is valid (ifa_scope,
// rtm_scope): the larger, the closer.
type Scope uint8

// Scopes from <linux/rtnetlink.h>. Values 1 to 199 are free for users.
const (
	ScopeUniverse Scope = uapi.RT_SCOPE_UNIVERSE // anywhere ("global")
	ScopeSite     Scope = uapi.RT_SCOPE_SITE     // this site (IPv6 site-local)
	ScopeLink     Scope = uapi.RT_SCOPE_LINK     // this link
	ScopeHost     Scope = uapi.RT_SCOPE_HOST     // this host
	ScopeNowhere  Scope = uapi.RT_SCOPE_NOWHERE  // nowhere: a destination that does not exist
)

// String names the scope as ip does ("global", "site", "link", "host",
// "nowhere"), or prints its number.
func (s Scope) String() string {
	switch s {
	case ScopeUniverse:
		return "global"
	case ScopeSite:
		return "site"
	case ScopeLink:
		return "link"
	case ScopeHost:
		return "host"
	case ScopeNowhere:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

// AddressFlags are an address's flags (IFA_F_*): the 32 bits of IFA_FLAGS,
// of which ifa_flags holds the low 8.
type AddressFlags uint32

// Address flags from <linux/if_addr.h>. IFA_F_SECONDARY and IFA_F_TEMPORARY
// are one bit, called secondary for IPv4 and temporary for IPv6.
const (
	AddrSecondary      AddressFlags = uapi.IFA_F_SECONDARY      // IPv4: not the first address of its subnet; IPv6: a temporary (privacy) address
	AddrNoDAD          AddressFlags = uapi.IFA_F_NODAD          // IPv6: skip duplicate address detection
	AddrOptimistic     AddressFlags = uapi.IFA_F_OPTIMISTIC     // IPv6: usable during DAD (RFC 4429)
	AddrDADFailed      AddressFlags = uapi.IFA_F_DADFAILED      // IPv6: DAD found a duplicate
	AddrHome           AddressFlags = uapi.IFA_F_HOMEADDRESS    // IPv6: a Mobile IPv6 home address
	AddrDeprecated     AddressFlags = uapi.IFA_F_DEPRECATED     // the preferred lifetime has run out
	AddrTentative      AddressFlags = uapi.IFA_F_TENTATIVE      // IPv6: DAD has not finished
	AddrPermanent      AddressFlags = uapi.IFA_F_PERMANENT      // configured, not learned; the kernel sets it for infinite lifetimes
	AddrManageTempAddr AddressFlags = uapi.IFA_F_MANAGETEMPADDR // IPv6: make temporary addresses from this prefix
	AddrNoPrefixRoute  AddressFlags = uapi.IFA_F_NOPREFIXROUTE  // add no route for the address's prefix
	AddrMCAutoJoin     AddressFlags = uapi.IFA_F_MCAUTOJOIN     // join the multicast group of a multicast address
	AddrStablePrivacy  AddressFlags = uapi.IFA_F_STABLE_PRIVACY // IPv6: made by RFC 7217 stable privacy
)

// addrFlagNames names the flags as ip does, in bit order.
var addrFlagNames = [...]string{
	"secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated",
	"tentative", "permanent", "mngtmpaddr", "noprefixroute", "autojoin",
	"stable-privacy",
}

// String names the flags as ip does, joined by "|", as in
// "nodad|permanent"; unknown bits are printed in hex, and no flags as "0".
func (f AddressFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for i, name := range addrFlagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	if rest := f &^ (1<<len(addrFlagNames) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%#x", uint32(rest))
	}
	return b.String()
}

// Forever is the lifetime of an address that does not expire.
const Forever = 0xffffffff

// Address is an IPv4 or IPv6 address of a link (RTM_NEWADDR).
type Address struct {
	// Index is the link's interface index (ifa_index).
	Index int
	// Prefix is the address and its prefix length, as in 10.0.0.1/24
	// (IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL). With a Peer,
	// the prefix length is the peer's.
	Prefix netip.Prefix
	// Peer is the other end of a point-to-point link (IFA_ADDRESS when it
	// differs from IFA_LOCAL), or the zero Addr.
	Peer netip.Addr
	// Broadcast is the IPv4 broadcast address (IFA_BROADCAST), or the zero
	// Addr.
	Broadcast netip.Addr
	// Label is the IPv4 address's label (IFA_LABEL), which starts with the
	// link's name ("eth0" or "eth0:1"). IPv6 addresses have none. Adding
	// an IPv4 address without a label gives it the link's name.
	Label string
	// Scope is the address's scope (ifa_scope). The kernel sets an IPv6
	// address's scope from the address itself, whatever is asked.
	Scope Scope
	// Flags are the address's flags (IFA_FLAGS, or ifa_flags).
	Flags AddressFlags
	// ValidLifetime and PreferredLifetime are the seconds left before the
	// address goes and before it is deprecated (IFA_CACHEINFO), or
	// Forever. When adding an address, both zero means forever.
	ValidLifetime     uint32
	PreferredLifetime uint32
	// Metric is the priority of the prefix route the kernel adds for the
	// address (IFA_RT_PRIORITY); 0 means the default.
	Metric uint32
	// Protocol says who added the address (IFA_PROTO: IFAPROT_*, such as 1
	// for the kernel's loopback addresses); 0 when unknown.
	Protocol uint8
	// Other holds the address's attributes that the fields above do not
	// model, as the kernel sent them; changes send them back.
	Other RawAttrs
}

// AddressFilter says which addresses Addresses lists. The zero
// AddressFilter lists every address.
type AddressFilter struct {
	// Family is uapi.AF_INET or uapi.AF_INET6 for one family, or 0 for both.
	Family int
	// Index is a link's interface index, for its addresses only; 0 for all.
	Index int
}

// Attribute numbers missing from x/sys/unix.
const (
	ifaProto = 11 // IFA_PROTO
)

// Addresses lists the addresses f selects. The kernel filters by family,
// and by link when strict checking is on (as Dial turns it on); the
// iterator filters too, so the result is the same either way. Under strict
// checking, the addresses of a link that does not exist are an error
// (ENODEV). An error ends the iteration.
//
// Addresses sends an RTM_GETADDR dump request: an ifaddrmsg with the family
// and the link index. Each RTM_NEWADDR reply is an Address.
func (c *Conn) Addresses(ctx context.Context, f AddressFilter) iter.Seq2[Address, error] {
	return func(yield func(Address, error) bool) {
		if f.Family != 0 && f.Family != uapi.AF_INET && f.Family != uapi.AF_INET6 {
			yield(Address{}, invalid(uapi.RTM_GETADDR, "family %d is neither AF_INET nor AF_INET6", f.Family))
			return
		}
		if f.Index < 0 || f.Index > 1<<31-1 {
			yield(Address{}, dumpError(invalid(uapi.RTM_GETADDR, "link index %d is out of range", f.Index), f.Index))
			return
		}
		var req [uapi.SizeofIfAddrmsg]byte
		req[0] = uint8(f.Family)
		binary.NativeEndian.PutUint32(req[4:], uint32(f.Index))
		var label string // the last label, reused while labels repeat
		for m, err := range c.dump(ctx, uapi.RTM_GETADDR, req[:]) {
			if err != nil {
				yield(Address{}, dumpError(err, f.Index))
				return
			}
			var a Address
			family, err := a.decode(&m, &label)
			if err != nil {
				yield(Address{}, err)
				return
			}
			if family == 0 || f.Family != 0 && int(family) != f.Family || f.Index != 0 && a.Index != f.Index {
				continue
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// ParseAddress reads an RTM_NEWADDR or RTM_DELADDR message: a reply of
// Addresses, or a notification received on the RTNLGRP_IPV4_IFADDR or
// RTNLGRP_IPV6_IFADDR group. A message of another type is an error
// wrapping netlink.ErrMalformed; an address of another family than IPv4
// and IPv6, one wrapping errors.ErrUnsupported. The address owns its
// memory: nothing aliases m.
func ParseAddress(m netlink.Message) (Address, error) {
	if m.Header.Type != uapi.RTM_NEWADDR && m.Header.Type != uapi.RTM_DELADDR {
		return Address{}, fmt.Errorf("rtnetlink: %s is not an address message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	var a Address
	var label string
	family, err := a.decode(&m, &label)
	if err != nil {
		return Address{}, err
	}
	if family == 0 {
		return Address{}, fmt.Errorf("rtnetlink: address of family %d: %w", m.Data[0], errors.ErrUnsupported)
	}
	return a, nil
}

// decode reads m into a and returns the address family, or 0 for a message
// that is not an IPv4 or IPv6 address. label is the label of the previous
// address, whose string decode reuses when the label repeats.
func (a *Address) decode(m *netlink.Message, label *string) (uint8, error) {
	if m.Header.Type != uapi.RTM_NEWADDR && m.Header.Type != uapi.RTM_DELADDR {
		return 0, nil
	}
	if len(m.Data) < uapi.SizeofIfAddrmsg {
		return 0, fmt.Errorf("rtnetlink: address message of %d bytes is shorter than ifaddrmsg: %w", len(m.Data), netlink.ErrMalformed)
	}
	family, bits := m.Data[0], int(m.Data[1])
	if family != uapi.AF_INET && family != uapi.AF_INET6 {
		return 0, nil
	}
	flags := AddressFlags(m.Data[2])
	a.Scope = Scope(m.Data[3])
	a.Index = int(binary.NativeEndian.Uint32(m.Data[4:]))
	var local, address netip.Addr
	var buf [64]byte
	other := buf[:0]
	d := m.AttrDecoder(uapi.SizeofIfAddrmsg)
	for d.Next() {
		switch d.Type() {
		case uapi.IFA_ADDRESS:
			address = d.Addr()
		case uapi.IFA_LOCAL:
			local = d.Addr()
		case uapi.IFA_BROADCAST:
			a.Broadcast = d.Addr()
		case uapi.IFA_LABEL:
			b := d.Bytes()
			for i, c := range b {
				if c == 0 {
					b = b[:i]
					break
				}
			}
			if string(b) != *label {
				*label = string(b)
			}
			a.Label = *label
		case uapi.IFA_FLAGS:
			flags = AddressFlags(d.Uint32())
		case uapi.IFA_CACHEINFO:
			// struct ifa_cacheinfo: ifa_prefered, ifa_valid, cstamp,
			// tstamp. A longer struct is read for the fields known.
			if b := d.Bytes(); len(b) >= 8 {
				a.PreferredLifetime = binary.NativeEndian.Uint32(b)
				a.ValidLifetime = binary.NativeEndian.Uint32(b[4:])
			}
		case uapi.IFA_RT_PRIORITY:
			a.Metric = d.Uint32()
		case ifaProto:
			a.Protocol = d.Uint8()
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return 0, fmt.Errorf("rtnetlink: address: %w", err)
	}
	if len(other) > 0 {
		a.Other = RawAttrs(other)
	}
	a.Flags = flags
	if !local.IsValid() {
		local = address
	} else if address.IsValid() && address != local {
		a.Peer = address
	}
	a.Prefix = netip.PrefixFrom(local, bits)
	if !a.Prefix.IsValid() || local.Is4() != (family == uapi.AF_INET) {
		return 0, fmt.Errorf("rtnetlink: address %v/%d does not fit family %d: %w", local, bits, family, netlink.ErrMalformed)
	}
	return family, nil
}

// AddAddress adds a to its link. It fails (EEXIST) when the link has the
// address already.
//
// An Address that cannot be right (an invalid prefix, a peer or broadcast
// address of the wrong family, a label on an IPv6 address, no link) is
// refused before anything is sent, with a *netlink.OpError whose error
// matches both syscall.EINVAL and os.ErrInvalid. The kernel's refusals are
// *netlink.OpError values naming the address ("address 198.18.0.1/24 on
// link 3"): errors.Is finds the errno (ENODEV for a missing link), and the
// Message field has the kernel's explanation.
//
// AddAddress sends RTM_NEWADDR with NLM_F_CREATE and NLM_F_EXCL: an
// ifaddrmsg (family, prefix length, flags, scope, link index), then
// IFA_LOCAL and IFA_ADDRESS (the peer, if set, else the address), and
// IFA_LABEL, IFA_BROADCAST, IFA_FLAGS, IFA_CACHEINFO (the lifetimes),
// IFA_RT_PRIORITY and IFA_PROTO when set.
func (c *Conn) AddAddress(ctx context.Context, a Address) error {
	return c.changeAddress(ctx, uapi.RTM_NEWADDR, netlink.Create|netlink.Excl, a)
}

// ReplaceAddress adds a to its link, or changes the address's broadcast
// address, label, scope, flags, lifetimes and metric when the link has it.
//
// ReplaceAddress sends RTM_NEWADDR with NLM_F_CREATE and NLM_F_REPLACE,
// encoded as for AddAddress.
func (c *Conn) ReplaceAddress(ctx context.Context, a Address) error {
	return c.changeAddress(ctx, uapi.RTM_NEWADDR, netlink.Create|netlink.Replace, a)
}

// DeleteAddress removes the address a.Prefix (with a.Peer, if set) from the
// link a.Index; the other fields are not looked at, except an IPv4 label
// when one is set.
//
// DeleteAddress sends RTM_DELADDR: an ifaddrmsg with the family, prefix
// length and link index, then IFA_LOCAL, IFA_ADDRESS, and IFA_LABEL when
// set.
func (c *Conn) DeleteAddress(ctx context.Context, a Address) error {
	return c.changeAddress(ctx, uapi.RTM_DELADDR, 0, a)
}

// changeAddress checks a, encodes it and runs the request.
func (c *Conn) changeAddress(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, a Address) error {
	data, err := a.encode(typ == uapi.RTM_DELADDR)
	if err != nil {
		return named(opError("check", typ, err), "%s", a.object())
	}
	_, err = c.execute(ctx, typ, flags, data)
	return named(err, "%s", a.object())
}

// encode checks a and returns it as an ifaddrmsg and its attributes.
func (a *Address) encode(del bool) ([]byte, error) {
	p := a.Prefix
	ip := p.Addr()
	switch {
	case !p.IsValid():
		return nil, invalidf("Prefix is zero or not valid")
	case ip.Is4In6():
		return nil, invalidf("prefix %v is an IPv4-mapped IPv6 address; use the IPv4 form", p)
	case ip.Zone() != "":
		return nil, invalidf("prefix %v has a zone; set Index instead", p)
	case a.Index <= 0 || a.Index > 1<<31-1:
		return nil, invalidf("link index %d is out of range", a.Index)
	case a.Peer.IsValid() && (a.Peer.Is4() != ip.Is4() || a.Peer.Is4In6()):
		return nil, invalidf("peer %v is not of the family of %v", a.Peer, p)
	case a.Peer.Zone() != "":
		return nil, invalidf("peer %v has a zone; set Index instead", a.Peer)
	case a.Broadcast.IsValid() && (!ip.Is4() || !a.Broadcast.Is4()):
		return nil, invalidf("broadcast %v: only IPv4 addresses have one", a.Broadcast)
	case a.Label != "" && !ip.Is4():
		return nil, invalidf("label %q: only IPv4 addresses have one", a.Label)
	case len(a.Label) >= uapi.IFNAMSIZ || strings.IndexByte(a.Label, 0) >= 0:
		return nil, invalidf("label %q is longer than %d bytes or has a NUL", a.Label, uapi.IFNAMSIZ-1)
	case !del && a.PreferredLifetime > a.ValidLifetime:
		return nil, invalidf("preferred lifetime %d exceeds valid lifetime %d", a.PreferredLifetime, a.ValidLifetime)
	}
	b := make([]byte, uapi.SizeofIfAddrmsg, 128)
	if ip.Is4() {
		b[0] = uapi.AF_INET
	} else {
		b[0] = uapi.AF_INET6
	}
	b[1] = uint8(p.Bits())
	if !del {
		b[2] = uint8(a.Flags)
		b[3] = uint8(a.Scope)
	}
	binary.NativeEndian.PutUint32(b[4:], uint32(a.Index))
	var e netlink.AttrEncoder
	e.Reset(b)
	e.Addr(uapi.IFA_LOCAL, ip)
	if a.Peer.IsValid() {
		e.Addr(uapi.IFA_ADDRESS, a.Peer)
	} else {
		e.Addr(uapi.IFA_ADDRESS, ip)
	}
	if a.Label != "" {
		e.String(uapi.IFA_LABEL, a.Label)
	}
	if !del {
		if a.Broadcast.IsValid() {
			e.Addr(uapi.IFA_BROADCAST, a.Broadcast)
		}
		if a.Flags > 0xff {
			e.Uint32(uapi.IFA_FLAGS, uint32(a.Flags))
		}
		if a.ValidLifetime != 0 || a.PreferredLifetime != 0 {
			var ci [uapi.SizeofIfaCacheinfo]byte
			binary.NativeEndian.PutUint32(ci[0:], a.PreferredLifetime)
			binary.NativeEndian.PutUint32(ci[4:], a.ValidLifetime)
			e.Bytes(uapi.IFA_CACHEINFO, ci[:])
		}
		if a.Metric != 0 {
			e.Uint32(uapi.IFA_RT_PRIORITY, a.Metric)
		}
		if a.Protocol != 0 {
			e.Uint8(ifaProto, a.Protocol)
		}
	}
	e.RawAttrs(a.Other)
	return e.Finish()
}
