package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net"
	"os"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// LinkFilter selects the links that Links lists. The kernel filters by kind
// and by master itself on a Conn with strict checking (as Dial makes it);
// Links checks every link it returns anyway, since a kernel that does not
// know the kind, or does not filter, returns every link.
type LinkFilter struct {
	Kind        string // only links of this kind ("veth", "bridge", ...), if not ""
	MasterIndex int    // only the ports of this master, if > 0; only links without a master, if -1
}

// match reports whether l passes the filter.
func (f *LinkFilter) match(l *Link) bool {
	if f.Kind != "" && l.Kind != f.Kind {
		return false
	}
	switch {
	case f.MasterIndex > 0:
		return l.MasterIndex == f.MasterIndex
	case f.MasterIndex < 0:
		return l.MasterIndex == 0
	}
	return true
}

// Links lists the links of the Conn's namespace in index order that pass
// filter (the zero LinkFilter passes all). The dump is streamed: memory stays flat however many
// links there are. An error ends the iteration; it wraps
// netlink.ErrDumpInterrupted when links changed during the dump (list them
// again for a consistent view).
//
// Links sends an RTM_GETLINK dump request: an all-zero ifinfomsg, then
// IFLA_MASTER when the filter sets it, IFLA_EXT_MASK asking for the
// virtual functions (RTEXT_FILTER_VF), and IFLA_LINKINFO with
// IFLA_INFO_KIND when the filter sets it. Each RTM_NEWLINK reply is a Link.
func (c *Conn) Links(ctx context.Context, filter LinkFilter) iter.Seq2[Link, error] {
	return func(yield func(Link, error) bool) {
		e := netlink.NewAttrEncoder(make([]byte, uapi.SizeofIfInfomsg, 64))
		// The kernel cannot filter link dumps by index (EINVAL under strict
		// checking), only by master and kind.
		if filter.MasterIndex != 0 {
			e.Uint32(uapi.IFLA_MASTER, uint32(int32(filter.MasterIndex)))
		}
		e.Uint32(uapi.IFLA_EXT_MASK, rtextFilterVF)
		if filter.Kind != "" {
			info := e.Nest(uapi.IFLA_LINKINFO)
			e.String(uapi.IFLA_INFO_KIND, filter.Kind)
			e.End(info)
		}
		req, err := e.Finish()
		if err != nil {
			yield(Link{}, opError("check", uapi.RTM_GETLINK, err))
			return
		}
		for m, err := range c.dump(ctx, uapi.RTM_GETLINK, req) {
			if err != nil {
				yield(Link{}, err)
				return
			}
			if m.Header.Type != uapi.RTM_NEWLINK {
				continue
			}
			var l Link
			if err := l.decode(&m); err != nil {
				yield(Link{}, err)
				return
			}
			if !filter.match(&l) {
				continue
			}
			if !yield(l, nil) {
				return
			}
		}
	}
}

// Link returns the link with the given index; ENODEV if there is none.
//
// Link sends RTM_GETLINK: an ifinfomsg with the index, then IFLA_EXT_MASK
// asking for the virtual functions (RTEXT_FILTER_VF). The reply is one
// RTM_NEWLINK.
func (c *Conn) Link(ctx context.Context, index int) (Link, error) {
	if err := checkIndex(uapi.RTM_GETLINK, index); err != nil {
		return Link{}, named(err, "%s", linkObject(index, ""))
	}
	return c.getLink(ctx, index, "")
}

// LinkByName returns the link with the given name; ENODEV if there is none.
//
// LinkByName sends RTM_GETLINK: an ifinfomsg with index 0, then IFLA_IFNAME
// and IFLA_EXT_MASK (RTEXT_FILTER_VF). The reply is one RTM_NEWLINK.
func (c *Conn) LinkByName(ctx context.Context, name string) (Link, error) {
	if err := checkName(uapi.RTM_GETLINK, "link", name); err != nil {
		return Link{}, named(err, "link %q", name)
	}
	return c.getLink(ctx, 0, name)
}

