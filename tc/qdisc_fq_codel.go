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
// controlled delay). A zero field is not sent, so the kernel keeps its
// default or what the qdisc has, unless the HasX beside it is set: then
// 0 is sent too (limit 0, ce_threshold 0). Decoding sets HasX for each
// attribute the kernel reports, so a listed qdisc is made again as it was.
type FQCodel struct {
	Target      time.Duration // TCA_FQ_CODEL_TARGET: the acceptable queueing delay, to the µs
	HasTarget   bool
	Interval    time.Duration // TCA_FQ_CODEL_INTERVAL, to the µs
	HasInterval bool
	Limit       uint32 // TCA_FQ_CODEL_LIMIT: packets
	HasLimit    bool
	Flows       uint32 // TCA_FQ_CODEL_FLOWS: set on creation only (the kernel refuses a change, and 0)
	Quantum     uint32 // TCA_FQ_CODEL_QUANTUM: bytes (the kernel takes at least 256)
	// CEThreshold marks packets queued longer with ECN CE
	// (TCA_FQ_CODEL_CE_THRESHOLD, to the µs); the kernel reports it only
	// when set.
	CEThreshold    time.Duration
	HasCEThreshold bool
	DropBatchSize  uint32 // TCA_FQ_CODEL_DROP_BATCH_SIZE (the kernel takes at least 1)
	MemoryLimit    uint32 // TCA_FQ_CODEL_MEMORY_LIMIT: bytes
	HasMemoryLimit bool
	// NoECN sends TCA_FQ_CODEL_ECN 0: drop instead of marking (the
	// kernel's default is to mark).
	NoECN bool
	Other RawAttrs // attributes no field models, sent back
}

func init() { registerQdisc("fq_codel", func() Options { return new(FQCodel) }) }

// Kind returns "fq_codel".
func (*FQCodel) Kind() string { return "fq_codel" }

// putUint32 sends v when it is not 0 or has is set: the rule of an
// optional field with a HasX beside it.
func putUint32(e *netlink.AttrEncoder, typ uint16, v uint32, has bool) {
	if v != 0 || has {
		e.Uint32(typ, v)
	}
}

func putNonZero(e *netlink.AttrEncoder, typ uint16, v uint32) { putUint32(e, typ, v, false) }

// putMicros sends d in µs when it is positive or has is set (a negative
// d is sent as 0).
func putMicros(e *netlink.AttrEncoder, typ uint16, d time.Duration, has bool) {
	if d > 0 || has {
		e.Uint32(typ, uint32(min(max(d, 0).Microseconds(), 1<<32-1)))
	}
}

func micros(v uint32) time.Duration { return time.Duration(v) * time.Microsecond }

func (f *FQCodel) encode(e *netlink.AttrEncoder) error {
	n := nestOptions(e)
	putCodelTime(e, fqCodelTarget, f.Target, f.HasTarget)
	putUint32(e, fqCodelLimit, f.Limit, f.HasLimit)
	putCodelTime(e, fqCodelInterval, f.Interval, f.HasInterval)
	e.Uint32(fqCodelECN, uint32(boolU32(!f.NoECN)))
	putNonZero(e, fqCodelFlows, f.Flows)
	putNonZero(e, fqCodelQuantum, f.Quantum)
	putCodelTime(e, fqCodelCEThreshold, f.CEThreshold, f.HasCEThreshold)
	putNonZero(e, fqCodelDropBatchSize, f.DropBatchSize)
	putUint32(e, fqCodelMemoryLimit, f.MemoryLimit, f.HasMemoryLimit)
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
			f.Target, f.HasTarget = codelTime(d.Uint32()), true
		case fqCodelLimit:
			f.Limit, f.HasLimit = d.Uint32(), true
		case fqCodelInterval:
			f.Interval, f.HasInterval = codelTime(d.Uint32()), true
		case fqCodelECN:
			f.NoECN = d.Uint32() == 0
		case fqCodelFlows:
			f.Flows = d.Uint32()
		case fqCodelQuantum:
			f.Quantum = d.Uint32()
		case fqCodelCEThreshold:
			f.CEThreshold, f.HasCEThreshold = codelTime(d.Uint32()), true
		case fqCodelDropBatchSize:
			f.DropBatchSize = d.Uint32()
		case fqCodelMemoryLimit:
			f.MemoryLimit, f.HasMemoryLimit = d.Uint32(), true
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

func putCodelTime(e *netlink.AttrEncoder, typ uint16, d time.Duration, has bool) {
	if d > 0 || has {
		e.Uint32(typ, uint32(min((max(d, 0)+time.Microsecond-1)/time.Microsecond, 1<<32-1)))
	}
}

func boolU32(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
