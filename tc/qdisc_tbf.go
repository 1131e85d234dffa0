package tc

import (
	"fmt"
	"time"

	"github.com/nlkit/netlink"
)

// The TBF attributes (TCA_TBF_*, linux/pkt_sched.h).
const (
	tbfParms   = 1 // TCA_TBF_PARMS: struct tc_tbf_qopt
	tbfRtab    = 2 // TCA_TBF_RTAB
	tbfPtab    = 3 // TCA_TBF_PTAB
	tbfRate64  = 4 // TCA_TBF_RATE64
	tbfPrate64 = 5 // TCA_TBF_PRATE64
	tbfBurst   = 6 // TCA_TBF_BURST
	tbfPburst  = 7 // TCA_TBF_PBURST
	tbfPad     = 8 // TCA_TBF_PAD

	tbfQoptLen = 36 // struct tc_tbf_qopt
)

// TBF is the options of a tbf qdisc (token bucket filter): TCA_TBF_PARMS
// (struct tc_tbf_qopt) with its 64-bit rates. Its one class, 1:1, has no
// options.
type TBF struct {
	Rate  RateSpec // required
	Peak  RateSpec // the peak rate, 0 for none
	Limit uint32   // bytes that may queue waiting for tokens; required
	// Buffer is the bucket, as the time to send it at Rate (tc's burst;
	// see BurstTime); required.
	Buffer time.Duration
	// PeakBuffer is the peak bucket, as the time to send it at Peak (tc's
	// mtu); required with a Peak.
	PeakBuffer time.Duration
	Other      RawAttrs // attributes no field models, sent back
}

func init() { registerQdisc("tbf", func() Options { return new(TBF) }) }

// Kind returns "tbf".
func (*TBF) Kind() string { return "tbf" }

func (t *TBF) encode(e *netlink.AttrEncoder) error {
	switch {
	case t.Rate.Rate == 0:
		return badf("tbf: no rate")
	case t.Buffer <= 0:
		return badf("tbf: no buffer (burst)")
	case t.Limit == 0:
		return badf("tbf: no limit")
	case t.Peak.Rate != 0 && t.PeakBuffer <= 0:
		return badf("tbf: a peak rate without a peak buffer (mtu)")
	}
	n := nestOptions(e)
	b := make([]byte, 0, tbfQoptLen)
	b = appendRateSpec(b, t.Rate)
	if t.Peak.Rate != 0 {
		b = appendRateSpec(b, t.Peak)
	} else {
		b = append(b, make([]byte, ratespecLen)...)
	}
	b = ne.AppendUint32(b, t.Limit)
	b = ne.AppendUint32(b, ticks(t.Buffer))
	b = ne.AppendUint32(b, ticks(t.PeakBuffer))
	e.Bytes(tbfParms, b)
	if t.Rate.rate64() {
		e.Uint64(tbfRate64, t.Rate.Rate)
	}
	if t.Peak.rate64() {
		e.Uint64(tbfPrate64, t.Peak.Rate)
	}
	if err := putOther(e, t.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (t *TBF) decode(b []byte) error {
	var rest []byte
	var rate64, prate64 uint64
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case tbfParms:
			p := d.Bytes()
			if len(p) < tbfQoptLen {
				return fmt.Errorf("TCA_TBF_PARMS of %d bytes: %w", len(p), netlink.ErrMalformed)
			}
			t.Rate, t.Peak = parseRateSpec(p), parseRateSpec(p[12:])
			t.Limit, t.Buffer, t.PeakBuffer = ne.Uint32(p[24:]), fromTicks(ne.Uint32(p[28:])), fromTicks(ne.Uint32(p[32:]))
		case tbfRate64:
			rate64 = d.Uint64()
		case tbfPrate64:
			prate64 = d.Uint64()
		case tbfRtab, tbfPtab, tbfPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	if rate64 != 0 {
		t.Rate.Rate = rate64
	}
	if prate64 != 0 {
		t.Peak.Rate = prate64
	}
	t.Other = RawAttrs(rest)
	return d.Err()
}