func (c *Conn) getLink(ctx context.Context, index int, name string) (Link, error) {
	r := newRequest(uapi.RTM_GETLINK, index, 0, 0)
	if name != "" {
		r.String(uapi.IFLA_IFNAME, name)
	}
	r.Uint32(uapi.IFLA_EXT_MASK, rtextFilterVF)
	return c.getLinkReply(ctx, r, "%s", linkObject(index, name))
}

// getLinkReply runs r, an RTM_GETLINK request, and returns the link of its
// reply; object and args name the link in errors. The reply is decoded
// where it was read (decode copies what the Link keeps), not copied first.
func (c *Conn) getLinkReply(ctx context.Context, r *request, object string, args ...any) (Link, error) {
	defer r.close()
	data, err := r.Finish()
	if err != nil {
		return Link{}, named(opError("check", r.typ, err), object, args...)
	}
	var l Link
	found := false
	var derr error
	err = c.NL.ExecuteFunc(ctx, netlink.Message{Header: netlink.Header{Type: uapi.RTM_GETLINK}, Data: data}, func(m netlink.Message) error {
		if m.Header.Type != uapi.RTM_NEWLINK || found {
			return nil
		}
		found = true
		derr = l.decode(&m)
		return derr
	})
	switch {
	case derr != nil:
		return Link{}, derr
	case err != nil:
		return Link{}, named(err, object, args...)
	case !found:
		return Link{}, fmt.Errorf("rtnetlink: no link in the reply to RTM_GETLINK: %w", netlink.ErrMalformed)
	}
	return l, nil
}

// CreateLink creates the link l describes (see Link for the fields it
// uses) and returns it as the kernel made it: with its index, its name if
// l.Name was a template ("veth%d"), default MTU, hardware address. The kind comes from l.Data, or from l.Kind for kinds
// without options:
//
//	rt.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
//	rt.CreateLink(ctx, rtnetlink.Link{Name: "br0", Kind: "bridge"})
//
// A link of that name must not exist yet (EEXIST). Names are checked before
// anything is sent; the kernel checks the rest, and its refusal comes back
// as a *netlink.OpError with its errno and extended ACK message.
//
// CreateLink sends RTM_NEWLINK with NLM_F_CREATE, NLM_F_EXCL and NLM_F_ECHO:
// an ifinfomsg with l.Index and l.Flags (as the flags and their change
// mask), then IFLA_IFNAME; IFLA_MTU, IFLA_ADDRESS, IFLA_BROADCAST,
// IFLA_TXQLEN, IFLA_MASTER and IFLA_LINK when set; and IFLA_LINKINFO with
// IFLA_INFO_KIND and the kind's IFLA_INFO_DATA. It then reads the link back
// with RTM_GETLINK, by the index of the kernel's echo, or by name when there
// is no echo.
//
// What the kernel does not take on creation CreateLink sets after, with
// the requests of SetLinkAddrGenMode (when AddrGenMode or HasAddrGenMode
// is set), SetLinkProtoDownReason,
// SetLinkProtoDown, AddLinkAltName and SetLinkPort (for a link made with a
// master, when its Port has attributes to send: a VRF's port has none),
// then reads the link again; if one of them fails, the link is
// deleted and the error returned. So a listed link can be created again
// as it was, but for Alias (refused: set it with SetLinkAlias) and XDP
// (attach the program with SetLinkXDP).
func (c *Conn) CreateLink(ctx context.Context, l Link) (Link, error) {
	r, err := newLinkRequest(&l)
	if err != nil {
		return Link{}, named(err, "%s", linkObject(l.Index, l.Name))
	}
	// Kernels that honour NLM_F_ECHO on RTM_NEWLINK (6.18 does) send the
	// new link back, but before they set its master: the echo gives the
	// index, and the link is read again. Older kernels send no echo: the
	// link is then read by name.
	msgs, err := c.run(ctx, netlink.Create|netlink.Excl|netlink.Echo, r)
	if err != nil {
		return Link{}, named(err, "link %q", l.Name)
	}
	var made Link
	for _, m := range msgs {
		if m.Header.Type == uapi.RTM_NEWLINK && len(m.Data) >= uapi.SizeofIfInfomsg {
			made, err = c.Link(ctx, int(int32(binary.NativeEndian.Uint32(m.Data[4:]))))
			break
		}
	}
	if made.Index == 0 && err == nil {
		made, err = c.LinkByName(ctx, l.Name)
	}
	if err != nil {
		return made, err
	}
	reqs, err := l.afterCreate(made.Index)
	if err == nil && len(reqs) == 0 {
		return made, nil
	}
	for i, r := range reqs {
		if _, err = c.run(ctx, 0, r); err != nil {
			for _, r := range reqs[i+1:] {
				r.close()
			}
			err = named(err, "link %d", made.Index)
			break
		}
	}
	if err != nil {
		// Not the link asked for: it goes, and the error says why.
		c.DeleteLink(ctx, made.Index)
		return Link{}, err
	}
	return c.Link(ctx, made.Index)
}

