package nftables

// Quota is the quota expression: it matches until Bytes have passed, or with the invert flag after.
type Quota struct {
	Bytes    uint64     `nft:"1,always"` // NFTA_QUOTA_BYTES
	Flags    QuotaFlags `nft:"2,always"` // NFTA_QUOTA_FLAGS: NFT_QUOTA_F_INV, NFT_QUOTA_F_DEPLETED
	Consumed uint64     `nft:"4"`        // NFTA_QUOTA_CONSUMED
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "quota".
func (*Quota) Kind() string { return "quota" }

func init() { register(&Quota{}) }
