package tc

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// The mirred attributes (TCA_MIRRED_*, linux/tc_act/tc_mirred.h).
const (
	mirredTM    = 1 // TCA_MIRRED_TM: struct tcf_t, the kernel's timestamps
	mirredParms = 2 // TCA_MIRRED_PARMS: struct tc_mirred
	mirredPad   = 3 // TCA_MIRRED_PAD

	mirredParmsLen = tcGenLen + 8
)

// What a mirred action does (TCA_*_REDIR, TCA_*_MIRROR).
const (
	MirredEgressRedirect  = 1 // TCA_EGRESS_REDIR
	MirredEgressMirror    = 2 // TCA_EGRESS_MIRROR
	MirredIngressRedirect = 3 // TCA_INGRESS_REDIR
	MirredIngressMirror   = 4 // TCA_INGRESS_MIRROR
)

// Mirred is the options of a mirred action: redirect or mirror packets to
// another link (struct tc_mirred).
type Mirred struct {
	// Verdict is what follows the action: tc sets ActStolen for a
	// redirect and ActPipe for a mirror.
	Verdict int32
	Action  int32  // MirredEgressRedirect, MirredEgressMirror, ...
	Ifindex uint32 // the link packets go to
	Other   RawAttrs
}

func init() { registerAction("mirred", func() ActionOptions { return new(Mirred) }) }

// Kind returns "mirred".
func (*Mirred) Kind() string { return "mirred" }

func (m *Mirred) encode(e *netlink.AttrEncoder, index uint32) error {
	if m.Action < MirredEgressRedirect || m.Action > MirredIngressMirror {
		return badf("mirred: action %d (want MirredEgressRedirect, ...)", m.Action)
	}
	if m.Ifindex == 0 {
		return badf("mirred: no link (Ifindex 0)")
	}
	n := e.Nest(tcaActOptions)
	b := appendGen(make([]byte, 0, mirredParmsLen), index, m.Verdict)
	b = ne.AppendUint32(b, uint32(m.Action))
	b = ne.AppendUint32(b, m.Ifindex)
	e.Bytes(mirredParms, b)
	if err := putOther(e, m.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (m *Mirred) decode(b []byte) (actGen, error) {
	var g actGen
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case mirredParms:
			p := d.Bytes()
			if len(p) < mirredParmsLen {
				return g, fmt.Errorf("TCA_MIRRED_PARMS of %d bytes: %w", len(p), netlink.ErrMalformed)
			}
			g, _ = parseGen(p)
			m.Verdict, m.Action, m.Ifindex = g.action, int32(ne.Uint32(p[20:])), ne.Uint32(p[24:])
		case mirredTM, mirredPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	m.Other = RawAttrs(rest)
	return g, d.Err()
}
