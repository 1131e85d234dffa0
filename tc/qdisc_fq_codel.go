package tc

import (
	"time"

	"github.com/nlkit/netlink"
)

// The fq_codel attributes (TCA_FQ_CODEL_*, linux/pkt_sched.h).
const (
	fqCodelTarget        = 1 // TCA_FQ_CODEL_TARGET, µs
	fqCodelLimit         = 2 // TCA_FQ_CODEL_LIMIT
	fqCodelInterval      = 3 // TCA_FQ_CODEL_INTERVAL, µs
	fqCodelECN           = 4 // TCA_FQ_CODEL_ECN
	fqCodelFlows         = 5 // TCA_FQ_CODEL_FLOWS
	fqCodelQuantum       = 6 // TCA_FQ_CODEL_QUANTUM
	fqCodelCEThreshold   = 7 // TCA_FQ_CODEL_CE_THRESHOLD, µs
	fqCodelDropBatchSize = 8 // TCA_FQ_CODEL_DROP_BATCH_SIZE
	fqCodelMemoryLimit   = 9 // TCA_FQ_CODEL_MEMORY_LIMIT
)

// FQCodel is the options of an fq_codel qdisc (fair queueing with
// controlled delay). A zero field is not sent: the kernel keeps its
// default, or what the qdisc has.
type FQCodel struct {
	Target        time.Duration // TCA_FQ_CODEL_TARGET: the acceptable queueing delay, to the µs
	Interval      time.Duration // TCA_FQ_CODEL_INTERVAL, to the µs
	Limit         uint32        // TCA_FQ_CODEL_LIMIT: packets
	Flows         uint32        // TCA_FQ_CODEL_FLOWS: set on creation only (the kernel refuses a change)
	Quantum       uint32        // TCA_FQ_CODEL_QUANTUM: bytes
	CEThreshold   time.Duration // TCA_FQ_CODEL_CE_THRESHOLD, to the µs
	DropBatchSize uint32        // TCA_FQ_CODEL_DROP_BATCH_SIZE
	MemoryLimit   uint32        // TCA_FQ_CODEL_MEMORY_LIMIT: bytes
	// NoECN sends TCA_FQ_CODEL_ECN 0: drop instead of marking (the
	// kernel's default is to mark).
	NoECN bool
	Other RawAttrs // attributes no field models, sent back
}

func init() { registerQdisc("fq_codel", func() Options { return new(FQCodel) }) }

// Kind returns "fq_codel".
func (*FQCodel) Kind() string { return "fq_codel" }

func putMicros(e *netlink.AttrEncoder, typ uint16, d time.Duration) {
	if d > 0 {
		e.Uint32(typ, uint32(min(d.Microseconds(), 1<<32-1)))
	}
}

func putNonZero(e *netlink.AttrEncoder, typ uint16, v uint32) {
	if v != 0 {
		e.Uint32(typ, v)
	}
}

func micros(v uint32) time.Duration { return time.Duration(v) * time.Microsecond }

func (f *FQCodel) encode(e *netlink.AttrEncoder) error {
	n := nestOptions(e)
	putCodelTime(e, fqCodelTarget, f.Target)
	putNonZero(e, fqCodelLimit, f.Limit)
	putCodelTime(e, fqCodelInterval, f.Interval)
	e.Uint32(fqCodelECN, uint32(boolU32(!f.NoECN)))
	putNonZero(e, fqCodelFlows, f.Flows)
	putNonZero(e, fqCodelQuantum, f.Quantum)
	putCodelTime(e, fqCodelCEThreshold, f.CEThreshold)
	putNonZero(e, fqCodelDropBatchSize, f.DropBatchSize)
	putNonZero(e, fqCodelMemoryLimit, f.MemoryLimit)
	if err := putOther(e, f.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (f *FQCodel) decode(b []byte) error {
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case fqCodelTarget:
			f.Target = codelTime(d.Uint32())
		case fqCodelLimit:
			f.Limit = d.Uint32()
		case fqCodelInterval:
			f.Interval = codelTime(d.Uint32())
		case fqCodelECN:
			f.NoECN = d.Uint32() == 0
		case fqCodelFlows:
			f.Flows = d.Uint32()
		case fqCodelQuantum:
			f.Quantum = d.Uint32()
		case fqCodelCEThreshold:
			f.CEThreshold = codelTime(d.Uint32())
		case fqCodelDropBatchSize:
			f.DropBatchSize = d.Uint32()
		case fqCodelMemoryLimit:
			f.MemoryLimit = d.Uint32()
		default:
			rest = d.Attr().Append(rest)
		}
	}
	f.Other = RawAttrs(rest)
	return d.Err()
}

// CoDel keeps its times in units of 1024 ns (CODEL_SHIFT, codel.h) and
// reports them in µs rounded down, so that sending back what it reported
// would lose a µs each time. codelTime returns the kernel's time behind
// a reported us; putCodelTime sends d rounded up to the µs, which the
// kernel takes back to the same unit.
func codelTime(us uint32) time.Duration {
	units := (uint64(us)*1000 + 1023) / 1024
	return time.Duration(units * 1024)
}

func putCodelTime(e *netlink.AttrEncoder, typ uint16, d time.Duration) {
	if d > 0 {
		e.Uint32(typ, uint32(min((d+time.Microsecond-1)/time.Microsecond, 1<<32-1)))
	}
}

func boolU32(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