// afterCreate returns the requests that set on link index what l has that
// the kernel does not take on creation: the address generation mode, the
// protodown reasons and state, the alternative names, and the port
// settings (of a link made with a master).
func (l *Link) afterCreate(index int) ([]*request, error) {
	var puts []func(*request) error
	if l.AddrGenMode != 0 || l.HasAddrGenMode {
		puts = append(puts, putAddrGenMode(l.AddrGenMode))
	}
	if l.ProtoDownReason != 0 {
		puts = append(puts, putProtoDownReason(^uint32(0), l.ProtoDownReason))
	}
	if l.ProtoDown {
		puts = append(puts, putProtoDown(true))
	}
	var reqs []*request
	fail := func(err error) ([]*request, error) {
		for _, r := range reqs {
			r.close()
		}
		return nil, err
	}
	for _, put := range puts {
		r, err := setRequest(index, put)
		if err != nil {
			return fail(err)
		}
		reqs = append(reqs, r)
	}
	for _, name := range l.AltNames {
		r, err := altNameRequest(uapi.RTM_NEWLINKPROP, index, name)
		if err != nil {
			return fail(err)
		}
		reqs = append(reqs, r)
	}
	if l.Port != nil && l.MasterIndex != 0 {
		r, some, err := portRequest(index, l.Port)
		if err != nil {
			return fail(err)
		}
		// Port data with nothing to send (a VRF's port as listed) sends
		// nothing: the kernel refuses any IFLA_INFO_SLAVE_DATA, even
		// empty, for a master that takes no port settings (EOPNOTSUPP).
		if some {
			reqs = append(reqs, r)
		} else {
			r.close()
		}
	}
	return reqs, nil
}

// DeleteLink deletes the link with the given index. Deleting one end of a
// veth pair deletes both.
//
// DeleteLink sends RTM_DELLINK: an ifinfomsg with the index.
func (c *Conn) DeleteLink(ctx context.Context, index int) error {
	if err := checkIndex(uapi.RTM_DELLINK, index); err != nil {
		return named(err, "link %d", index)
	}
	_, err := c.run(ctx, 0, newRequest(uapi.RTM_DELLINK, index, 0, 0))
	return named(err, "link %d", index)
}

// SetLinkUp sets the link administratively up (ip link set NAME up).
//
// SetLinkUp sends RTM_SETLINK: an ifinfomsg with the index and IFF_UP in
// both ifi_flags and ifi_change.
func (c *Conn) SetLinkUp(ctx context.Context, index int) error {
	return c.setLink(ctx, index, LinkUp, nil)
}

// SetLinkDown sets the link administratively down.
//
// SetLinkDown sends RTM_SETLINK: an ifinfomsg with the index and IFF_UP in
// ifi_change alone.
func (c *Conn) SetLinkDown(ctx context.Context, index int) error {
	return c.setLink(ctx, index, 0, nil)
}

// SetLinkMTU sets the link's MTU. One outside the device's MinMTU..MaxMTU
// is refused by the kernel with EINVAL and a message saying which bound.
//
// SetLinkMTU sends RTM_SETLINK: an ifinfomsg with the index, then IFLA_MTU.
func (c *Conn) SetLinkMTU(ctx context.Context, index int, mtu uint32) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		r.Uint32(uapi.IFLA_MTU, mtu)
		return nil
	})
}

