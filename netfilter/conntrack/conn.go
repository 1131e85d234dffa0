package conntrack

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Conn runs conntrack requests on a NETLINK_NETFILTER connection.
type Conn struct {
	// NL is the underlying NETLINK_NETFILTER connection.
	NL *netlink.Conn
}

// Dial opens a NETLINK_NETFILTER socket as cfg says (cfg may be nil; its
// NetNS chooses the namespace whose table is used).
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(netfilter.Protocol, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_NETFILTER connection.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.NL.Close() }

// Flows lists the entries f selects (all of them for the zero Filter): it
// sends IPCTNL_MSG_CT_GET with NLM_F_DUMP and what of f the kernel runs as
// Filter.Match does, and yields of the entries the kernel sends those that
// f.Match selects (see Filter for what kernels get wrong). Each Flow
// yielded aliases a buffer the next iteration reuses (see Flow.Clone); an
// error ends the listing.
func (c *Conn) Flows(ctx context.Context, f Filter) iter.Seq2[*Flow, error] {
	return func(yield func(*Flow, error) bool) {
		if err := f.check(msgGet); err != nil {
			yield(nil, err)
			return
		}
		data, err := f.kernelPart().append(nil, false)
		if err != nil {
			yield(nil, err)
			return
		}
		var fl Flow
		req := netlink.Message{Header: netlink.Header{Type: msgGet, Flags: netlink.Dump}, Data: data}
		for m, err := range c.NL.Dump(ctx, req) {
			if err != nil {
				yield(nil, netlink.WithObject(err, f.object()))
				return
			}
			if err := fl.Decode(m.Data); err != nil {
				yield(nil, err)
				return
			}
			if !f.Match(&fl) {
				continue
			}
			if !yield(&fl, nil) {
				return
			}
		}
	}
}

// Get returns the entry whose original tuple (or, when f.Orig has no
// protocol, reply tuple) and zone are f's: it sends IPCTNL_MSG_CT_GET.
// f.Family is the entry's family; when 0 it comes from the tuple.
func (c *Conn) Get(ctx context.Context, f *Flow) (Flow, error) {
	data, err := f.appendKey(nil)
	if err != nil {
		return Flow{}, err
	}
	var out Flow
	found := false
	err = c.NL.ExecuteFunc(ctx, netlink.Message{Header: netlink.Header{Type: msgGet}, Data: data}, func(m netlink.Message) error {
		if m.Header.Type != msgNew || found {
			return nil
		}
		found = true
		if err := out.Decode(m.Data); err != nil {
			return err
		}
		out = out.Clone()
		return nil
	})
	if err != nil {
		return Flow{}, netlink.WithObject(err, f.object())
	}
	if !found {
		return Flow{}, fmt.Errorf("conntrack: get %s: no reply", f.object())
	}
	return out, nil
}

// Create adds the entry f to the table: it sends IPCTNL_MSG_CT_NEW with
// NLM_F_CREATE and NLM_F_EXCL, so an entry with the same tuples fails with
// EEXIST. The kernel needs both tuples and a timeout; it sets the ID, the
// use count and the counters itself. Of the status bits, it takes
// SEEN_REPLY and ASSURED (which can only be set, never cleared), and
// CONFIRMED, which Create adds.
func (c *Conn) Create(ctx context.Context, f *Flow) error {
	if err := f.check("create"); err != nil {
		return err
	}
	if f.Timeout == 0 {
		return invalid(msgNew, "create %s: no timeout", f.object())
	}
	if f.Reply.Proto == 0 {
		return invalid(msgNew, "create %s: no reply tuple", f.object())
	}
	return c.change(ctx, f, netlink.Create|netlink.Excl)
}

// Update changes the existing entry whose tuple and zone are f's: it
// sends IPCTNL_MSG_CT_NEW without NLM_F_CREATE, with the fields f has
// (status, timeout, mark and MarkMask, labels and LabelsMask, helper,
// protocol state, sequence adjustments, synproxy). An entry that does not
// exist fails with ENOENT.
func (c *Conn) Update(ctx context.Context, f *Flow) error {
	if err := f.check("update"); err != nil {
		return err
	}
	return c.change(ctx, f, 0)
}

