package rtnltest

import (
	"encoding/binary"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// neighMsg encodes n as the kernel's RTM_NEWNEIGH payload.
func neighMsg(n *rtnetlink.Neighbor) []byte {
	b := make([]byte, sizeofNdMsg, 64)
	b[0] = familyOf(n.IP)
	binary.NativeEndian.PutUint32(b[4:], uint32(n.Index))
	binary.NativeEndian.PutUint16(b[8:], uint16(n.State))
	b[10] = uint8(n.Flags)
	b[11] = rtnUnicast
	e := netlink.NewAttrEncoder(b)
	e.Addr(ndaDst, n.IP)
	if len(n.HardwareAddr) > 0 {
		e.Bytes(ndaLLAddr, n.HardwareAddr)
	}
	if n.Protocol != 0 {
		e.Uint8(12, uint8(n.Protocol)) // NDA_PROTOCOL
	}
	if ext := uint32(n.Flags >> 8); ext != 0 {
		e.Uint32(15, ext) // NDA_FLAGS_EXT
	}
	out, _ := e.Finish()
	return out
}

// findNeigh returns the position of the entry (or proxy entry) for n's
// link and address, or -1.
func (k *Kernel) findNeigh(n *rtnetlink.Neighbor) int {
	proxy := n.Flags&ntfProxy != 0
	for i, o := range k.neighs {
		if o.Index == n.Index && o.IP == n.IP && (o.Flags&ntfProxy != 0) == proxy {
			return i
		}
	}
	return -1
}

// getNeigh answers RTM_GETNEIGH for one entry.
func (k *Kernel) getNeigh(req netlink.Message) ([]netlink.Message, error) {
	n, err := k.parseNeigh(req)
	if err != nil {
		return nil, err
	}
	i := k.findNeigh(&n)
	if i < 0 {
		return nil, fail(syscall.ENOENT, "Neighbour entry not found")
	}
	return []netlink.Message{{Header: netlink.Header{Type: rtmNewNeigh}, Data: neighMsg(&k.neighs[i])}}, nil
}

// parseNeigh reads a neighbour request and checks its link.
func (k *Kernel) parseNeigh(req netlink.Message) (rtnetlink.Neighbor, error) {
	if len(req.Data) < sizeofNdMsg {
		return rtnetlink.Neighbor{}, syscall.EINVAL
	}
	if f := req.Data[0]; f != afInet && f != afInet6 {
		return rtnetlink.Neighbor{}, syscall.EOPNOTSUPP
	}
	as, err := attrs(req.Data, sizeofNdMsg)
	if err != nil {
		return rtnetlink.Neighbor{}, malformed(err)
	}
	if find(as, ndaDst) == nil {
		return rtnetlink.Neighbor{}, fail(syscall.EINVAL, "Network address not specified")
	}
	typ := req.Header.Type
	if typ == rtmGetNeigh {
		typ = rtmNewNeigh
	}
	n, err := rtnetlink.ParseNeighbor(netlink.Message{Header: netlink.Header{Type: typ}, Data: req.Data})
	if err != nil {
		return n, malformed(err)
	}
	if n.Index != 0 && k.linkByIndex(n.Index) == nil || n.Index == 0 && n.Flags&ntfProxy == 0 {
		return n, syscall.ENODEV
	}
	return n, nil
}

// neighRequest answers RTM_NEWNEIGH and RTM_DELNEIGH.
func (k *Kernel) neighRequest(req netlink.Message) error {
	n, err := k.parseNeigh(req)
	if err != nil {
		return err
	}
	i := k.findNeigh(&n)
	if req.Header.Type == rtmDelNeigh {
		if i < 0 {
			return syscall.ENOENT
		}
		old := k.neighs[i]
		k.neighs = append(k.neighs[:i], k.neighs[i+1:]...)
		if n.Flags&ntfProxy == 0 {
			// The kernel fails the entry first, and says so if it had
			// an address; then it deletes it, failed.
			failed := old
			failed.State, failed.HardwareAddr = nudFailed, nil
			failed.Flags &^= ntfExtLearned // an administrator's change
			if old.State&nudValid != 0 {
				k.notify(grpNeigh, rtmNewNeigh, neighMsg(&failed), true)
			}
			k.notify(grpNeigh, rtmDelNeigh, neighMsg(&failed), true)
		}
		return nil
	}
	return k.newNeigh(n, req.Header.Flags, true)
}

// newNeigh adds or changes n, as NLM_F_CREATE, NLM_F_EXCL and
// NLM_F_REPLACE in flags say.
func (k *Kernel) newNeigh(n rtnetlink.Neighbor, flags netlink.HeaderFlags, main bool) error {
	if n.Flags&ntfProxy != 0 {
		if n.Index == 0 && n.IP.Is6() {
			return syscall.ENOBUFS // IPv6 proxies join a multicast group of their link
		}
		n.State, n.HardwareAddr = 0, nil
	} else {
		if l := k.linkByIndex(n.Index); len(n.HardwareAddr) != 0 && len(n.HardwareAddr) < len(l.HardwareAddr) {
			return fail(syscall.EINVAL, "Invalid link address")
		}
	}
	i := k.findNeigh(&n)
	if n.Flags&ntfProxy == 0 && n.State&(nudPermanent|nudNoARP) != 0 && len(n.HardwareAddr) == 0 {
		// The kernel makes the entry before it finds the address
		// missing, and leaves it, in no state.
		if i < 0 && flags&netlink.Create != 0 {
			k.neighs = append(k.neighs, rtnetlink.Neighbor{Index: n.Index, IP: n.IP})
		}
		return fail(syscall.EINVAL, "No link layer address given")
	}
	if n.Flags&ntfProxy == 0 {
		if n.Flags&ntfExtManaged != 0 && n.State&nudValid == 0 {
			n.State = nudIncomplete // the kernel resolves a managed entry at once
		}
		if n.State&nudValid == 0 {
			n.HardwareAddr = nil // kept only in the states that have one
		}
	}
	// The kernel says nothing of an entry that is not valid, unless it
	// was before.
	notify := n.State&nudValid != 0
	switch {
	case i >= 0 && flags&netlink.Excl != 0:
		return syscall.EEXIST
	case i >= 0:
		notify = notify || k.neighs[i].State&nudValid != 0
		k.neighs[i] = n
	case flags&netlink.Create == 0:
		return syscall.ENOENT
	default:
		k.neighs = append(k.neighs, n)
	}
	if n.Flags&ntfProxy == 0 && notify { // the kernel does not notify proxy entries
		k.notify(grpNeigh, rtmNewNeigh, neighMsg(&n), main)
	}
	return nil
}

// dumpNeighs answers the RTM_GETNEIGH dump: the cache or, with NTF_PROXY,
// the proxy entries, by family, link and master.
func (k *Kernel) dumpNeighs(req netlink.Message) ([]netlink.Message, error) {
	var fam uint8
	var proxy bool
	index, master := 0, 0
	if len(req.Data) > 0 {
		fam = req.Data[0]
	}
	if fam == afBridge {
		return nil, fail(syscall.EOPNOTSUPP, "rtnltest: bridge FDB entries are not modelled")
	}
	if len(req.Data) >= sizeofNdMsg {
		proxy = req.Data[10]&ntfProxy != 0
		as, err := attrs(req.Data, sizeofNdMsg)
		if err != nil {
			return nil, malformed(err)
		}
		for _, a := range as {
			v, err := a.u32()
			switch {
			case a.typ != ndaIfindex && a.typ != ndaMaster:
				return nil, fail(syscall.EINVAL, "Unsupported attribute in neighbor dump request")
			case err != nil:
				return nil, err
			case a.typ == ndaIfindex:
				index = int(v)
			default:
				master = int(v)
			}
		}
	}
	var out []netlink.Message
	for _, f := range []uint8{afInet, afInet6} {
		for _, n := range k.neighs {
			if fam != afUnspec && fam != f || familyOf(n.IP) != f || (n.Flags&ntfProxy != 0) != proxy || index != 0 && n.Index != index {
				continue
			}
			if master != 0 {
				if l := k.linkByIndex(n.Index); l == nil || l.MasterIndex != master {
					continue
				}
			}
			h := netlink.Header{Type: rtmNewNeigh}
			if index != 0 || master != 0 {
				h.Flags |= netlink.DumpFiltered
			}
			out = append(out, netlink.Message{Header: h, Data: neighMsg(&n)})
		}
	}
	return out, nil
}

// Neighbors returns the neighbour and proxy entries of the namespace.
func (k *Kernel) Neighbors() []rtnetlink.Neighbor {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]rtnetlink.Neighbor(nil), k.neighs...)
}

// AddNeighbor adds the entry n as rtnetlink.Conn.AddNeighbor does (State
// 0 is NeighPermanent for an entry with a hardware address that is not
// managed). It fails as AddNeighbor would, with an error wrapping the
// kernel's errno.
func (k *Kernel) AddNeighbor(n rtnetlink.Neighbor) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer k.flush()
	if !n.IP.IsValid() || n.Index != 0 && k.linkByIndex(n.Index) == nil || n.Index == 0 && n.Flags&ntfProxy == 0 {
		return seedError("add neighbour", syscall.ENODEV)
	}
	if n.State == 0 && n.Flags&(ntfProxy|ntfExtManaged) == 0 && len(n.HardwareAddr) > 0 {
		n.State = nudPermanent
	}
	return seedError("add neighbour "+n.IP.String(), k.newNeigh(n, netlink.Create|netlink.Excl, false))
}
