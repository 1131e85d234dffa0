package tc

import (
	"time"

	"github.com/nlkit/netlink"
)

// The fq attributes (TCA_FQ_*, linux/pkt_sched.h).
const (
	fqPlimit           = 1  // TCA_FQ_PLIMIT
	fqFlowPlimit       = 2  // TCA_FQ_FLOW_PLIMIT
	fqQuantum          = 3  // TCA_FQ_QUANTUM
	fqInitialQuantum   = 4  // TCA_FQ_INITIAL_QUANTUM
	fqRateEnable       = 5  // TCA_FQ_RATE_ENABLE
	fqFlowMaxRate      = 7  // TCA_FQ_FLOW_MAX_RATE
	fqBucketsLog       = 8  // TCA_FQ_BUCKETS_LOG
	fqFlowRefillDelay  = 9  // TCA_FQ_FLOW_REFILL_DELAY, µs
	fqOrphanMask       = 10 // TCA_FQ_ORPHAN_MASK
	fqLowRateThreshold = 11 // TCA_FQ_LOW_RATE_THRESHOLD
	fqCEThreshold      = 12 // TCA_FQ_CE_THRESHOLD, µs
	fqTimerSlack       = 13 // TCA_FQ_TIMER_SLACK, ns
	fqHorizon          = 14 // TCA_FQ_HORIZON, µs
	fqHorizonDrop      = 15 // TCA_FQ_HORIZON_DROP
)

// FQ is the options of an fq qdisc (fair queueing with pacing). A zero
// field is not sent, so the kernel keeps its default or what the qdisc
// has, unless the HasX beside it is set: then 0 is sent too (Quantum and
// BucketsLog, which the kernel refuses as 0, have none). Decoding sets HasX for each
// attribute the kernel reports, so a listed qdisc is made again as it
// was. Those it does not model (the rate switch, priority map and
// weights of newer kernels) are in Other, sent back.
type FQ struct {
	Limit               uint32 // TCA_FQ_PLIMIT: packets
	HasLimit            bool
	FlowLimit           uint32 // TCA_FQ_FLOW_PLIMIT: packets per flow
	HasFlowLimit        bool
	Quantum             uint32 // TCA_FQ_QUANTUM: bytes
	InitialQuantum      uint32 // TCA_FQ_INITIAL_QUANTUM: bytes
	HasInitialQuantum   bool
	MaxRate             uint32 // TCA_FQ_FLOW_MAX_RATE: bytes per second per flow (^0: unlimited)
	HasMaxRate          bool
	BucketsLog          uint32        // TCA_FQ_BUCKETS_LOG: log2 of the flow table's size
	RefillDelay         time.Duration // TCA_FQ_FLOW_REFILL_DELAY, to the µs
	HasRefillDelay      bool
	OrphanMask          uint32 // TCA_FQ_ORPHAN_MASK
	HasOrphanMask       bool
	LowRateThreshold    uint32 // TCA_FQ_LOW_RATE_THRESHOLD: bytes per second
	HasLowRateThreshold bool
	CEThreshold         time.Duration // TCA_FQ_CE_THRESHOLD, to the µs
	HasCEThreshold      bool
	TimerSlack          time.Duration // TCA_FQ_TIMER_SLACK, to the ns
	HasTimerSlack       bool
	Horizon             time.Duration // TCA_FQ_HORIZON, to the µs
	HasHorizon          bool
	// NoHorizonDrop sends TCA_FQ_HORIZON_DROP 0: cap packets beyond the
	// horizon instead of dropping them (the kernel's default).
	NoHorizonDrop bool
	Other         RawAttrs
}

func init() { registerQdisc("fq", func() Options { return new(FQ) }) }

// Kind returns "fq".
func (*FQ) Kind() string { return "fq" }

func (f *FQ) encode(e *netlink.AttrEncoder) error {
	n := nestOptions(e)
	putUint32(e, fqPlimit, f.Limit, f.HasLimit)
	putUint32(e, fqFlowPlimit, f.FlowLimit, f.HasFlowLimit)
	putNonZero(e, fqQuantum, f.Quantum)
	putUint32(e, fqInitialQuantum, f.InitialQuantum, f.HasInitialQuantum)
	putUint32(e, fqFlowMaxRate, f.MaxRate, f.HasMaxRate)
	putNonZero(e, fqBucketsLog, f.BucketsLog)
	putMicros(e, fqFlowRefillDelay, f.RefillDelay, f.HasRefillDelay)
	putUint32(e, fqOrphanMask, f.OrphanMask, f.HasOrphanMask)
	putUint32(e, fqLowRateThreshold, f.LowRateThreshold, f.HasLowRateThreshold)
	putMicros(e, fqCEThreshold, f.CEThreshold, f.HasCEThreshold)
	putUint32(e, fqTimerSlack, uint32(min(max(f.TimerSlack, 0), 1<<32-1)), f.HasTimerSlack)
	putMicros(e, fqHorizon, f.Horizon, f.HasHorizon)
	e.Uint8(fqHorizonDrop, uint8(boolU32(!f.NoHorizonDrop)))
	if err := putOther(e, f.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (f *FQ) decode(b []byte) error {
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case fqPlimit:
			f.Limit, f.HasLimit = d.Uint32(), true
		case fqFlowPlimit:
			f.FlowLimit, f.HasFlowLimit = d.Uint32(), true
		case fqQuantum:
			f.Quantum = d.Uint32()
		case fqInitialQuantum:
			f.InitialQuantum, f.HasInitialQuantum = d.Uint32(), true
		case fqFlowMaxRate:
			f.MaxRate, f.HasMaxRate = d.Uint32(), true
		case fqBucketsLog:
			f.BucketsLog = d.Uint32()
		case fqFlowRefillDelay:
			f.RefillDelay, f.HasRefillDelay = micros(d.Uint32()), true
		case fqOrphanMask:
			f.OrphanMask, f.HasOrphanMask = d.Uint32(), true
		case fqLowRateThreshold:
			f.LowRateThreshold, f.HasLowRateThreshold = d.Uint32(), true
		case fqCEThreshold:
			f.CEThreshold, f.HasCEThreshold = micros(d.Uint32()), true
		case fqTimerSlack:
			f.TimerSlack, f.HasTimerSlack = time.Duration(d.Uint32()), true
		case fqHorizon:
			f.Horizon, f.HasHorizon = micros(d.Uint32()), true
		case fqHorizonDrop:
			f.NoHorizonDrop = d.Uint8() == 0
		default:
			rest = d.Attr().Append(rest)
		}
	}
	f.Other = RawAttrs(rest)
	return d.Err()
}
