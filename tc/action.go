package tc

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Action is a tc action: inline in a filter's list (U32.Actions, ...), or
// standalone in the kernel's action table (AddAction), where filters may
// share it by Index.
type Action struct {
	Kind    string        // TCA_ACT_KIND: "gact", "mirred", "police", "bpf", ...; may be left empty when Options is set
	Index   uint32        // TCA_ACT_INDEX (tc_gen's index): 0 on creation lets the kernel pick
	Options ActionOptions // TCA_ACT_OPTIONS: *Gact, *Mirred, *Police, *ActBPF, or *RawActionOptions
	Cookie  []byte        // TCA_ACT_COOKIE: up to 16 bytes the kernel keeps for the user
	// Other holds the action's attributes no other field models (its
	// flags, its hardware statistics types), sent back unchanged.
	Other RawAttrs

	// Read only: what the kernel reports.
	Refcnt  int32  // tc_gen's refcnt
	Bindcnt int32  // tc_gen's bindcnt: filters using the action
	Stats   *Stats // TCA_ACT_STATS
}

// ActionOptions are the kind-specific part of an action (TCA_ACT_OPTIONS).
type ActionOptions interface {
	// Kind is the TCA_ACT_KIND the options belong to.
	Kind() string
	// encode appends the TCA_ACT_OPTIONS attribute, with index in its
	// struct tc_gen, or returns a *checkError.
	encode(e *netlink.AttrEncoder, index uint32) error
	// decode reads TCA_ACT_OPTIONS's payload b into the zero value and
	// returns its struct tc_gen.
	decode(b []byte) (actGen, error)
}

// actGen is struct tc_gen, what every action's parameters begin with.
type actGen struct {
	index, capab    uint32
	action          int32
	refcnt, bindcnt int32
}

func parseGen(b []byte) (actGen, error) {
	if len(b) < tcGenLen {
		return actGen{}, fmt.Errorf("tc: action parameters of %d bytes: %w", len(b), netlink.ErrMalformed)
	}
	return actGen{ne.Uint32(b), ne.Uint32(b[4:]), int32(ne.Uint32(b[8:])), int32(ne.Uint32(b[12:])), int32(ne.Uint32(b[16:]))}, nil
}

// appendGen appends struct tc_gen with index and the verdict; capab,
// refcnt and bindcnt are the kernel's.
func appendGen(b []byte, index uint32, verdict int32) []byte {
	b = ne.AppendUint32(b, index)
	b = ne.AppendUint32(b, 0)
	b = ne.AppendUint32(b, uint32(verdict))
	b = ne.AppendUint32(b, 0)
	return ne.AppendUint32(b, 0)
}

// RawActionOptions are the TCA_ACT_OPTIONS of an action kind this
// package does not decode, as the kernel sent them; they encode unchanged.
type RawActionOptions struct {
	KindName string
	Data     []byte // TCA_ACT_OPTIONS's payload
	Nested   bool   // TCA_ACT_OPTIONS had NLA_F_NESTED
}

// Kind returns o.KindName.
func (o *RawActionOptions) Kind() string { return o.KindName }

func (o *RawActionOptions) encode(e *netlink.AttrEncoder, _ uint32) error {
	typ := uint16(tcaActOptions)
	if o.Nested {
		typ |= netlink.AttrNested
	}
	e.Bytes(typ, o.Data)
	return nil
}

func (o *RawActionOptions) decode(b []byte) (actGen, error) {
	o.Data = clone(b)
	return actGen{}, nil
}

