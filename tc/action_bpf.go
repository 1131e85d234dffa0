package tc

import "github.com/nlkit/netlink"

// The bpf action's attributes (TCA_ACT_BPF_*, linux/tc_act/tc_bpf.h).
const (
	actBPFTM     = 1 // TCA_ACT_BPF_TM
	actBPFParms  = 2 // TCA_ACT_BPF_PARMS: struct tc_act_bpf (tc_gen)
	actBPFOpsLen = 3 // TCA_ACT_BPF_OPS_LEN
	actBPFOps    = 4 // TCA_ACT_BPF_OPS
	actBPFFD     = 5 // TCA_ACT_BPF_FD
	actBPFName   = 6 // TCA_ACT_BPF_NAME
	actBPFPad    = 7 // TCA_ACT_BPF_PAD
	actBPFTag    = 8 // TCA_ACT_BPF_TAG
	actBPFID     = 9 // TCA_ACT_BPF_ID
)

// ActBPF is the options of a bpf action: an eBPF program (of type
// BPF_PROG_TYPE_SCHED_ACT) by file descriptor, or a classic one by its
// instructions, whose return value is the verdict.
type ActBPF struct {
	Verdict int32 // what follows when the program returns TC_ACT_UNSPEC
	FD      int   // TCA_ACT_BPF_FD: sent only (a listed action has ID; see ProgramFD); 0 sends Ops
	Name    string
	Ops     []byte // TCA_ACT_BPF_OPS: classic BPF, 8 bytes an instruction
	Other   RawAttrs

	ID  uint32 // read only: TCA_ACT_BPF_ID
	Tag []byte // read only: TCA_ACT_BPF_TAG
}

func init() { registerAction("bpf", func() ActionOptions { return new(ActBPF) }) }

// Kind returns "bpf".
func (*ActBPF) Kind() string { return "bpf" }

func (a *ActBPF) encode(e *netlink.AttrEncoder, index uint32) error {
	switch {
	case a.FD < 0:
		return badf("bpf action: program fd %d", a.FD)
	case a.FD == 0 && len(a.Ops) == 0 && a.ID != 0:
		return badf("bpf action: program %d has no FD (open one with ProgramFD)", a.ID)
	case a.FD == 0 && len(a.Ops) == 0:
		return badf("bpf action: no program (FD or Ops)")
	case a.FD == 0 && (len(a.Ops)%8 != 0 || len(a.Ops)/8 > 4096):
		return badf("bpf action: classic program of %d bytes (8 bytes an instruction, at most 4096)", len(a.Ops))
	}
	n := e.Nest(tcaActOptions)
	e.Bytes(actBPFParms, appendGen(make([]byte, 0, tcGenLen), index, a.Verdict))
	if a.FD != 0 {
		e.Uint32(actBPFFD, uint32(a.FD))
		if a.Name != "" {
			e.String(actBPFName, a.Name)
		}
	} else {
		e.Uint16(actBPFOpsLen, uint16(len(a.Ops)/8))
		e.Bytes(actBPFOps, a.Ops)
	}
	if err := putOther(e, a.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (a *ActBPF) decode(b []byte) (actGen, error) {
	var gen actGen
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case actBPFParms:
			var err error
			if gen, err = parseGen(d.Bytes()); err != nil {
				return gen, err
			}
			a.Verdict = gen.action
		case actBPFOps:
			a.Ops = clone(d.Bytes())
		case actBPFFD:
			a.FD = int(d.Uint32())
		case actBPFName:
			a.Name = d.CString()
		case actBPFID:
			a.ID = d.Uint32()
		case actBPFTag:
			a.Tag = clone(d.Bytes())
		case actBPFOpsLen, actBPFTM, actBPFPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	a.Other = RawAttrs(rest)
	return gen, d.Err()
}
