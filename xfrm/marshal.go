package xfrm

import (
	"encoding/binary"

	"github.com/nlkit/netlink"
)

// Append appends s as a NEWSA message's payload carries it: struct
// xfrm_usersa_info, then the attributes a request sends (not LastUsed or
// Offload), then Raw. It encodes s as it is: the defaults and checks of
// AddState are not applied. Fake kernels and raw requests use it.
func (s *State) Append(b []byte) ([]byte, error) {
	return s.appendAttrs(s.appendInfo(b))
}

// Append appends p as a NEWPOLICY message's payload carries it: struct
// xfrm_userpolicy_info, then the attributes a request sends (not
// Offload), then Raw, with no defaults or checks applied.
func (p *Policy) Append(b []byte) ([]byte, error) {
	return p.appendAttrs(p.appendInfo(b))
}

// Append appends id as GETSA and DELSA requests carry it: struct
// xfrm_usersa_id, then XFRMA_SRCADDR and XFRMA_MARK when set.
func (id StateID) Append(b []byte) []byte { return id.append(b) }

// Append appends id as GETPOLICY and DELPOLICY requests carry it: struct
// xfrm_userpolicy_id, then its attributes.
func (id PolicyID) Append(b []byte) ([]byte, error) { return id.append(b) }

// ParseStateID decodes the payload of a GETSA or DELSA request.
func ParseStateID(b []byte) (StateID, error) {
	if len(b) < usersaIDLen {
		return StateID{}, malformed("struct xfrm_usersa_id of %d bytes", len(b))
	}
	id := parseStateID(b)
	for a, err := range netlink.Attrs(b[usersaIDLen:]) {
		if err != nil {
			return id, err
		}
		switch a.Type {
		case attrSrcAddr:
			if len(a.Data) >= addrLen {
				id.Src = parseAddrOpt(a.Data, id.Family)
			}
		case attrMark:
			if len(a.Data) >= markLen {
				m := parseMark(a.Data)
				id.Mark = &m
			}
		}
	}
	return id, nil
}

// ParsePolicyID decodes the payload of a GETPOLICY or DELPOLICY request.
func ParsePolicyID(b []byte) (PolicyID, error) {
	if len(b) < userpolicyIDLen {
		return PolicyID{}, malformed("struct xfrm_userpolicy_id of %d bytes", len(b))
	}
	id, err := parsePolicyID(b)
	if err != nil {
		return id, err
	}
	var p Policy
	if err := p.parseAttrs(b[userpolicyIDLen:], 0); err != nil {
		return id, err
	}
	id.Type, id.Mark, id.IfID, id.SecCtx = p.Type, p.Mark, p.IfID, p.SecCtx
	return id, nil
}

// appendU32 appends a u32 in host order.
func appendU32(b []byte, v uint32) []byte { return binary.NativeEndian.AppendUint32(b, v) }

// AppendSAInfo appends an XFRM_MSG_NEWSADINFO payload saying i.
func AppendSAInfo(b []byte, i SAInfo) []byte {
	b = appendU32(b, 0)
	e := netlink.NewAttrEncoder(b)
	e.Uint32(attrSADCnt, i.Count)
	e.Bytes(attrSADHInfo, appendU32(appendU32(nil, i.HashBuckets), i.HashMax))
	b, _ = e.Finish()
	return b
}

// AppendSPDInfo appends an XFRM_MSG_NEWSPDINFO payload saying i.
func AppendSPDInfo(b []byte, i SPDInfo) []byte {
	b = appendU32(b, 0)
	e := netlink.NewAttrEncoder(b)
	var c []byte
	for _, v := range []uint32{i.In, i.Out, i.Fwd, i.SocketIn, i.SocketOut, i.SocketFwd} {
		c = appendU32(c, v)
	}
	e.Bytes(attrSPDInfo, c)
	e.Bytes(attrSPDHInfo, appendU32(appendU32(nil, i.HashBuckets), i.HashMax))
	e.Bytes(attrSPDIPv4HThresh, []byte{i.IPv4Thresh.Local, i.IPv4Thresh.Remote})
	e.Bytes(attrSPDIPv6HThresh, []byte{i.IPv6Thresh.Local, i.IPv6Thresh.Remote})
	b, _ = e.Finish()
	return b
}

// AppendDeleted appends s as the kernel's XFRM_MSG_DELSA notification
// carries it: struct xfrm_usersa_id, XFRMA_SA holding struct
// xfrm_usersa_info, then the state's other attributes.
func (s *State) AppendDeleted(b []byte) ([]byte, error) {
	id := StateID{Family: s.Family, Dst: s.Dst, SPI: s.SPI, Proto: s.Proto}
	b = id.append(b)
	e := netlink.NewAttrEncoder(b)
	e.Bytes(attrSA, s.appendInfo(nil))
	b, err := e.Finish()
	if err != nil {
		return nil, err
	}
	return s.appendAttrs(b)
}

// AppendDeleted appends p as the kernel's XFRM_MSG_DELPOLICY notification
// carries it: struct xfrm_userpolicy_id, XFRMA_POLICY holding struct
// xfrm_userpolicy_info, then the policy's other attributes.
func (p *Policy) AppendDeleted(b []byte) ([]byte, error) {
	var id [userpolicyIDLen]byte
	p.Selector.put(id[:])
	binary.NativeEndian.PutUint32(id[56:], p.Index)
	id[60] = uint8(p.Dir)
	e := netlink.NewAttrEncoder(append(b, id[:]...))
	e.Bytes(attrPolicy, p.appendInfo(nil))
	b, err := e.Finish()
	if err != nil {
		return nil, err
	}
	return p.appendAttrs(b)
}