func (c *Conn) change(ctx context.Context, f *Flow, flags netlink.HeaderFlags) error {
	g := *f
	if g.Family == 0 {
		g.Family = g.Orig.family()
	}
	if flags&netlink.Create != 0 && g.has(FieldStatus, g.Status != 0) {
		// The kernel confirms a new entry before it applies the status,
		// and refuses (EBUSY) a status that would take that bit away.
		g.Status |= StatusConfirmed
	}
	data, err := g.append(nil, false)
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgNew, Flags: flags}, Data: data})
	return netlink.WithObject(err, f.object())
}

// Delete removes the entry whose original tuple and zone are f's (and,
// when f has an ID, whose ID is f's, so that an entry that replaced the
// one listed is left alone): it sends IPCTNL_MSG_CT_DELETE. An entry that
// does not exist fails with ENOENT.
func (c *Conn) Delete(ctx context.Context, f *Flow) error {
	data, err := f.appendDelete(nil)
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgDelete}, Data: data})
	return netlink.WithObject(err, f.object())
}

// appendDelete appends a DELETE's payload for f: its key and its ID.
func (f *Flow) appendDelete(b []byte) ([]byte, error) {
	data, err := f.appendKey(b)
	if err != nil || f.ID == 0 {
		return data, err
	}
	e := netlink.NewAttrEncoder(data)
	e.Uint32BE(ctaID, f.ID)
	return e.Finish()
}

// DeleteMatching removes every entry f selects (see Filter.Match); the
// zero Filter flushes the whole table. It does not say how many entries
// it deleted.
//
// Where the kernel runs f as Match does, that is one request: the kernel
// walks its table and deletes what matches (IPCTNL_MSG_CT_DELETE with the
// filter's attributes and no tuple to look up). It does for a filter of
// family, mark and status (Linux 5.15 and later: older kernels ignore the
// status, and before 5.3 the family, and delete more), and from Linux 6.12
// on for a zone and a tuple filter too: before 6.8 a delete ignores the
// zone, and so removes the entries of every zone, and before 6.12 it
// takes a tuple as that of the one entry to delete. For a filter with a
// zone or a tuple DeleteMatching first asks the kernel whether it runs a
// tuple filter in a delete, with a request that deletes nothing (a filter
// no entry matches).
//
// Otherwise (a kernel before 6.12; a filter of IPv6 addresses, which some
// kernels compare inverted, or of ports of a protocol other than TCP and
// UDP, which the kernel does not compare) DeleteMatching lists the entries f selects, as Flows does,
// and then deletes each by its tuple, zone and ID, so that an entry that
// replaced a listed one is left alone; an entry gone in between is no
// error. An entry made after the listing is left alone, as it may be by
// the kernel's own walk.
func (c *Conn) DeleteMatching(ctx context.Context, f Filter) error {
	if err := f.check(msgDelete); err != nil {
		return err
	}
	if f.kernelExact() && (!f.needsFilterFlush() || c.filterFlush(ctx)) {
		data, err := f.append(nil, true)
		if err != nil {
			return err
		}
		_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgDelete}, Data: data})
		return netlink.WithObject(err, f.object())
	}
	return c.deleteListed(ctx, f)
}

// filterFlush reports whether the kernel runs a tuple filter in a delete
// (Linux 6.12 and later), by sending one that selects entries of IPv4
// protocol 255 from 0.0.0.0 to 0.0.0.0 with a mark of 1 under the mask 0:
// no entry has such a mark, so the kernel deletes nothing and answers 0.
// An older kernel takes the tuple as that of the one entry to delete,
// finds none (or one whose ID is not 0) and answers ENOENT; a kernel
// without connection marks refuses the mark with EOPNOTSUPP.
func (c *Conn) filterFlush(ctx context.Context) bool {
	zero := netip.IPv4Unspecified()
	probe := Filter{Family: afInet, Mark: 1, MarkMask: 0,
		Orig: TupleFilter{Tuple: Tuple{Src: zero, Dst: zero, Proto: 255}, Match: MatchSrc | MatchDst | MatchProto}}
	data, err := probe.append(nil, true)
	if err != nil {
		return false
	}
	e := netlink.NewAttrEncoder(data)
	e.Uint32BE(ctaMark, 1) // the mask 0 that append leaves out with the mark
	e.Uint32BE(ctaMarkMask, 0)
	e.Uint32BE(ctaID, 0)
	if data, err = e.Finish(); err != nil {
		return false
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgDelete}, Data: data})
	return err == nil
}

