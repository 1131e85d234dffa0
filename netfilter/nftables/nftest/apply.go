package nftest

import (
	"bytes"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nftables"
)

var none netlink.Message

func validFamily(f nftables.Family) bool {
	switch f {
	case nftables.FamilyINet, nftables.FamilyIPv4, nftables.FamilyIPv6, nftables.FamilyARP,
		nftables.FamilyBridge, nftables.FamilyNetdev:
		return true
	}
	return false
}

// apply makes the change req asks for on the batch's copy of the
// ruleset, and returns its notification (none for no change).
func (b *batch) apply(msg uint8, req netlink.Message) (netlink.Message, error) {
	h, err := netfilter.ParseHeader(req.Data)
	if err != nil {
		return none, syscall.EINVAL
	}
	raw := req.Data[netfilter.HeaderLen:]
	as, err := parseAttrs(raw)
	if err != nil {
		return none, syscall.EINVAL
	}
	f := nftables.Family(h.Family)
	if !validFamily(f) {
		return none, syscall.EAFNOSUPPORT
	}
	destroy := isDestroy(msg)
	if destroy {
		msg = delOf(msg)
	}
	flags := req.Header.Flags
	switch msg {
	case uapi.NFT_MSG_NEWTABLE:
		return b.newTable(f, as, raw, flags)
	case uapi.NFT_MSG_DELTABLE:
		return b.delTable(f, as, destroy)
	case uapi.NFT_MSG_NEWCHAIN:
		return b.newChain(f, as, raw, flags)
	case uapi.NFT_MSG_DELCHAIN:
		return b.delChain(f, as, destroy)
	case uapi.NFT_MSG_NEWRULE:
		return b.newRule(f, as, raw, req)
	case uapi.NFT_MSG_DELRULE:
		return b.delRule(f, as, destroy)
	case uapi.NFT_MSG_NEWSET:
		return b.newSet(f, as, raw, flags)
	case uapi.NFT_MSG_DELSET:
		return b.delSet(f, as, destroy)
	case uapi.NFT_MSG_NEWSETELEM:
		return b.elements(f, as, flags, true, false)
	case uapi.NFT_MSG_DELSETELEM:
		return b.elements(f, as, flags, false, destroy)
	}
	return none, syscall.EOPNOTSUPP
}

func (b *batch) newTable(f nftables.Family, as attrs, raw []byte, flags netlink.HeaderFlags) (netlink.Message, error) {
	name, ok := as.str(uapi.NFTA_TABLE_NAME)
	if !ok {
		return none, syscall.EINVAL
	}
	if t := b.st.table(f, name); t != nil {
		if flags&netlink.Excl != 0 {
			return none, syscall.EEXIST
		}
		return none, nil
	}
	*b.st.tableHandle++
	t := &table{family: f, name: name, handle: *b.st.tableHandle, hgen: new(uint64),
		attrs: without(raw, uapi.NFTA_TABLE_NAME, nftaTableHandle, uapi.NFTA_TABLE_USE, nftaTableOwner)}
	b.st.tables = append(b.st.tables, t)
	return t.message(uapi.NFT_MSG_NEWTABLE, 0), nil
}

func (b *batch) delTable(f nftables.Family, as attrs, destroy bool) (netlink.Message, error) {
	name, _ := as.str(uapi.NFTA_TABLE_NAME)
	handle := as.be64(nftaTableHandle)
	i := slices.IndexFunc(b.st.tables, func(t *table) bool {
		return t.family == f && (handle != 0 && t.handle == handle || handle == 0 && t.name == name)
	})
	if i < 0 {
		return none, missing(destroy)
	}
	t := b.st.tables[i]
	b.st.tables = slices.Delete(b.st.tables, i, i+1)
	return t.message(uapi.NFT_MSG_DELTABLE, 0), nil
}

// missing is the error of a delete of what is not there: ENOENT, or none
// for a destroy.
func missing(destroy bool) error {
	if destroy {
		return nil
	}
	return syscall.ENOENT
}

