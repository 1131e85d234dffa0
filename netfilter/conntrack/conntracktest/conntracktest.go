// Package conntracktest is a fake connection tracking table for unit
// tests of code that uses package conntrack: a *conntrack.Conn that talks
// to an in-memory table, with no root and on any OS. It runs on nltest's
// fake kernel, so everything a Conn does above its socket runs as with
// the kernel.
//
// The table answers as the kernel does, as far as this package's tests
// compared them: IPCTNL_MSG_CT_NEW creates (EEXIST with NLM_F_EXCL,
// ENOENT for an update of an entry that is not there, EINVAL without a
// reply tuple or a timeout) and updates (status bits that can only be set,
// the timeout, the mark under CTA_MARK_MASK, labels under
// CTA_LABELS_MASK, protocol state); IPCTNL_MSG_CT_GET gets one entry
// or dumps those a filter selects (family, mark and mask, status and
// mask, zone, CTA_FILTER's tuple fields); IPCTNL_MSG_CT_DELETE deletes
// one entry (ENOENT when its ID differs) or every entry a filter
// selects; IPCTNL_MSG_CT_GET_STATS counts. Every change is sent to the
// groups of new, updated and destroyed entries as the kernel's events
// are. Expectations are not modelled (EOPNOTSUPP).
package conntracktest

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/conntrack"
	"github.com/nlkit/netlink/nltest"
)

// Kernel is a fake conntrack table. Its methods are safe for concurrent
// use.
type Kernel struct {
	nl *nltest.Kernel

	mu     sync.Mutex
	flows  []conntrack.Flow
	nextID uint32
	// Max is the table's maximum number of entries (nf_conntrack_max),
	// which Stats reports; the default is 262144.
	Max uint32
}

// New returns an empty table.
func New() *Kernel {
	k := &Kernel{nextID: 1, Max: 262144}
	k.nl = nltest.New(netfilter.Protocol, k.handle)
	return k
}

// Dial returns a conntrack Conn on the table, made from cfg (which may be
// nil) as netlink.Dial makes one.
func (k *Kernel) Dial(cfg *netlink.Config) (*conntrack.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return conntrack.New(nl), nil
}

// Netlink returns the fake kernel the table runs on, for its Overrun and
// Notify.
func (k *Kernel) Netlink() *nltest.Kernel { return k.nl }

// Add adds f to the table as traffic would, with an ID, a use count of
// 1 and the CONFIRMED status bit, sends its NEW event, and returns the
// entry as the table has it.
func (k *Kernel) Add(f conntrack.Flow) conntrack.Flow {
	k.mu.Lock()
	f = k.insert(f)
	k.mu.Unlock()
	k.nl.Notify(uint32(conntrack.GroupNew), eventMessage(&f, msgNew, netlink.Create|netlink.Excl))
	return f
}

// Flows returns a copy of the table.
func (k *Kernel) Flows() []conntrack.Flow {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]conntrack.Flow, len(k.flows))
	for i := range k.flows {
		out[i] = k.flows[i].Clone()
	}
	return out
}

func (k *Kernel) insert(f conntrack.Flow) conntrack.Flow {
	f = f.Clone()
	if f.Family == 0 {
		f.Family = 2
		if f.Orig.Src.Is6() {
			f.Family = 10
		}
	}
	f.ID, f.Use = k.nextID, 1
	k.nextID++
	f.Status |= conntrack.StatusConfirmed
	f.Set |= conntrack.FieldOrig | conntrack.FieldReply | conntrack.FieldStatus | conntrack.FieldTimeout |
		conntrack.FieldMark | conntrack.FieldID | conntrack.FieldUse
	if f.Orig.Proto == 6 {
		f.Set |= conntrack.FieldTCP
	}
	f.Unknown = nil
	k.flows = append(k.flows, f)
	return f
}

