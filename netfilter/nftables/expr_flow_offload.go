package nftables

// FlowOffload is the flow_offload expression: it offloads the connection to the flowtable named Table.
type FlowOffload struct {
	Table string `nft:"1"` // NFTA_FLOW_TABLE_NAME
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "flow_offload".
func (*FlowOffload) Kind() string { return "flow_offload" }

func init() { register(&FlowOffload{}) }
