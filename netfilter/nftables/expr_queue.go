package nftables

// Queue is the queue expression: it hands the packet to a user-space queue (nfqueue): Num, or a range of Total from it, or the one in SregQnum.
type Queue struct {
	Num      uint16   `nft:"1"` // NFTA_QUEUE_NUM
	Total    uint16   `nft:"2"` // NFTA_QUEUE_TOTAL
	Flags    uint16   `nft:"3"` // NFTA_QUEUE_FLAGS: NFT_QUEUE_FLAG_BYPASS, NFT_QUEUE_FLAG_CPU_FANOUT
	SregQnum Register `nft:"4"` // NFTA_QUEUE_SREG_QNUM
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "queue".
func (*Queue) Kind() string { return "queue" }

func init() { register(&Queue{}) }