var (
	msgNew      = netfilter.MessageType(netfilter.SubsysConntrack, 0)
	msgGet      = netfilter.MessageType(netfilter.SubsysConntrack, 1)
	msgDelete   = netfilter.MessageType(netfilter.SubsysConntrack, 2)
	msgStatsCPU = netfilter.MessageType(netfilter.SubsysConntrack, 4)
	msgStats    = netfilter.MessageType(netfilter.SubsysConntrack, 5)
)

// eventMessage is the message of an event or a reply about f.
func eventMessage(f *conntrack.Flow, typ netlink.HeaderType, flags netlink.HeaderFlags) netlink.Message {
	data, _ := f.Append(nil)
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data}
}

func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	h, err := netfilter.ParseHeader(req.Data)
	if err != nil {
		return nil, syscall.EINVAL
	}
	var r conntrack.Flow
	if req.Header.Type == msgNew || req.Header.Type == msgGet || req.Header.Type == msgDelete {
		if err := r.Decode(req.Data); err != nil {
			return nil, syscall.EINVAL
		}
		r = r.Clone()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch req.Header.Type {
	case msgNew:
		return k.create(req, &r)
	case msgGet:
		if req.Header.Flags&netlink.Dump == netlink.Dump {
			f, err := parseFilter(h, &r, false)
			if err != nil {
				return nil, err
			}
			var out []netlink.Message
			for i := range k.flows {
				if f.match(&k.flows[i]) {
					out = append(out, eventMessage(&k.flows[i], msgNew, 0))
				}
			}
			return out, nil
		}
		i := k.find(&r)
		if i < 0 {
			return nil, syscall.ENOENT
		}
		return []netlink.Message{eventMessage(&k.flows[i], msgNew, 0)}, nil
	case msgDelete:
		hasFilter := filterAttr(&r) != nil
		if !hasFilter && (r.Set&(conntrack.FieldOrig|conntrack.FieldReply) != 0) {
			i := k.find(&r)
			if i < 0 || r.Set&conntrack.FieldID != 0 && r.ID != k.flows[i].ID {
				return nil, syscall.ENOENT
			}
			k.remove(req, i)
			return nil, nil
		}
		f, err := parseFilter(h, &r, true)
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(k.flows); {
			if f.match(&k.flows[i]) {
				k.remove(req, i)
				continue
			}
			i++
		}
		return nil, nil
	case msgStats:
		e := netlink.NewAttrEncoder(netfilter.Header{}.Append(nil))
		e.Uint32BE(1, uint32(len(k.flows))) // CTA_STATS_GLOBAL_ENTRIES
		e.Uint32BE(2, k.Max)                // CTA_STATS_GLOBAL_MAX_ENTRIES
		data, _ := e.Finish()
		return []netlink.Message{{Header: netlink.Header{Type: msgStats}, Data: data}}, nil
	case msgStatsCPU:
		return []netlink.Message{{Header: netlink.Header{Type: msgStatsCPU}, Data: netfilter.Header{}.Append(nil)}}, nil
	}
	return nil, syscall.EOPNOTSUPP
}

// find returns the index of the entry r names by its original (or reply)
// tuple and zone, or -1.
func (k *Kernel) find(r *conntrack.Flow) int {
	byReply := r.Set&conntrack.FieldOrig == 0
	for i := range k.flows {
		f := &k.flows[i]
		if f.Zone != r.Zone {
			continue
		}
		if !byReply && sameTuple(f.Orig, r.Orig) || byReply && sameTuple(f.Reply, r.Reply) {
			return i
		}
	}
	return -1
}

func sameTuple(a, b conntrack.Tuple) bool {
	a.HasZone, a.Zone, b.HasZone, b.Zone = false, 0, false, 0
	return a == b
}

func (k *Kernel) remove(req netlink.Message, i int) {
	f := k.flows[i]
	k.flows = slices.Delete(k.flows, i, i+1)
	k.nl.Report(req, uint32(conntrack.GroupDestroy), eventMessage(&f, msgDelete, 0))
}