func (b *batch) tableOf(f nftables.Family, as attrs, attr uint16) (*table, error) {
	name, ok := as.str(attr)
	if !ok {
		return nil, syscall.EINVAL
	}
	t := b.st.table(f, name)
	if t == nil {
		return nil, syscall.ENOENT
	}
	return t, nil
}

func (b *batch) newChain(f nftables.Family, as attrs, raw []byte, flags netlink.HeaderFlags) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_CHAIN_TABLE)
	if err != nil {
		return none, err
	}
	name, ok := as.str(uapi.NFTA_CHAIN_NAME)
	if !ok {
		// A rename by handle.
		return none, syscall.EOPNOTSUPP
	}
	if c := t.chain(name); c != nil {
		if flags&netlink.Excl != 0 {
			return none, syscall.EEXIST
		}
		return none, nil
	}
	*t.hgen++
	c := &chain{name: name, handle: *t.hgen,
		attrs: without(raw, uapi.NFTA_CHAIN_TABLE, uapi.NFTA_CHAIN_NAME, uapi.NFTA_CHAIN_HANDLE, nftaChainID, uapi.NFTA_CHAIN_USE)}
	if id := as.be32(nftaChainID); id != 0 {
		b.chainIDs[id] = name
	}
	t.chains = append(t.chains, c)
	return c.message(t, uapi.NFT_MSG_NEWCHAIN, 0), nil
}

func (b *batch) delChain(f nftables.Family, as attrs, destroy bool) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_CHAIN_TABLE)
	if err != nil {
		return none, err
	}
	name, _ := as.str(uapi.NFTA_CHAIN_NAME)
	handle := as.be64(uapi.NFTA_CHAIN_HANDLE)
	i := slices.IndexFunc(t.chains, func(c *chain) bool {
		return handle != 0 && c.handle == handle || handle == 0 && c.name == name
	})
	if i < 0 {
		return none, missing(destroy)
	}
	c := t.chains[i]
	for _, o := range t.chains {
		for _, r := range o.rules {
			if o != c && slices.Contains(r.jumps, c.name) {
				return none, syscall.EBUSY
			}
		}
	}
	t.chains = slices.Delete(t.chains, i, i+1)
	return c.message(t, uapi.NFT_MSG_DELCHAIN, 0), nil
}

func (b *batch) newRule(f nftables.Family, as attrs, raw []byte, req netlink.Message) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_RULE_TABLE)
	if err != nil {
		return none, err
	}
	name, ok := as.str(uapi.NFTA_RULE_CHAIN)
	if id := as.be32(nftaRuleChainID); !ok && id != 0 {
		name, ok = b.chainIDs[id]
	}
	if !ok {
		return none, syscall.EINVAL
	}
	c := t.chain(name)
	if c == nil {
		return none, syscall.ENOENT
	}
	ev, err := nftables.ParseEvent(req)
	if err != nil {
		return none, syscall.EINVAL
	}
	parsed, _ := ev.Object.(*nftables.Rule)
	if parsed == nil {
		return none, syscall.EINVAL
	}
	r := &rule{parsed: parsed,
		attrs: without(raw, uapi.NFTA_RULE_TABLE, uapi.NFTA_RULE_CHAIN, uapi.NFTA_RULE_HANDLE,
			uapi.NFTA_RULE_POSITION, uapi.NFTA_RULE_ID, nftaRulePosID, nftaRuleChainID)}
	flags := req.Header.Flags
	at := -1 // the index of the rule of the handle or position
	if h := as.be64(uapi.NFTA_RULE_HANDLE); h != 0 {
		if flags&netlink.Replace == 0 {
			return none, syscall.EOPNOTSUPP
		}
		if at = c.ruleIndex(h); at < 0 {
			return none, syscall.ENOENT
		}
	} else if p := as.be64(uapi.NFTA_RULE_POSITION); p != 0 {
		if at = c.ruleIndex(p); at < 0 {
			return none, syscall.ENOENT
		}
	}
	if flags&netlink.Replace != 0 && at >= 0 {
		// The rule that replaces another keeps its handle.
		r.handle = c.rules[at].handle
	} else {
		*t.hgen++
		r.handle = *t.hgen
	}
	// The kernel numbers the rule before it reads its expressions: a
	// rule they fail still uses up its handle.
	for _, x := range parsed.Exprs {
		switch x := x.(type) {
		case *nftables.Immediate:
			v := x.Verdict
			if v == nil || v.Code != nftables.VerdictJump && v.Code != nftables.VerdictGoto {
				continue
			}
			target := v.Chain
			if target == "" {
				target = b.chainIDs[v.ChainID]
			}
			if t.chain(target) == nil {
				return none, syscall.ENOENT
			}
			r.jumps = append(r.jumps, target)
		case *nftables.Lookup:
			s := x.Set
			if s == "" {
				s = b.setIDs[x.SetID]
			}
			if t.set(s) == nil {
				return none, syscall.ENOENT
			}
			r.sets = append(r.sets, s)
		}
	}
	switch {
	case flags&netlink.Replace != 0 && at >= 0:
		c.rules = slices.Clone(c.rules)
		c.rules[at] = r
	case flags&netlink.Append != 0:
		if at < 0 {
			at = len(c.rules) - 1
		}
		c.rules = slices.Insert(slices.Clip(c.rules), at+1, r)
	default:
		if at < 0 {
			at = 0
		}
		c.rules = slices.Insert(slices.Clip(c.rules), at, r)
	}
	return r.message(t, c, 0, uapi.NFT_MSG_NEWRULE, 0), nil
}

