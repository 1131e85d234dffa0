package nftables

// Objref is the objref expression: it applies a named object (a counter, quota, ct helper, ...) by name, or the one a map gives for a register.
type Objref struct {
	ImmType ObjectType `nft:"1"` // NFTA_OBJREF_IMM_TYPE: enum nft_object_type
	ImmName string     `nft:"2"` // NFTA_OBJREF_IMM_NAME
	SetSreg Register   `nft:"3"` // NFTA_OBJREF_SET_SREG
	SetName string     `nft:"4"` // NFTA_OBJREF_SET_NAME
	SetID   uint32     `nft:"5"` // NFTA_OBJREF_SET_ID
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "objref".
func (*Objref) Kind() string { return "objref" }

func init() { register(&Objref{}) }