func (k *Kernel) create(req netlink.Message, r *conntrack.Flow) ([]netlink.Message, error) {
	i := k.find(r)
	if i >= 0 {
		if req.Header.Flags&netlink.Excl != 0 {
			return nil, syscall.EEXIST
		}
		f := &k.flows[i]
		if err := update(f, r); err != nil {
			return nil, err
		}
		k.nl.Report(req, uint32(conntrack.GroupUpdate), eventMessage(f, msgNew, 0))
		return nil, nil
	}
	if req.Header.Flags&netlink.Create == 0 {
		return nil, syscall.ENOENT
	}
	if r.Set&conntrack.FieldReply == 0 || r.Set&conntrack.FieldTimeout == 0 {
		return nil, syscall.EINVAL
	}
	if r.Set&conntrack.FieldStatus != 0 && r.Status&conntrack.StatusConfirmed == 0 {
		return nil, syscall.EBUSY // the kernel confirms a new entry before it applies the status
	}
	f := k.insert(*r)
	k.nl.Report(req, uint32(conntrack.GroupNew), eventMessage(&f, msgNew, netlink.Create|netlink.Excl))
	return nil, nil
}

// update applies the settable fields of r to f as the kernel does.
func update(f, r *conntrack.Flow) error {
	if r.Set&conntrack.FieldStatus != 0 {
		// As nf_ct_change_status_common: the bits the kernel owns cannot
		// change, SEEN_REPLY and ASSURED can only be set.
		d := f.Status ^ r.Status
		if d&(conntrack.StatusExpected|conntrack.StatusConfirmed|conntrack.StatusDying) != 0 ||
			d&conntrack.StatusSeenReply != 0 && r.Status&conntrack.StatusSeenReply == 0 ||
			d&conntrack.StatusAssured != 0 && r.Status&conntrack.StatusAssured == 0 {
			return syscall.EBUSY
		}
		f.Status |= r.Status & (conntrack.StatusSeenReply | conntrack.StatusAssured)
	}
	if r.Set&conntrack.FieldTimeout != 0 {
		f.Timeout = r.Timeout
	}
	if r.Set&conntrack.FieldMark != 0 {
		keep := uint32(0)
		if r.Set&conntrack.FieldMarkMask != 0 {
			keep = ^r.MarkMask
		}
		f.Mark = f.Mark&keep ^ r.Mark
	}
	if r.Set&conntrack.FieldLabels != 0 {
		l := bytes.Clone(r.Labels)
		if r.Set&conntrack.FieldLabelsMask != 0 && len(r.LabelsMask) == len(l) && len(f.Labels) == len(l) {
			for i := range l {
				l[i] = f.Labels[i]&^r.LabelsMask[i] | l[i]&r.LabelsMask[i]
			}
		}
		f.Labels = l
		f.Set |= conntrack.FieldLabels
	}
	if r.Set&conntrack.FieldTCP != 0 {
		f.TCP.State = r.TCP.State
	}
	return nil
}

// filter is a dump's or a flush's selection.
type filter struct {
	family                uint8
	mark, markMask        uint32
	status, statusMask    uint32
	zone                  uint16
	hasZone               bool
	orig, reply           conntrack.Tuple
	origFlags, replyFlags uint32
}

// The CTA_FILTER_F_* bits the fake compares.
const (
	fSrc = 1 << iota
	fDst
	_
	fProto
	fSrcPort
	fDstPort
	fICMPType
	fICMPCode
	fICMPID
	fICMPv6Type
	fICMPv6Code
	fICMPv6ID
)

// filterAttr returns the payload of r's CTA_FILTER, or nil.
func filterAttr(r *conntrack.Flow) []byte {
	b, _ := rawAttr(r.Unknown, 25)
	return b
}