// decode reads an action's nest (TCA_ACT_KIND, TCA_ACT_OPTIONS, ...).
func (a *Action) decode(b []byte) error {
	var opts netlink.Attr
	var hasOpts, hasIndex bool
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case tcaActKind:
			a.Kind = kindName(d.Bytes())
		case tcaActOptions:
			opts, hasOpts = d.Attr(), true
		case tcaActIndex:
			a.Index, hasIndex = d.Uint32(), true
		case tcaActCookie:
			a.Cookie = clone(d.Bytes())
		case tcaActStats:
			s, err := decodeStats(d.Bytes())
			if err != nil {
				return err
			}
			a.Stats = s
		case tcaActPad, 9, tcaActInHW: // TCA_ACT_USED_HW_STATS, TCA_ACT_IN_HW_COUNT: the kernel's
		default:
			rest = d.Attr().Append(rest)
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	a.Other = RawAttrs(rest)
	if !hasOpts {
		return nil
	}
	var o ActionOptions = &RawActionOptions{KindName: a.Kind, Nested: opts.Nested}
	if f, ok := actionKinds[a.Kind]; ok {
		o = f()
	}
	g, err := o.decode(opts.Data)
	if err != nil {
		return fmt.Errorf("tc: action %s: %w", a.Kind, err)
	}
	a.Options = o
	if !hasIndex {
		a.Index = g.index
	}
	a.Refcnt, a.Bindcnt = g.refcnt, g.bindcnt
	return nil
}

// encode appends the action's attributes (inside its nest); with
// options false only its kind and index, to name it.
func (a *Action) encode(e *netlink.AttrEncoder, options bool) error {
	kind := a.Kind
	if a.Options != nil {
		if kind == "" {
			kind = a.Options.Kind()
		} else if k := a.Options.Kind(); k != kind {
			return badf("action: Kind %q but Options of kind %q", kind, k)
		}
	}
	if kind == "" {
		return badf("action: no kind")
	}
	e.String(tcaActKind, kind)
	if !options {
		if a.Index != 0 {
			e.Uint32(tcaActIndex, a.Index)
		}
		return nil
	}
	if len(a.Cookie) > 16 {
		return badf("action %s: cookie of %d bytes (at most 16)", kind, len(a.Cookie))
	}
	if a.Cookie != nil {
		e.Bytes(tcaActCookie, a.Cookie)
	}
	o := a.Options
	if o == nil {
		f, ok := actionKinds[kind]
		if !ok {
			return badf("action kind %q: this package does not know it, and no RawActionOptions were given", kind)
		}
		o = f()
	}
	if err := o.encode(e, a.Index); err != nil {
		return err
	}
	return putOther(e, a.Other)
}

// decodeActions reads a list of actions (a filter's TCA_*_ACT, or
// TCA_ACT_TAB): nests numbered from 1, in order.
func decodeActions(b []byte) ([]Action, error) {
	var acts []Action
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		var a Action
		if err := a.decode(d.Bytes()); err != nil {
			return nil, err
		}
		acts = append(acts, a)
	}
	return acts, d.Err()
}

// putActions appends acts as the list attribute typ, numbering them from
// 1; no actions, no attribute.
func putActions(e *netlink.AttrEncoder, typ uint16, acts []Action, options bool) error {
	if len(acts) == 0 {
		return nil
	}
	list := e.Nest(typ)
	for i := range acts {
		n := e.Nest(uint16(i + 1))
		if err := acts[i].encode(e, options); err != nil {
			return err
		}
		e.End(n)
	}
	e.End(list)
	return nil
}

// name names a in errors, as "action mirred index 3".
func (a *Action) name() string {
	kind := a.Kind
	if kind == "" && a.Options != nil {
		kind = a.Options.Kind()
	}
	s := "action " + kind
	if a.Index != 0 {
		s += fmt.Sprintf(" index %d", a.Index)
	}
	return s
}

// actionRequest encodes struct tcamsg and TCA_ACT_TAB holding acts.
func actionRequest(acts []Action, options bool) ([]byte, error) {
	e := netlink.NewAttrEncoder(make([]byte, tcamsgLen, 128))
	if err := putActions(e, tcaRootTab, acts, options); err != nil {
		return nil, err
	}
	return e.Finish()
}

// changeAction runs one standalone action request.
func (c *Conn) changeAction(ctx context.Context, op string, typ netlink.HeaderType, flags netlink.HeaderFlags, a *Action, options bool) ([]netlink.Message, error) {
	data, err := actionRequest([]Action{*a}, options)
	if err != nil {
		return nil, &Error{Op: op, Object: a.name(), Err: netlink.WithObject(asInvalid(typ, err), a.name())}
	}
	msgs, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
	if err != nil {
		return nil, &Error{Op: op, Object: a.name(), Err: netlink.WithObject(err, a.name())}
	}
	return msgs, nil
}

