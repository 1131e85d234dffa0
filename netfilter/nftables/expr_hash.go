package nftables

// Hash is the hash expression: it loads a hash of Len bytes of Sreg (jhash), or of the packet (symhash), modulo Modulus plus Offset.
type Hash struct {
	Sreg    Register `nft:"1"`        // NFTA_HASH_SREG
	Dreg    Register `nft:"2"`        // NFTA_HASH_DREG
	Len     uint32   `nft:"3"`        // NFTA_HASH_LEN
	Modulus uint32   `nft:"4,always"` // NFTA_HASH_MODULUS
	Seed    *uint32  `nft:"5"`        // NFTA_HASH_SEED
	Offset  uint32   `nft:"6"`        // NFTA_HASH_OFFSET
	Type    HashType `nft:"7,always"` // NFTA_HASH_TYPE: enum nft_hash_types (jenkins, sym)
	SetName string   `nft:"8"`        // NFTA_HASH_SET_NAME
	SetID   uint32   `nft:"9"`        // NFTA_HASH_SET_ID
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "hash".
func (*Hash) Kind() string { return "hash" }

func init() { register(&Hash{}) }
