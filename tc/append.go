package tc

// Append appends q as the payload of an RTM_NEWQDISC or RTM_DELQDISC
// message, as the kernel reports a qdisc: struct tcmsg (Refcnt in
// tcm_info), TCA_KIND, TCA_OPTIONS when Options is set, TCA_RATE and
// Other; not the statistics. ParseEvent reads it back. It is for tests
// and fake kernels (package tctest): a Conn builds its requests itself.
func (q *Qdisc) Append(b []byte) ([]byte, error) {
	o := q.object()
	o.info = q.Refcnt
	o.kind, _ = kindOf(q.Kind, q.Options)
	return o.encode(b, qdiscKinds, q.Options != nil)
}

// Append appends cl as the payload of an RTM_NEWTCLASS or RTM_DELTCLASS
// message, as the kernel reports a class: struct tcmsg (Leaf in
// tcm_info), TCA_KIND, TCA_OPTIONS when Options is set, TCA_RATE and
// Other; not the statistics.
func (cl *Class) Append(b []byte) ([]byte, error) {
	o := &object{
		ifindex: int32(cl.Ifindex), handle: uint32(cl.Handle), parent: uint32(cl.Parent), info: uint32(cl.Leaf),
		options: cl.Options, estimator: cl.Estimator, other: cl.Other,
	}
	o.kind, _ = kindOf(cl.Kind, cl.Options)
	return o.encode(b, classKinds, cl.Options != nil)
}

// Append appends f as the payload of an RTM_NEWTFILTER or RTM_DELTFILTER
// message, as the kernel reports a filter: struct tcmsg, TCA_KIND,
// TCA_OPTIONS when Options is set, TCA_CHAIN and Other.
func (f *Filter) Append(b []byte) ([]byte, error) {
	o := &object{
		ifindex: int32(f.Ifindex), handle: f.Handle, parent: uint32(f.Parent),
		info: filterInfo(f.Priority, f.Protocol), chain: f.Chain, hasChain: true,
		options: f.Options, other: f.Other,
	}
	o.kind, _ = kindOf(f.Kind, f.Options)
	return o.encode(b, filterKinds, f.Options != nil)
}