// SetLinkName renames the link. Kernels before 6.2 refuse while the
// link is up (EBUSY, even when the name is taken); 6.2 and later rename
// an up link too.
//
// SetLinkName sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_IFNAME.
func (c *Conn) SetLinkName(ctx context.Context, index int, name string) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		if err := checkName(uapi.RTM_SETLINK, "link", name); err != nil {
			return err
		}
		r.String(uapi.IFLA_IFNAME, name)
		return nil
	})
}

// SetLinkHardwareAddr sets the link's hardware (MAC) address.
//
// SetLinkHardwareAddr sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_ADDRESS.
func (c *Conn) SetLinkHardwareAddr(ctx context.Context, index int, addr net.HardwareAddr) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		if len(addr) == 0 {
			return invalid(uapi.RTM_SETLINK, "empty hardware address")
		}
		r.Bytes(uapi.IFLA_ADDRESS, addr)
		return nil
	})
}

// SetLinkMaster makes the link a port of the bridge or bond master; a
// master of 0 takes it out of its master (ip link set NAME nomaster).
//
// SetLinkMaster sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_MASTER (0 for none).
func (c *Conn) SetLinkMaster(ctx context.Context, index, master int) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		if master < 0 {
			return invalid(uapi.RTM_SETLINK, "master index %d is negative", master)
		}
		r.Uint32(uapi.IFLA_MASTER, uint32(master))
		return nil
	})
}

// SetLinkAlias sets the link's alias, a description of up to 255 bytes; ""
// removes it.
//
// SetLinkAlias sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_IFALIAS without a NUL (empty to remove the alias).
func (c *Conn) SetLinkAlias(ctx context.Context, index int, alias string) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		// Without a NUL, as ip sends it: the kernel stores the payload's
		// bytes, and an empty payload removes the alias.
		r.Bytes(uapi.IFLA_IFALIAS, []byte(alias))
		return nil
	})
}

// SetLinkNetNS moves the link to another network namespace, where it
// keeps its name (EEXIST if that name is taken there) and gets a new index
// if its own is taken. Its addresses and routes are lost.
//
// SetLinkNetNS sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_NET_NS_FD (for NetNSFD and NetNSPath) or IFLA_NET_NS_PID.
func (c *Conn) SetLinkNetNS(ctx context.Context, index int, ns NetNS) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		if ns.how == nsNone {
			return invalid(uapi.RTM_SETLINK, "no namespace to move link %d to", index)
		}
		return r.putNetNS(&r.AttrEncoder, ns)
	})
}

// SetLinkPromisc turns the link's promiscuous mode on or off (ip link set
// NAME promisc on): the LinkPromisc flag. The kernel counts promiscuous
// users in Promiscuity, of which this flag is one.
//
// SetLinkPromisc sends RTM_SETLINK: an ifinfomsg with the index, IFF_PROMISC
// in ifi_change, and in ifi_flags if on.
func (c *Conn) SetLinkPromisc(ctx context.Context, index int, on bool) error {
	return c.setLinkFlags(ctx, index, LinkPromisc, on)
}

// SetLinkARP turns ARP and neighbour discovery on or off on the link (ip
// link set NAME arp off sets the LinkNoARP flag).
//
// SetLinkARP sends RTM_SETLINK: an ifinfomsg with the index, IFF_NOARP in
// ifi_change, and in ifi_flags if off.
func (c *Conn) SetLinkARP(ctx context.Context, index int, on bool) error {
	return c.setLinkFlags(ctx, index, LinkNoARP, !on)
}

// setLinkFlags sets (on) or clears the flags f of the link.
func (c *Conn) setLinkFlags(ctx context.Context, index int, f LinkFlags, on bool) error {
	if err := checkIndex(uapi.RTM_SETLINK, index); err != nil {
		return named(err, "link %d", index)
	}
	var flags LinkFlags
	if on {
		flags = f
	}
	_, err := c.run(ctx, 0, newRequest(uapi.RTM_SETLINK, index, flags, f))
	return named(err, "link %d", index)
}