// AddAction creates the standalone action a, failing if one of its kind
// has its Index (tc actions add). It sends RTM_NEWACTION with
// NLM_F_CREATE|NLM_F_EXCL.
func (c *Conn) AddAction(ctx context.Context, a *Action) error {
	_, err := c.changeAction(ctx, "add", uapi.RTM_NEWACTION, flagsAdd, a, true)
	return err
}

// ReplaceAction creates the standalone action a or replaces the one of
// its kind with its Index (tc actions replace; actions have no separate
// change). It sends RTM_NEWACTION with NLM_F_CREATE|NLM_F_REPLACE.
func (c *Conn) ReplaceAction(ctx context.Context, a *Action) error {
	_, err := c.changeAction(ctx, "replace", uapi.RTM_NEWACTION, flagsReplace, a, true)
	return err
}

// DeleteAction deletes the standalone action of a.Kind with a.Index (tc
// actions delete). It sends RTM_DELACTION.
func (c *Conn) DeleteAction(ctx context.Context, a *Action) error {
	if a.Index == 0 {
		return &Error{Op: "delete", Object: a.name(), Err: invalid(uapi.RTM_DELACTION, "no index")}
	}
	_, err := c.changeAction(ctx, "delete", uapi.RTM_DELACTION, 0, a, false)
	return err
}

// Action returns the standalone action of the given kind and index (tc
// actions get). It sends RTM_GETACTION.
func (c *Conn) Action(ctx context.Context, kind string, index uint32) (Action, error) {
	a := &Action{Kind: kind, Index: index}
	msgs, err := c.changeAction(ctx, "get", uapi.RTM_GETACTION, 0, a, false)
	if err != nil {
		return Action{}, err
	}
	for _, m := range msgs {
		if m.Header.Type != uapi.RTM_NEWACTION && m.Header.Type != uapi.RTM_GETACTION {
			continue
		}
		acts, err := parseActionMessage(m.Data)
		if err != nil {
			return Action{}, &Error{Op: "get", Object: a.name(), Err: err}
		}
		if len(acts) > 0 {
			return acts[0], nil
		}
	}
	return Action{}, &Error{Op: "get", Object: a.name(), Err: fmt.Errorf("no reply: %w", netlink.ErrMalformed)}
}

// Actions lists the standalone actions of the given kind ("gact",
// "mirred", ...; the kernel lists one kind at a time). Each value owns its
// memory. It sends an RTM_GETACTION dump request.
func (c *Conn) Actions(ctx context.Context, kind string) iter.Seq2[Action, error] {
	return func(yield func(Action, error) bool) {
		what := "actions " + kind
		data, err := actionRequest([]Action{{Kind: kind}}, false)
		if err != nil {
			yield(Action{}, &Error{Op: "list", Object: what, Err: asInvalid(uapi.RTM_GETACTION, err)})
			return
		}
		for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: uapi.RTM_GETACTION}, Data: data}) {
			if err != nil {
				yield(Action{}, &Error{Op: "list", Object: what, Err: netlink.WithObject(err, what)})
				return
			}
			acts, err := parseActionMessage(m.Data)
			if err != nil {
				yield(Action{}, &Error{Op: "list", Object: what, Err: err})
				return
			}
			for _, a := range acts {
				if !yield(a, nil) {
					return
				}
			}
		}
	}
}

// parseActionMessage reads an RTM_*ACTION message's payload: struct
// tcamsg and TCA_ROOT_TAB's actions.
func parseActionMessage(b []byte) ([]Action, error) {
	if len(b) < tcamsgLen {
		return nil, fmt.Errorf("tc: action message of %d bytes: %w", len(b), netlink.ErrMalformed)
	}
	var acts []Action
	d := netlink.NewAttrDecoder(b[tcamsgLen:])
	for d.Next() {
		if d.Type() == tcaRootTab {
			l, err := decodeActions(d.Bytes())
			if err != nil {
				return nil, err
			}
			acts = append(acts, l...)
		}
	}
	return acts, d.Err()
}
