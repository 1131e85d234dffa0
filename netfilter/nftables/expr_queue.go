package nftables

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Queue is the queue expression: it hands the packet to a user-space queue
// (nfqueue): Num, or a range of Total from it, or the one in SregQnum.
// Num is sent even when 0 unless SregQnum is set: the kernel needs one of
// the two.
type Queue struct {
	Num      uint16     `nft:"1"` // NFTA_QUEUE_NUM
	Total    uint16     `nft:"2"` // NFTA_QUEUE_TOTAL
	Flags    QueueFlags `nft:"3"` // NFTA_QUEUE_FLAGS: NFT_QUEUE_FLAG_BYPASS, NFT_QUEUE_FLAG_CPU_FANOUT
	SregQnum Register   `nft:"4"` // NFTA_QUEUE_SREG_QNUM
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "queue".
func (*Queue) Kind() string { return "queue" }

func init() { register(&Queue{}) }

func (x *Queue) encode(e *netlink.AttrEncoder) {
	if x.Num != 0 || x.SregQnum == 0 {
		// nft_queue_select_ops refuses a queue with neither, and the
		// kernel lists queue 0 with its number.
		e.Uint16BE(uapi.NFTA_QUEUE_NUM, x.Num)
	}
	if x.Total != 0 {
		e.Uint16BE(uapi.NFTA_QUEUE_TOTAL, x.Total)
	}
	if x.Flags != 0 {
		e.Uint16BE(uapi.NFTA_QUEUE_FLAGS, uint16(x.Flags))
	}
	if x.SregQnum != 0 {
		e.Uint32BE(uapi.NFTA_QUEUE_SREG_QNUM, x.SregQnum)
	}
	e.RawAttrs(x.Other)
}

func (x *Queue) decode(b []byte) error { return decodeTagged(b, x) }
