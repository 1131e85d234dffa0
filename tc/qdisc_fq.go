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
// field is not sent: the kernel keeps its default, or what the qdisc has.
// Those it does not model (the rate switch, priority map and weights of
// newer kernels) are in Other, sent back.
type FQ struct {
	Limit            uint32        // TCA_FQ_PLIMIT: packets
	FlowLimit        uint32        // TCA_FQ_FLOW_PLIMIT: packets per flow
	Quantum          uint32        // TCA_FQ_QUANTUM: bytes
	InitialQuantum   uint32        // TCA_FQ_INITIAL_QUANTUM: bytes
	MaxRate          uint32        // TCA_FQ_FLOW_MAX_RATE: bytes per second per flow (^0: unlimited)
	BucketsLog       uint32        // TCA_FQ_BUCKETS_LOG: log2 of the flow table's size
	RefillDelay      time.Duration // TCA_FQ_FLOW_REFILL_DELAY, to the µs
	OrphanMask       uint32        // TCA_FQ_ORPHAN_MASK
	LowRateThreshold uint32        // TCA_FQ_LOW_RATE_THRESHOLD: bytes per second
	CEThreshold      time.Duration // TCA_FQ_CE_THRESHOLD, to the µs
	TimerSlack       time.Duration // TCA_FQ_TIMER_SLACK, to the ns
	Horizon          time.Duration // TCA_FQ_HORIZON, to the µs
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
	putNonZero(e, fqPlimit, f.Limit)
	putNonZero(e, fqFlowPlimit, f.FlowLimit)
	putNonZero(e, fqQuantum, f.Quantum)
	putNonZero(e, fqInitialQuantum, f.InitialQuantum)
	putNonZero(e, fqFlowMaxRate, f.MaxRate)
	putNonZero(e, fqBucketsLog, f.BucketsLog)
	putMicros(e, fqFlowRefillDelay, f.RefillDelay)
	putNonZero(e, fqOrphanMask, f.OrphanMask)
	putNonZero(e, fqLowRateThreshold, f.LowRateThreshold)
	putMicros(e, fqCEThreshold, f.CEThreshold)
	if f.TimerSlack > 0 {
		e.Uint32(fqTimerSlack, uint32(min(f.TimerSlack, 1<<32-1)))
	}
	putMicros(e, fqHorizon, f.Horizon)
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
			f.Limit = d.Uint32()
		case fqFlowPlimit:
			f.FlowLimit = d.Uint32()
		case fqQuantum:
			f.Quantum = d.Uint32()
		case fqInitialQuantum:
			f.InitialQuantum = d.Uint32()
		case fqFlowMaxRate:
			f.MaxRate = d.Uint32()
		case fqBucketsLog:
			f.BucketsLog = d.Uint32()
		case fqFlowRefillDelay:
			f.RefillDelay = micros(d.Uint32())
		case fqOrphanMask:
			f.OrphanMask = d.Uint32()
		case fqLowRateThreshold:
			f.LowRateThreshold = d.Uint32()
		case fqCEThreshold:
			f.CEThreshold = micros(d.Uint32())
		case fqTimerSlack:
			f.TimerSlack = time.Duration(d.Uint32())
		case fqHorizon:
			f.Horizon = micros(d.Uint32())
		case fqHorizonDrop:
			f.NoHorizonDrop = d.Uint8() == 0
		default:
			rest = d.Attr().Append(rest)
		}
	}
	f.Other = RawAttrs(rest)
	return d.Err()
}
