// Package xfrmtest is a fake NETLINK_XFRM kernel for tests of code that
// uses package xfrm: an in-memory table of SAs and policies that answers
// xfrm.Conn's calls as the kernel does (adds, updates, gets, deletes,
// flushes, listings, counts, SPI allocation, default policies, with the
// kernel's errnos: EEXIST for a duplicate, ESRCH for a missing SA, ENOENT
// for a missing policy or a full SPI range), and notifies the Conns that
// joined xfrm.GroupSA and xfrm.GroupPolicy. It
// runs on package nltest, needs no root and builds on every GOOS.
//
// It keeps objects as the requests sent them: it does not check
// algorithms, expire lifetimes or count traffic.
package xfrmtest

import (
	"net/netip"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/xfrm"
)

// The message types the fake kernel answers (<linux/xfrm.h>).
const (
	newSA, delSA, getSA             = 0x10, 0x11, 0x12
	newPolicy, delPolicy, getPolicy = 0x13, 0x14, 0x15
	updPolicy, updSA                = 0x19, 0x1a
	flushSA, flushPolicy            = 0x1c, 0x1d
	newSADInfo, getSADInfo          = 0x22, 0x23
	newSPDInfo, getSPDInfo          = 0x24, 0x25
	allocSPI                        = 0x16
	setDefault, getDefault          = 0x27, 0x28
	netlinkXFRM                     = 6
	attrProto                       = 25 // XFRMA_PROTO
	attrPolicyType                  = 16 // XFRMA_POLICY_TYPE
)

// Kernel is the fake kernel. Its methods are safe for concurrent use.
type Kernel struct {
	nl *nltest.Kernel

	mu       sync.Mutex
	states   []xfrm.State
	policies []xfrm.Policy
	index    uint32 // the last policy index given, over 8
	defaults xfrm.DefaultPolicies
}

// New returns a fake kernel with no SAs and no policies.
func New() *Kernel {
	k := &Kernel{defaults: xfrm.DefaultPolicies{In: xfrm.DefaultAccept, Fwd: xfrm.DefaultAccept, Out: xfrm.DefaultAccept}}
	k.nl = nltest.New(netlinkXFRM, k.handle)
	return k
}

// Dial returns an xfrm.Conn on the fake kernel (cfg may be nil).
func (k *Kernel) Dial(cfg *netlink.Config) (*xfrm.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return xfrm.New(nl), nil
}

// States returns copies of the SAs, in the order they were added.
func (k *Kernel) States() []xfrm.State {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]xfrm.State, len(k.states))
	for i := range k.states {
		out[i] = k.states[i].Clone()
	}
	return out
}

// Policies returns copies of the policies, in the order they were added.
func (k *Kernel) Policies() []xfrm.Policy {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]xfrm.Policy, len(k.policies))
	for i := range k.policies {
		out[i] = k.policies[i].Clone()
	}
	return out
}

// AddState puts s in the table, as if a key manager had added it.
func (k *Kernel) AddState(s xfrm.State) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.states = append(k.states, s.Clone())
}

// AddPolicy puts p in the table, giving it an index if it has none.
func (k *Kernel) AddPolicy(p xfrm.Policy) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.addPolicy(p.Clone())
}

func (k *Kernel) addPolicy(p xfrm.Policy) xfrm.Policy {
	if p.Index == 0 {
		k.index++
		p.Index = k.index<<3 | uint32(p.Dir) // as the kernel's xfrm_gen_index
	}
	k.policies = append(k.policies, p)
	return p
}

func sameMark(a, b *xfrm.Mark) bool {
	var x, y xfrm.Mark
	if a != nil {
		x = *a
	}
	if b != nil {
		y = *b
	}
	return x.Value&x.Mask == y.Value&y.Mask
}

func (k *Kernel) findState(dst netip.Addr, spi uint32, proto xfrm.Proto, mark *xfrm.Mark) int {
	return slices.IndexFunc(k.states, func(s xfrm.State) bool {
		return s.Dst == dst && s.SPI == spi && s.Proto == proto && sameMark(s.Mark, mark)
	})
}