// SetLinkTxQueueLen sets the length of the link's transmit queue, in
// packets (ip link set NAME txqueuelen N).
//
// SetLinkTxQueueLen sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_TXQLEN.
func (c *Conn) SetLinkTxQueueLen(ctx context.Context, index int, n uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_TXQLEN, n)
}

// SetLinkGroup puts the link in a group (ip link set NAME group N); 0 is
// the default group.
//
// SetLinkGroup sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_GROUP.
func (c *Conn) SetLinkGroup(ctx context.Context, index int, group uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_GROUP, group)
}

// SetLinkGSOMaxSize sets the largest GSO packet the stack builds for the
// link, in bytes (ip link set NAME gso_max_size N); the kernel refuses one
// above the device's TSO limit (Link.Other's IFLA_TSO_MAX_SIZE), and sets
// the IPv4 limit to a size up to 65536 too.
//
// SetLinkGSOMaxSize sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_GSO_MAX_SIZE.
func (c *Conn) SetLinkGSOMaxSize(ctx context.Context, index int, size uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_GSO_MAX_SIZE, size)
}

// SetLinkGSOMaxSegs sets the most segments of a GSO packet for the link
// (ip link set NAME gso_max_segs N).
//
// SetLinkGSOMaxSegs sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_GSO_MAX_SEGS.
func (c *Conn) SetLinkGSOMaxSegs(ctx context.Context, index int, segs uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_GSO_MAX_SEGS, segs)
}

// SetLinkGROMaxSize sets the largest packet GRO builds on the link, in
// bytes (ip link set NAME gro_max_size N); the kernel sets the IPv4 limit
// to a size up to 65536 too.
//
// SetLinkGROMaxSize sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_GRO_MAX_SIZE.
func (c *Conn) SetLinkGROMaxSize(ctx context.Context, index int, size uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_GRO_MAX_SIZE, size)
}

// SetLinkGSOIPv4MaxSize sets the largest IPv4 GSO packet for the link, in
// bytes (ip link set NAME gso_ipv4_max_size N); Linux 6.3 and later: an
// older kernel ignores the attribute it does not know and succeeds, and
// the link it lists has none (GSOIPv4MaxSize 0).
//
// SetLinkGSOIPv4MaxSize sends RTM_SETLINK: an ifinfomsg with the index,
// then IFLA_GSO_IPV4_MAX_SIZE.
func (c *Conn) SetLinkGSOIPv4MaxSize(ctx context.Context, index int, size uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_GSO_IPV4_MAX_SIZE, size)
}

// SetLinkGROIPv4MaxSize sets the largest IPv4 packet GRO builds on the
// link, in bytes (ip link set NAME gro_ipv4_max_size N); Linux 6.3 and
// later: an older kernel ignores the attribute it does not know and
// succeeds, and the link it lists has none (GROIPv4MaxSize 0).
//
// SetLinkGROIPv4MaxSize sends RTM_SETLINK: an ifinfomsg with the index,
// then IFLA_GRO_IPV4_MAX_SIZE.
func (c *Conn) SetLinkGROIPv4MaxSize(ctx context.Context, index int, size uint32) error {
	return c.setLinkUint32(ctx, index, uapi.IFLA_GRO_IPV4_MAX_SIZE, size)
}

// setLinkUint32 sets one u32 attribute of the link.
func (c *Conn) setLinkUint32(ctx context.Context, index int, typ uint16, v uint32) error {
	return c.setLink(ctx, index, 0, func(r *request) error {
		r.Uint32(typ, v)
		return nil
	})
}

// SetLinkAddrGenMode sets how the kernel makes the link's IPv6 link-local
// address (ip link set NAME addrgenmode MODE); it applies when the link
// next goes up.
//
// SetLinkAddrGenMode sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_AF_SPEC holding AF_INET6 holding IFLA_INET6_ADDR_GEN_MODE.
func (c *Conn) SetLinkAddrGenMode(ctx context.Context, index int, mode AddrGenMode) error {
	return c.setLink(ctx, index, 0, putAddrGenMode(mode))
}

