package nftables

// Dynset is the dynset expression: it adds or updates an element of a set from the packet path (nft's add @set and update @set).
type Dynset struct {
	SetName  string      `nft:"1"`        // NFTA_DYNSET_SET_NAME
	SetID    uint32      `nft:"2"`        // NFTA_DYNSET_SET_ID
	Op       DynsetOp    `nft:"3,always"` // NFTA_DYNSET_OP: enum nft_dynset_ops (add, update, delete)
	SregKey  Register    `nft:"4"`        // NFTA_DYNSET_SREG_KEY
	SregData Register    `nft:"5"`        // NFTA_DYNSET_SREG_DATA
	Timeout  uint64      `nft:"6"`        // NFTA_DYNSET_TIMEOUT: in milliseconds
	Expr     Expr        `nft:"7"`        // NFTA_DYNSET_EXPR: one expression the element gets
	Flags    DynsetFlags `nft:"9"`        // NFTA_DYNSET_FLAGS: NFT_DYNSET_F_INV, NFT_DYNSET_F_EXPR
	Exprs    []Expr      `nft:"10"`       // NFTA_DYNSET_EXPRESSIONS: several
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "dynset".
func (*Dynset) Kind() string { return "dynset" }

func init() { register(&Dynset{}) }