func (c *chain) ruleIndex(h uint64) int {
	return slices.IndexFunc(c.rules, func(r *rule) bool { return r.handle == h })
}

func (b *batch) delRule(f nftables.Family, as attrs, destroy bool) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_RULE_TABLE)
	if err != nil {
		return none, err
	}
	name, ok := as.str(uapi.NFTA_RULE_CHAIN)
	var chains []*chain
	if ok {
		c := t.chain(name)
		if c == nil {
			return none, syscall.ENOENT
		}
		chains = []*chain{c}
	} else {
		chains = t.chains
	}
	if h := as.be64(uapi.NFTA_RULE_HANDLE); h != 0 {
		if !ok {
			return none, syscall.EINVAL
		}
		c := chains[0]
		i := c.ruleIndex(h)
		if i < 0 {
			return none, missing(destroy)
		}
		r := c.rules[i]
		c.rules = slices.Delete(slices.Clone(c.rules), i, i+1)
		return r.message(t, c, 0, uapi.NFT_MSG_DELRULE, 0), nil
	}
	var note netlink.Message
	for _, c := range chains {
		for _, r := range c.rules {
			note = r.message(t, c, 0, uapi.NFT_MSG_DELRULE, 0)
		}
		c.rules = nil
	}
	return note, nil
}

func (b *batch) newSet(f nftables.Family, as attrs, raw []byte, flags netlink.HeaderFlags) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_SET_TABLE)
	if err != nil {
		return none, err
	}
	name, ok := as.str(uapi.NFTA_SET_NAME)
	if !ok {
		return none, syscall.EINVAL
	}
	if s := t.set(name); s != nil {
		if flags&netlink.Excl != 0 {
			return none, syscall.EEXIST
		}
		return none, nil
	}
	*t.hgen++
	s := &set{name: name, handle: *t.hgen, id: as.be32(uapi.NFTA_SET_ID),
		attrs: without(raw, uapi.NFTA_SET_TABLE, uapi.NFTA_SET_NAME, nftaSetHandle, uapi.NFTA_SET_ID)}
	if s.id != 0 {
		b.setIDs[s.id] = name
	}
	t.sets = append(t.sets, s)
	return s.message(t, uapi.NFT_MSG_NEWSET, 0), nil
}