func (k *Kernel) findPolicy(id xfrm.PolicyID) int {
	return slices.IndexFunc(k.policies, func(p xfrm.Policy) bool {
		if p.Type != id.Type || p.Dir != id.Dir {
			return false
		}
		if id.Index != 0 {
			return p.Index == id.Index
		}
		return p.Selector.Src == id.Selector.Src && p.Selector.Dst == id.Selector.Dst &&
			p.Selector.Proto == id.Selector.Proto && p.Selector.SrcPort == id.Selector.SrcPort &&
			p.Selector.DstPort == id.Selector.DstPort && p.Selector.Ifindex == id.Selector.Ifindex &&
			sameMark(p.Mark, id.Mark) && p.IfID == id.IfID && string(p.SecCtx) == string(id.SecCtx)
	})
}

func msg(typ netlink.HeaderType, data []byte) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: data}
}

func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	dump := req.Header.Flags&netlink.Dump != 0
	switch req.Header.Type {
	case newSA, updSA:
		s, err := xfrm.ParseState(req)
		if err != nil {
			return nil, syscall.EINVAL
		}
		i := k.findState(s.Dst, s.SPI, s.Proto, s.Mark)
		switch {
		case req.Header.Type == newSA && i >= 0:
			return nil, syscall.EEXIST
		case req.Header.Type == updSA && i < 0:
			return nil, syscall.ESRCH
		case i >= 0:
			k.states[i] = s
		default:
			k.states = append(k.states, s)
		}
		b, _ := s.Append(nil)
		k.nl.Report(req, uint32(xfrm.GroupSA), msg(req.Header.Type, b))
		return nil, nil
	case getSA:
		if dump {
			var proto xfrm.Proto
			for a, err := range netlink.Attrs(req.Data) {
				if err == nil && a.Type == attrProto && len(a.Data) > 0 {
					proto = xfrm.Proto(a.Data[0])
				}
			}
			var out []netlink.Message
			for _, s := range k.states {
				if proto == xfrm.ProtoAny || s.Proto == proto {
					b, _ := s.Append(nil)
					out = append(out, msg(newSA, b))
				}
			}
			return out, nil
		}
		id, err := xfrm.ParseStateID(req.Data)
		if err != nil {
			return nil, syscall.EINVAL
		}
		i := k.findState(id.Dst, id.SPI, id.Proto, id.Mark)
		if i < 0 {
			return nil, syscall.ESRCH
		}
		b, _ := k.states[i].Append(nil)
		return []netlink.Message{msg(newSA, b)}, nil
	case delSA:
		id, err := xfrm.ParseStateID(req.Data)
		if err != nil {
			return nil, syscall.EINVAL
		}
		i := k.findState(id.Dst, id.SPI, id.Proto, id.Mark)
		if i < 0 {
			return nil, syscall.ESRCH
		}
		b, _ := k.states[i].AppendDeleted(nil)
		k.states = slices.Delete(k.states, i, i+1)
		k.nl.Report(req, uint32(xfrm.GroupSA), msg(delSA, b))
		return nil, nil
	case flushSA:
		if len(req.Data) < 1 {
			return nil, syscall.EINVAL
		}
		proto := xfrm.Proto(req.Data[0])
		n := len(k.states)
		k.states = slices.DeleteFunc(k.states, func(s xfrm.State) bool {
			return proto == xfrm.ProtoAny || s.Proto == proto ||
				proto == xfrm.ProtoIPsec && (s.Proto == xfrm.ProtoESP || s.Proto == xfrm.ProtoAH || s.Proto == xfrm.ProtoComp)
		})
		if len(k.states) < n { // the kernel reports no flush of an empty table
			k.nl.Report(req, uint32(xfrm.GroupSA), msg(flushSA, []byte{uint8(proto), 0, 0, 0}))
		}
		return nil, nil
	case newPolicy, updPolicy:
		p, err := xfrm.ParsePolicy(req)
		if err != nil {
			return nil, syscall.EINVAL
		}
		i := k.findPolicy(xfrm.PolicyID{Selector: p.Selector, Dir: p.Dir, Type: p.Type, Mark: p.Mark, IfID: p.IfID, SecCtx: p.SecCtx})
		switch {
		case req.Header.Type == newPolicy && i >= 0:
			return nil, syscall.EEXIST
		case i >= 0:
			p.Index = k.policies[i].Index
			k.policies[i] = p
		default:
			p = k.addPolicy(p)
		}
		b, _ := p.Append(nil)
		k.nl.Report(req, uint32(xfrm.GroupPolicy), msg(req.Header.Type, b))
		return nil, nil
	case getPolicy:
		if dump {
			out := make([]netlink.Message, 0, len(k.policies))
			for _, p := range k.policies {
				b, _ := p.Append(nil)
				out = append(out, msg(newPolicy, b))
			}
			return out, nil
		}
		id, err := xfrm.ParsePolicyID(req.Data)
		if err != nil {
			return nil, syscall.EINVAL
		}
		i := k.findPolicy(id)
		if i < 0 {
			return nil, syscall.ENOENT
		}
		b, _ := k.policies[i].Append(nil)
		return []netlink.Message{msg(newPolicy, b)}, nil
	case delPolicy:
		id, err := xfrm.ParsePolicyID(req.Data)
		if err != nil {
			return nil, syscall.EINVAL
		}
		i := k.findPolicy(id)
		if i < 0 {
			return nil, syscall.ENOENT
		}
		b, _ := k.policies[i].AppendDeleted(nil)
		k.policies = slices.Delete(k.policies, i, i+1)
		k.nl.Report(req, uint32(xfrm.GroupPolicy), msg(delPolicy, b))
		return nil, nil
	case flushPolicy:
		t := xfrm.PolicyMain
		for a, err := range netlink.Attrs(req.Data) {
			if err == nil && a.Type == attrPolicyType && len(a.Data) > 0 {
				t = xfrm.PolicyType(a.Data[0])
			}
		}
		n := len(k.policies)
		k.policies = slices.DeleteFunc(k.policies, func(p xfrm.Policy) bool { return p.Type == t })
		if len(k.policies) < n { // the kernel reports no flush of an empty table
			k.nl.Report(req, uint32(xfrm.GroupPolicy), msg(flushPolicy, req.Data))
		}
		return nil, nil
	case allocSPI:
		return k.allocSPI(req)
	case getDefault:
		return []netlink.Message{msg(getDefault, k.defaults.Append(nil))}, nil
	case setDefault:
		d, err := xfrm.ParseDefaultPolicies(req)
		if err != nil || d.In > xfrm.DefaultAccept || d.Fwd > xfrm.DefaultAccept || d.Out > xfrm.DefaultAccept {
			return nil, syscall.EINVAL
		}
		for _, p := range []struct{ set, to *xfrm.DefaultAction }{{&d.In, &k.defaults.In}, {&d.Fwd, &k.defaults.Fwd}, {&d.Out, &k.defaults.Out}} {
			if *p.set != xfrm.DefaultUnspec {
				*p.to = *p.set
			}
		}
		k.nl.Report(req, uint32(xfrm.GroupPolicy), msg(getDefault, k.defaults.Append(nil)))
		return nil, nil
	case getSADInfo:
		return []netlink.Message{msg(newSADInfo, xfrm.AppendSAInfo(nil, xfrm.SAInfo{Count: uint32(len(k.states)), HashBuckets: 8, HashMax: 1 << 20}))}, nil
	case getSPDInfo:
		var i xfrm.SPDInfo
		for _, p := range k.policies {
			switch p.Dir {
			case xfrm.DirIn:
				i.In++
			case xfrm.DirOut:
				i.Out++
			case xfrm.DirFwd:
				i.Fwd++
			}
		}
		i.HashBuckets, i.HashMax = 4, 1<<20
		i.IPv4Thresh, i.IPv6Thresh = xfrm.HashThresh{Local: 32, Remote: 32}, xfrm.HashThresh{Local: 128, Remote: 128}
		return []netlink.Message{msg(newSPDInfo, xfrm.AppendSPDInfo(nil, i))}, nil
	}
	return nil, syscall.EOPNOTSUPP
}

// allocSPI answers XFRM_MSG_ALLOCSPI as the kernel does: a larval SA
// (no algorithms) of the request's addresses, protocol, mode and request
// ID with the lowest free SPI of the range (the kernel picks at random),
// ENOENT when none is free.
func (k *Kernel) allocSPI(req netlink.Message) ([]netlink.Message, error) {
	s, lo, hi, err := xfrm.ParseAllocSPI(req.Data)
	if err != nil || lo > hi || lo == 0 {
		return nil, syscall.EINVAL
	}
	for spi := uint64(lo); spi <= uint64(hi); spi++ {
		if k.findState(s.Dst, uint32(spi), s.Proto, s.Mark) < 0 {
			s.SPI = uint32(spi)
			s.Lifetime = xfrm.NoLimits()
			s.Lifetime.HardAddExpires = 30 // the kernel's xfrm_acq_expires
			k.states = append(k.states, s)
			b, _ := s.Append(nil)
			return []netlink.Message{msg(newSA, b)}, nil
		}
	}
	return nil, syscall.ENOENT
}
