package tc

import "github.com/nlkit/netlink"

// The matchall attributes (TCA_MATCHALL_*, linux/pkt_cls.h).
const (
	matchallClassID = 1 // TCA_MATCHALL_CLASSID
	matchallAct     = 2 // TCA_MATCHALL_ACT
	matchallFlags   = 3 // TCA_MATCHALL_FLAGS
	matchallPcnt    = 4 // TCA_MATCHALL_PCNT
	matchallPad     = 5 // TCA_MATCHALL_PAD
)

// Matchall is the options of a matchall filter: every packet matches.
type Matchall struct {
	ClassID Handle   // TCA_MATCHALL_CLASSID
	Flags   uint32   // TCA_MATCHALL_FLAGS: FlagSkipHW, FlagSkipSW
	Actions []Action // TCA_MATCHALL_ACT
	Other   RawAttrs
}

func init() { registerFilter("matchall", func() Options { return new(Matchall) }) }

// Kind returns "matchall".
func (*Matchall) Kind() string { return "matchall" }

func (m *Matchall) encode(e *netlink.AttrEncoder) error {
	n := e.Nest(tcaOptions)
	if m.ClassID != HandleUnspec {
		e.Uint32(matchallClassID, uint32(m.ClassID))
	}
	if err := putActions(e, matchallAct, m.Actions, true); err != nil {
		return err
	}
	if f := m.Flags & flagsSettable; f != 0 {
		e.Uint32(matchallFlags, f)
	}
	if err := putOther(e, m.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (m *Matchall) decode(b []byte) error {
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case matchallClassID:
			m.ClassID = Handle(d.Uint32())
		case matchallFlags:
			m.Flags = d.Uint32()
		case matchallAct:
			acts, err := decodeActions(d.Bytes())
			if err != nil {
				return err
			}
			m.Actions = acts
		case matchallPcnt, matchallPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	m.Other = RawAttrs(rest)
	return d.Err()
}