func (b *batch) delSet(f nftables.Family, as attrs, destroy bool) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_SET_TABLE)
	if err != nil {
		return none, err
	}
	name, _ := as.str(uapi.NFTA_SET_NAME)
	handle := as.be64(nftaSetHandle)
	i := slices.IndexFunc(t.sets, func(s *set) bool {
		return handle != 0 && s.handle == handle || handle == 0 && s.name == name
	})
	if i < 0 {
		return none, missing(destroy)
	}
	s := t.sets[i]
	for _, c := range t.chains {
		for _, r := range c.rules {
			if slices.Contains(r.sets, s.name) {
				return none, syscall.EBUSY
			}
		}
	}
	t.sets = slices.Delete(t.sets, i, i+1)
	return s.message(t, uapi.NFT_MSG_DELSET, 0), nil
}

// elements adds or deletes the elements of a NEWSETELEM or DELSETELEM; a
// delete without elements flushes the set.
func (b *batch) elements(f nftables.Family, as attrs, flags netlink.HeaderFlags, add, destroy bool) (netlink.Message, error) {
	t, err := b.tableOf(f, as, uapi.NFTA_SET_ELEM_LIST_TABLE)
	if err != nil {
		return none, err
	}
	name, ok := as.str(uapi.NFTA_SET_ELEM_LIST_SET)
	if id := as.be32(uapi.NFTA_SET_ELEM_LIST_SET_ID); !ok && id != 0 {
		name, ok = b.setIDs[id]
	}
	if !ok {
		return none, syscall.EINVAL
	}
	s := t.set(name)
	if s == nil {
		return none, syscall.ENOENT
	}
	list, ok := as[uapi.NFTA_SET_ELEM_LIST_ELEMENTS]
	if !ok {
		if add {
			return none, nil
		}
		gone := s.elems
		s.elems = nil
		if len(gone) == 0 {
			return none, nil
		}
		return s.elemMessages(t, gone, uapi.NFT_MSG_DELSETELEM, 0)[0], nil
	}
	// A copy of the ruleset shares the elements' array: append to a
	// clipped slice.
	s.elems = slices.Clip(s.elems)
	var changed []elem
	// The elements' positions by identity, for this message's lookups.
	index := make(map[string]int, len(s.elems))
	for i, e := range s.elems {
		index[e.id] = i
	}
	for a, err := range netlink.Attrs(list.Data) {
		if err != nil || a.Type != uapi.NFTA_LIST_ELEM {
			return none, syscall.EINVAL
		}
		el, err := parseElem(a.Data)
		if err != nil {
			return none, err
		}
		i, ok := index[el.id]
		if !ok {
			i = -1
		}
		switch {
		case add && i >= 0 && flags&netlink.Excl != 0:
			return none, syscall.EEXIST
		case add && i >= 0:
		case add:
			index[el.id] = len(s.elems)
			s.elems = append(s.elems, el)
			changed = append(changed, el)
		case i < 0:
			if err := missing(destroy); err != nil {
				return none, err
			}
		default:
			changed = append(changed, s.elems[i])
			s.elems = slices.Delete(slices.Clone(s.elems), i, i+1)
			delete(index, el.id)
			for j := i; j < len(s.elems); j++ {
				index[s.elems[j].id] = j
			}
		}
	}
	if len(changed) == 0 {
		return none, nil
	}
	msg := uint8(uapi.NFT_MSG_NEWSETELEM)
	if !add {
		msg = uapi.NFT_MSG_DELSETELEM
	}
	return s.elemMessages(t, changed, msg, 0)[0], nil
}

// parseElem reads one element: its identity is its key and flags.
func parseElem(b []byte) (elem, error) {
	var key, fl []byte
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return elem{}, syscall.EINVAL
		}
		switch a.Type {
		case uapi.NFTA_SET_ELEM_KEY:
			key = a.Data
		case uapi.NFTA_SET_ELEM_FLAGS:
			fl = a.Data
		}
	}
	if key == nil && !bytes.Equal(fl, []byte{0, 0, 0, 2}) { // NFT_SET_ELEM_CATCHALL
		return elem{}, syscall.EINVAL
	}
	return elem{id: string(key) + "/" + string(fl), attrs: bytes.Clone(b)}, nil
}
