package xfrm

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/nlkit/netlink"
)

// SAInfo is what XFRM_MSG_GETSADINFO reports: the number of SAs and the
// size of their hash table (ip xfrm state count).
type SAInfo struct {
	Count       uint32 // XFRMA_SAD_CNT
	HashBuckets uint32 // XFRMA_SAD_HINFO: sadhcnt, the hash table's buckets now
	HashMax     uint32 // sadhmcnt: the most buckets it may grow to
}

// SPDInfo is what XFRM_MSG_GETSPDINFO reports: the number of policies per
// direction, those of sockets apart, and the policy hash table.
type SPDInfo struct {
	In, Out, Fwd           uint32     // XFRMA_SPD_INFO: incnt, outcnt, fwdcnt
	SocketIn, SocketOut    uint32     // inscnt, outscnt
	SocketFwd              uint32     // fwdscnt
	HashBuckets, HashMax   uint32     // XFRMA_SPD_HINFO
	IPv4Thresh, IPv6Thresh HashThresh // XFRMA_SPD_IPV4_HTHRESH, XFRMA_SPD_IPV6_HTHRESH
}

// HashThresh is struct xfrmu_spdhthresh: the prefix lengths from which a
// policy's selector is hashed rather than kept in the inexact list.
type HashThresh struct {
	Local, Remote uint8 // lbits, rbits
}

// SAInfo returns the count of SAs and their hash table's size
// (XFRM_MSG_GETSADINFO).
func (c *Conn) SAInfo(ctx context.Context) (SAInfo, error) {
	m, err := c.info(ctx, msgGetSADInfo, msgNewSADInfo, "SA info")
	if err != nil {
		return SAInfo{}, err
	}
	return ParseSAInfo(m)
}

// SPDInfo returns the count of policies and their hash table's size
// (XFRM_MSG_GETSPDINFO).
func (c *Conn) SPDInfo(ctx context.Context) (SPDInfo, error) {
	m, err := c.info(ctx, msgGetSPDInfo, msgNewSPDInfo, "SPD info")
	if err != nil {
		return SPDInfo{}, err
	}
	return ParseSPDInfo(m)
}

func (c *Conn) info(ctx context.Context, req, rep netlink.HeaderType, object string) (netlink.Message, error) {
	msgs, err := c.execute(ctx, req, 0, make([]byte, 4), object) // a u32 of flags, unused
	if err != nil {
		return netlink.Message{}, err
	}
	m, err := reply(msgs, rep)
	if err != nil {
		return m, fmt.Errorf("xfrm: %s: %w", object, err)
	}
	return m, nil
}

// ParseSAInfo decodes an XFRM_MSG_NEWSADINFO message.
func ParseSAInfo(m netlink.Message) (SAInfo, error) {
	var s SAInfo
	if len(m.Data) < 4 {
		return s, malformed("XFRM_MSG_NEWSADINFO of %d bytes", len(m.Data))
	}
	for a, err := range netlink.Attrs(m.Data[4:]) {
		if err != nil {
			return s, fmt.Errorf("xfrm: SA info: %w", err)
		}
		switch a.Type {
		case attrSADCnt:
			if s.Count, err = a.Uint32(); err != nil {
				return s, fmt.Errorf("xfrm: SA info: %w", err)
			}
		case attrSADHInfo:
			if len(a.Data) < sadHInfoLen {
				return s, malformed("XFRMA_SAD_HINFO of %d bytes", len(a.Data))
			}
			s.HashBuckets = binary.NativeEndian.Uint32(a.Data)
			s.HashMax = binary.NativeEndian.Uint32(a.Data[4:])
		}
	}
	return s, nil
}

// ParseSPDInfo decodes an XFRM_MSG_NEWSPDINFO message.
func ParseSPDInfo(m netlink.Message) (SPDInfo, error) {
	var s SPDInfo
	if len(m.Data) < 4 {
		return s, malformed("XFRM_MSG_NEWSPDINFO of %d bytes", len(m.Data))
	}
	for a, err := range netlink.Attrs(m.Data[4:]) {
		if err != nil {
			return s, fmt.Errorf("xfrm: SPD info: %w", err)
		}
		d := a.Data
		u := func(i int) uint32 { return binary.NativeEndian.Uint32(d[4*i:]) }
		switch a.Type {
		case attrSPDInfo:
			if len(d) < spdInfoLen {
				return s, malformed("XFRMA_SPD_INFO of %d bytes", len(d))
			}
			s.In, s.Out, s.Fwd, s.SocketIn, s.SocketOut, s.SocketFwd = u(0), u(1), u(2), u(3), u(4), u(5)
		case attrSPDHInfo:
			if len(d) < spdHInfoLen {
				return s, malformed("XFRMA_SPD_HINFO of %d bytes", len(d))
			}
			s.HashBuckets, s.HashMax = u(0), u(1)
		case attrSPDIPv4HThresh, attrSPDIPv6HThresh:
			if len(d) < spdHThreshLen {
				return s, malformed("XFRMA_SPD hash threshold of %d bytes", len(d))
			}
			t := HashThresh{Local: d[0], Remote: d[1]}
			if a.Type == attrSPDIPv4HThresh {
				s.IPv4Thresh = t
			} else {
				s.IPv6Thresh = t
			}
		}
	}
	return s, nil
}