// rawAttr returns the payload of attribute typ in raw.
func rawAttr(raw []byte, typ uint16) ([]byte, bool) {
	for a, err := range netlink.Attrs(raw) {
		if err != nil {
			return nil, false
		}
		if a.Type == typ {
			return a.Data, true
		}
	}
	return nil, false
}

func parseFilter(h netfilter.Header, r *conntrack.Flow, del bool) (*filter, error) {
	f := &filter{family: h.Family}
	fa := filterAttr(r)
	if del && h.Version == 0 && fa == nil {
		f.family = 0 // the kernel's old flush ignores the family
	}
	if r.Set&conntrack.FieldMark != 0 {
		f.mark, f.markMask = r.Mark, 0xffffffff
		if r.Set&conntrack.FieldMarkMask != 0 {
			f.markMask = r.MarkMask
		}
	} else if r.Set&conntrack.FieldMarkMask != 0 {
		return nil, syscall.EINVAL
	}
	statusMask, hasMask := rawAttr(r.Unknown, 26)
	if r.Set&conntrack.FieldStatus != 0 {
		f.status, f.statusMask = uint32(r.Status), uint32(r.Status)
		if hasMask && len(statusMask) == 4 {
			f.statusMask = binary.BigEndian.Uint32(statusMask)
		}
		if f.statusMask == 0 {
			return nil, syscall.EINVAL
		}
	} else if hasMask {
		return nil, syscall.EINVAL
	}
	if r.Set&conntrack.FieldZone != 0 {
		f.zone, f.hasZone = r.Zone, true
	}
	if fa != nil {
		if b, ok := rawAttr(fa, 1); ok && len(b) == 4 {
			f.origFlags = binary.NativeEndian.Uint32(b)
		}
		if b, ok := rawAttr(fa, 2); ok && len(b) == 4 {
			f.replyFlags = binary.NativeEndian.Uint32(b)
		}
		if (f.origFlags|f.replyFlags) != 0 && f.family != 2 && f.family != 10 {
			return nil, syscall.EOPNOTSUPP
		}
		if f.origFlags != 0 && r.Set&conntrack.FieldOrig == 0 || f.replyFlags != 0 && r.Set&conntrack.FieldReply == 0 {
			return nil, syscall.EINVAL
		}
		f.orig, f.reply = r.Orig, r.Reply
	}
	return f, nil
}

func (f *filter) match(c *conntrack.Flow) bool {
	if f.family != 0 && c.Family != f.family ||
		f.hasZone && c.Zone != f.zone ||
		f.origFlags != 0 && !matchTuple(f.orig, c.Orig, f.origFlags) ||
		f.replyFlags != 0 && !matchTuple(f.reply, c.Reply, f.replyFlags) ||
		c.Mark&f.markMask != f.mark ||
		uint32(c.Status)&f.statusMask != f.status {
		return false
	}
	return true
}

func matchTuple(want, t conntrack.Tuple, flags uint32) bool {
	if flags&fSrc != 0 && want.Src != t.Src || flags&fDst != 0 && want.Dst != t.Dst ||
		flags&fProto != 0 && want.Proto != t.Proto {
		return false
	}
	switch t.Proto {
	case 6, 17:
		return !(flags&fSrcPort != 0 && want.SrcPort != t.SrcPort || flags&fDstPort != 0 && want.DstPort != t.DstPort)
	case 1:
		return !(flags&fICMPType != 0 && want.ICMPType != t.ICMPType || flags&fICMPCode != 0 && want.ICMPCode != t.ICMPCode ||
			flags&fICMPID != 0 && want.ICMPID != t.ICMPID)
	case 58:
		return !(flags&fICMPv6Type != 0 && want.ICMPType != t.ICMPType || flags&fICMPv6Code != 0 && want.ICMPCode != t.ICMPCode ||
			flags&fICMPv6ID != 0 && want.ICMPID != t.ICMPID)
	}
	return true
}
