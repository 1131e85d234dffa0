package tc

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// The bpf classifier's attributes (TCA_BPF_*, linux/pkt_cls.h).
const (
	bpfAct      = 1  // TCA_BPF_ACT
	bpfClassID  = 3  // TCA_BPF_CLASSID
	bpfOpsLen   = 4  // TCA_BPF_OPS_LEN
	bpfOps      = 5  // TCA_BPF_OPS
	bpfFD       = 6  // TCA_BPF_FD
	bpfName     = 7  // TCA_BPF_NAME
	bpfFlags    = 8  // TCA_BPF_FLAGS
	bpfFlagsGen = 9  // TCA_BPF_FLAGS_GEN
	bpfTag      = 10 // TCA_BPF_TAG
	bpfID       = 11 // TCA_BPF_ID

	bpfFlagActDirect = 1 // TCA_BPF_FLAG_ACT_DIRECT
)

// BPF is the options of a bpf filter: an eBPF program attached by file
// descriptor, or a classic BPF program given as its instructions.
type BPF struct {
	// FD is TCA_BPF_FD: an eBPF program of type BPF_PROG_TYPE_SCHED_CLS
	// to attach (only sent; a listed filter has ID instead: see
	// ProgramFD). 0 sends Ops.
	FD   int
	Name string // TCA_BPF_NAME: the program's name, as tc shows it
	// DirectAction is TCA_BPF_FLAG_ACT_DIRECT: the program's return value
	// is the verdict (tc's "da").
	DirectAction bool
	ClassID      Handle // TCA_BPF_CLASSID
	// Ops is TCA_BPF_OPS: a classic BPF program, struct sock_filter
	// instructions of 8 bytes each (tc's "bytecode").
	Ops     []byte
	Flags   uint32   // TCA_BPF_FLAGS_GEN: FlagSkipHW, FlagSkipSW
	Actions []Action // TCA_BPF_ACT
	Other   RawAttrs // attributes no field models, sent back

	ID  uint32 // read only: TCA_BPF_ID, the attached program's ID
	Tag []byte // read only: TCA_BPF_TAG, the program's tag
}

func init() { registerFilter("bpf", func() Options { return new(BPF) }) }

// Kind returns "bpf".
func (*BPF) Kind() string { return "bpf" }

func (f *BPF) encode(e *netlink.AttrEncoder) error {
	switch {
	case f.FD < 0:
		return badf("bpf: program fd %d", f.FD)
	case f.FD == 0 && len(f.Ops) == 0 && f.ID != 0:
		return badf("bpf: program %d has no FD (open one with ProgramFD)", f.ID)
	case f.FD == 0 && len(f.Ops) == 0:
		return badf("bpf: no program (FD or Ops)")
	case f.FD == 0 && (len(f.Ops)%8 != 0 || len(f.Ops)/8 > 4096):
		return badf("bpf: classic program of %d bytes (8 bytes an instruction, at most 4096)", len(f.Ops))
	}
	n := e.Nest(tcaOptions)
	if f.ClassID != HandleUnspec {
		e.Uint32(bpfClassID, uint32(f.ClassID))
	}
	if f.FD != 0 {
		e.Uint32(bpfFD, uint32(f.FD))
		if f.Name != "" {
			e.String(bpfName, f.Name)
		}
	} else {
		e.Uint16(bpfOpsLen, uint16(len(f.Ops)/8))
		e.Bytes(bpfOps, f.Ops)
	}
	if f.DirectAction {
		e.Uint32(bpfFlags, bpfFlagActDirect)
	}
	if fl := f.Flags & flagsSettable; fl != 0 {
		e.Uint32(bpfFlagsGen, fl)
	}
	if err := putActions(e, bpfAct, f.Actions, true); err != nil {
		return err
	}
	if err := putOther(e, f.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (f *BPF) decode(b []byte) error {
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case bpfClassID:
			f.ClassID = Handle(d.Uint32())
		case bpfOps:
			f.Ops = clone(d.Bytes())
		case bpfOpsLen:
		case bpfFD:
			f.FD = int(d.Uint32())
		case bpfName:
			f.Name = d.CString()
		case bpfFlags:
			f.DirectAction = d.Uint32()&bpfFlagActDirect != 0
		case bpfFlagsGen:
			f.Flags = d.Uint32()
		case bpfID:
			f.ID = d.Uint32()
		case bpfTag:
			f.Tag = clone(d.Bytes())
		case bpfAct:
			acts, err := decodeActions(d.Bytes())
			if err != nil {
				return fmt.Errorf("bpf: %w", err)
			}
			f.Actions = acts
		default:
			rest = d.Attr().Append(rest)
		}
	}
	f.Other = RawAttrs(rest)
	return d.Err()
}
