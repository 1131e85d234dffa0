package tc

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// The gact attributes (TCA_GACT_*, linux/tc_act/tc_gact.h).
const (
	gactTM    = 1 // TCA_GACT_TM
	gactParms = 2 // TCA_GACT_PARMS: struct tc_gact (tc_gen)
	gactProb  = 3 // TCA_GACT_PROB: struct tc_gact_p
	gactPad   = 4 // TCA_GACT_PAD
)

// Gact is the options of a gact action: a verdict (ActOK for "pass",
// ActShot for "drop", ActPipe, ActReclassify, a goto chain, ...), and
// optionally another taken at random.
type Gact struct {
	Verdict int32
	// The random verdict (struct tc_gact_p): with ProbType 1 (netrand)
	// ProbVerdict is taken with probability ProbValue/10000, with 2
	// (deterministic) every ProbValue-th packet; 0 is none.
	ProbType    uint16
	ProbValue   uint16
	ProbVerdict int32
	Other       RawAttrs
}

func init() { registerAction("gact", func() ActionOptions { return new(Gact) }) }

// Kind returns "gact".
func (*Gact) Kind() string { return "gact" }

func (g *Gact) encode(e *netlink.AttrEncoder, index uint32) error {
	if g.ProbType > 2 {
		return badf("gact: random type %d (0, 1 netrand or 2 determ)", g.ProbType)
	}
	n := e.Nest(tcaActOptions)
	e.Bytes(gactParms, appendGen(make([]byte, 0, tcGenLen), index, g.Verdict))
	if g.ProbType != 0 {
		b := ne.AppendUint16(make([]byte, 0, 8), g.ProbType)
		b = ne.AppendUint16(b, g.ProbValue)
		e.Bytes(gactProb, ne.AppendUint32(b, uint32(g.ProbVerdict)))
	}
	if err := putOther(e, g.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (g *Gact) decode(b []byte) (actGen, error) {
	var gen actGen
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case gactParms:
			var err error
			if gen, err = parseGen(d.Bytes()); err != nil {
				return gen, err
			}
			g.Verdict = gen.action
		case gactProb:
			p := d.Bytes()
			if len(p) < 8 {
				return gen, fmt.Errorf("TCA_GACT_PROB of %d bytes: %w", len(p), netlink.ErrMalformed)
			}
			g.ProbType, g.ProbValue, g.ProbVerdict = ne.Uint16(p), ne.Uint16(p[2:]), int32(ne.Uint32(p[4:]))
		case gactTM, gactPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	g.Other = RawAttrs(rest)
	return gen, d.Err()
}