func putAddrGenMode(mode AddrGenMode) func(*request) error {
	return func(r *request) error {
		if mode > AddrGenRandom {
			return invalid(uapi.RTM_SETLINK, "address generation mode %d is above %d (random)", mode, AddrGenRandom)
		}
		spec := r.Nest(uapi.IFLA_AF_SPEC)
		in6 := r.Nest(uapi.AF_INET6)
		r.Uint8(uapi.IFLA_INET6_ADDR_GEN_MODE, uint8(mode))
		r.End(in6)
		r.End(spec)
		return nil
	}
}

// SetLinkProtoDown holds the link down, or lets it up, on behalf of a
// control protocol (ip link set NAME protodown on). Devices that do not
// support it (veth, bridge) answer EOPNOTSUPP; macvlan and vxlan do.
//
// SetLinkProtoDown sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_PROTO_DOWN.
func (c *Conn) SetLinkProtoDown(ctx context.Context, index int, down bool) error {
	return c.setLink(ctx, index, 0, putProtoDown(down))
}

func putProtoDown(down bool) func(*request) error {
	return func(r *request) error {
		r.Uint8(uapi.IFLA_PROTO_DOWN, boolByte(down))
		return nil
	}
}

// SetLinkProtoDownReason sets the bits of mask in the link's
// ProtoDownReason to those of value (ip link set NAME protodown_reason
// BIT on sets mask and value to 1<<BIT). The link is held down while
// ProtoDown is set; the reasons say why.
//
// SetLinkProtoDownReason sends RTM_SETLINK: an ifinfomsg with the index,
// then IFLA_PROTO_DOWN_REASON holding IFLA_PROTO_DOWN_REASON_MASK and
// IFLA_PROTO_DOWN_REASON_VALUE.
func (c *Conn) SetLinkProtoDownReason(ctx context.Context, index int, mask, value uint32) error {
	return c.setLink(ctx, index, 0, putProtoDownReason(mask, value))
}

func putProtoDownReason(mask, value uint32) func(*request) error {
	return func(r *request) error {
		if mask == 0 {
			return invalid(uapi.RTM_SETLINK, "protodown reason mask is 0: nothing to change")
		}
		nest := r.Nest(uapi.IFLA_PROTO_DOWN_REASON)
		r.Uint32(uapi.IFLA_PROTO_DOWN_REASON_MASK, mask)
		r.Uint32(uapi.IFLA_PROTO_DOWN_REASON_VALUE, value)
		r.End(nest)
		return nil
	}
}

// setLink sends an RTM_SETLINK request for the link: up sets (LinkUp) or
// clears (0) IFF_UP when put is nil, and put adds attributes otherwise.
func (c *Conn) setLink(ctx context.Context, index int, up LinkFlags, put func(*request) error) error {
	var r *request
	if put == nil {
		if err := checkIndex(uapi.RTM_SETLINK, index); err != nil {
			return named(err, "link %d", index)
		}
		r = newRequest(uapi.RTM_SETLINK, index, up, LinkUp)
	} else {
		var err error
		if r, err = setRequest(index, put); err != nil {
			return named(err, "link %d", index)
		}
	}
	_, err := c.run(ctx, 0, r)
	return named(err, "link %d", index)
}