// deleteBatch is how many deletes deleteListed sends in one datagram.
const deleteBatch = 256

// deleteListed deletes the entries f selects one by one: it lists them,
// then deletes each by its original tuple, zone and ID, deleteBatch
// requests to a datagram.
func (c *Conn) deleteListed(ctx context.Context, f Filter) error {
	var keys []Flow
	for fl, err := range c.Flows(ctx, f) {
		if err != nil {
			return err
		}
		keys = append(keys, Flow{Family: fl.Family, Orig: fl.Orig, Zone: fl.Zone, ID: fl.ID})
	}
	for len(keys) > 0 {
		n := min(len(keys), deleteBatch)
		reqs := make([]netlink.Message, n)
		for i := range reqs {
			data, err := keys[i].appendDelete(nil)
			if err != nil {
				return err
			}
			reqs[i] = netlink.Message{Header: netlink.Header{Type: msgDelete, Flags: netlink.Acknowledge}, Data: data}
		}
		results, err := c.NL.Transact(ctx, reqs)
		if err != nil {
			return netlink.WithObject(err, f.object())
		}
		for i, err := range results {
			if err != nil && !errors.Is(err, syscall.ENOENT) {
				return netlink.WithObject(err, keys[i].object())
			}
		}
		keys = keys[n:]
	}
	return nil
}

// Flush removes every entry of family (AF_INET, AF_INET6, or 0 for all):
// it sends IPCTNL_MSG_CT_DELETE with no tuple, as DeleteMatching does
// with a Filter of that family alone.
func (c *Conn) Flush(ctx context.Context, family uint8) error {
	return c.DeleteMatching(ctx, Filter{Family: family})
}

// appendKey appends what names f in a GET or DELETE: the nfgenmsg, the
// original tuple (or the reply tuple) and the zone.
func (f *Flow) appendKey(b []byte) ([]byte, error) {
	fam := f.Family
	t, typ := &f.Orig, uint16(ctaTupleOrig)
	if f.Orig.Proto == 0 && f.Reply.Proto != 0 {
		t, typ = &f.Reply, ctaTupleReply
	}
	if fam == 0 {
		fam = t.family()
	}
	if fam == 0 || t.Proto == 0 {
		return nil, invalid(msgGet, "%s: no tuple to look the entry up by", f.object())
	}
	b = netfilter.Header{Family: fam}.Append(b)
	e := netlink.NewAttrEncoder(b)
	encodeTuple(e, typ, t)
	if f.Zone != 0 {
		e.Uint16BE(ctaZone, f.Zone)
	}
	return e.Finish()
}

// check refuses a Flow that cannot be sent to create or change an entry.
func (f *Flow) check(op string) error {
	if f.Orig.Proto == 0 || !f.Orig.Src.IsValid() || !f.Orig.Dst.IsValid() {
		return invalid(msgNew, "%s %s: the original tuple needs addresses and a protocol", op, f.object())
	}
	if f.Orig.Src.Is4() != f.Orig.Dst.Is4() {
		return invalid(msgNew, "%s %s: addresses of two families", op, f.object())
	}
	return nil
}

// object names the entry f, as "conntrack entry tcp src=198.18.0.1
// dst=198.18.0.2 sport=1000 dport=80".
func (f *Flow) object() string {
	t := f.Orig
	if t.Proto == 0 {
		t = f.Reply
	}
	s := "conntrack entry " + protoName(t.Proto) + " " + t.String()
	if f.Zone != 0 {
		s += fmt.Sprintf(" zone=%d", f.Zone)
	}
	return s
}

// protoName names the layer 4 protocols conntrack knows by name.
func protoName(p uint8) string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	case protoSCTP:
		return "sctp"
	case protoDCCP:
		return "dccp"
	case protoUDPLite:
		return "udplite"
	case protoGRE:
		return "gre"
	}
	return fmt.Sprintf("proto %d", p)
}