// setRequest builds an RTM_SETLINK request for the link whose attributes
// put appends.
func setRequest(index int, put func(*request) error) (*request, error) {
	if err := checkIndex(uapi.RTM_SETLINK, index); err != nil {
		return nil, err
	}
	r := newRequest(uapi.RTM_SETLINK, index, 0, 0)
	if err := put(r); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// request is an RTM_*LINK request being built: a struct ifinfomsg and
// attributes, and the namespace files opened for it.
type request struct {
	netlink.AttrEncoder
	typ    netlink.HeaderType // RTM_NEWLINK, RTM_SETLINK, ...
	create bool               // CreateLink's: the link is new, not changed (a kind may send other attributes then)
	files  []*os.File         // closed once the request is done
}

// newRequest starts a request of type typ with a struct ifinfomsg.
func newRequest(typ netlink.HeaderType, index int, flags, change LinkFlags) *request {
	var h [uapi.SizeofIfInfomsg]byte // family AF_UNSPEC, type 0
	binary.NativeEndian.PutUint32(h[4:], uint32(index))
	binary.NativeEndian.PutUint32(h[8:], uint32(flags))
	binary.NativeEndian.PutUint32(h[12:], uint32(change))
	r := &request{typ: typ}
	r.Reset(append(make([]byte, 0, 256), h[:]...))
	return r
}

// close closes the files opened for the request.
func (r *request) close() {
	for _, f := range r.files {
		f.Close()
	}
	r.files = nil
}

// run executes the request and closes its files.
func (c *Conn) run(ctx context.Context, flags netlink.HeaderFlags, r *request) ([]netlink.Message, error) {
	defer r.close()
	data, err := r.Finish()
	if err != nil {
		return nil, opError("check", r.typ, err)
	}
	return c.execute(ctx, r.typ, flags, data)
}

// NetNS names a network namespace for the kernel: the one a link moves to
// (SetLinkNetNS), or a veth peer is created in. NetNSFD, NetNSPath and
// NetNSPID make one; the zero NetNS names none.
type NetNS struct {
	how  uint8
	n    int // the file descriptor or the process ID
	path string
}

const (
	nsNone = iota
	nsFD
	nsPath
	nsPID
)

// NetNSFD names the network namespace of an open file descriptor (from
// /var/run/netns/NAME or /proc/PID/ns/net), sent as IFLA_NET_NS_FD. The
// caller keeps it open until the request is done.
func NetNSFD(fd int) NetNS { return NetNS{how: nsFD, n: fd} }

// NetNSPath names the network namespace at path, such as
// /var/run/netns/NAME (ip netns add NAME) or /proc/PID/ns/net. The file is
// opened for the request and closed after it.
func NetNSPath(path string) NetNS { return NetNS{how: nsPath, path: path} }

// NetNSPID names the network namespace of the process pid, sent as
// IFLA_NET_NS_PID.
func NetNSPID(pid int) NetNS { return NetNS{how: nsPID, n: pid} }

// putNetNS appends ns to e, one of r's encoders, opening its file if it
// has a path.
func (r *request) putNetNS(e *netlink.AttrEncoder, ns NetNS) error {
	switch ns.how {
	case nsFD:
		e.Uint32(uapi.IFLA_NET_NS_FD, uint32(ns.n))
	case nsPath:
		f, err := openNetNS(ns.path)
		if err != nil {
			return opError("open", r.typ, err)
		}
		r.files = append(r.files, f)
		e.Uint32(uapi.IFLA_NET_NS_FD, uint32(f.Fd()))
	case nsPID:
		e.Uint32(uapi.IFLA_NET_NS_PID, uint32(ns.n))
	}
	return nil
}

func checkIndex(req netlink.HeaderType, index int) error {
	if index <= 0 || index > 1<<31-1 {
		return invalid(req, "link index %d is out of range", index)
	}
	return nil
}

// checkName checks a link name as the kernel's dev_valid_name does: 1 to
// 15 bytes (IFNAMSIZ-1), not "." or "..", no '/', ':', white space or NUL.
// A '%' makes it a template the kernel fills in on creation ("veth%d").
func checkName(req netlink.HeaderType, what, name string) error {
	switch {
	case name == "":
		return invalid(req, "%s name is empty", what)
	case len(name) >= uapi.IFNAMSIZ:
		return invalid(req, "%s name %q is %d bytes, longer than %d", what, name, len(name), uapi.IFNAMSIZ-1)
	case name == "." || name == "..":
		return invalid(req, "%s name %q is not allowed", what, name)
	case strings.ContainsAny(name, "/: \t\n\v\f\r\x00"):
		return invalid(req, "%s name %q has a '/', ':', space or NUL", what, name)
	}
	return nil
}
