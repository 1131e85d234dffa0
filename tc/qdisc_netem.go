package tc

import (
	"fmt"
	"math"
	"time"

	"github.com/nlkit/netlink"
)

// The netem attributes (TCA_NETEM_*, linux/pkt_sched.h), after struct
// tc_netem_qopt in TCA_OPTIONS.
const (
	netemLatency64 = 10 // TCA_NETEM_LATENCY64, ns
	netemJitter64  = 11 // TCA_NETEM_JITTER64, ns
	netemPad       = 9  // TCA_NETEM_PAD

	netemQoptLen = 24 // struct tc_netem_qopt
)

// Netem is the options of a netem qdisc (network emulator): struct
// tc_netem_qopt and the attributes after it. Those it does not model
// (correlations, reordering, corruption, rate, slots, the random seed)
// are in Other, sent back.
type Netem struct {
	Latency   time.Duration // TCA_NETEM_LATENCY64: added delay
	Jitter    time.Duration // TCA_NETEM_JITTER64: its random variation
	Limit     uint32        // packets queued; 0 sends 1000, tc's default, unless HasLimit is set
	HasLimit  bool          // Limit is sent even when 0; decoding sets it
	Loss      uint32        // random loss, as a fraction of 2^32-1 (see Percent)
	Gap       uint32        // re-ordering gap
	Duplicate uint32        // random duplication, as a fraction of 2^32-1
	Other     RawAttrs
}

// Percent returns p percent as netem's probabilities are written, a
// fraction of 2^32-1, rounded to the nearest as tc rounds it.
func Percent(p float64) uint32 {
	return uint32(math.RoundToEven(min(max(p, 0), 100) / 100 * (1<<32 - 1)))
}

func init() { registerQdisc("netem", func() Options { return new(Netem) }) }

// Kind returns "netem".
func (*Netem) Kind() string { return "netem" }

func (n *Netem) encode(e *netlink.AttrEncoder) error {
	if n.Latency < 0 || n.Jitter < 0 {
		return badf("netem: negative latency or jitter")
	}
	limit := n.Limit
	if limit == 0 && !n.HasLimit {
		limit = 1000
	}
	b := make([]byte, 0, netemQoptLen+32)
	b = ne.AppendUint32(b, ticks(n.Latency))
	b = ne.AppendUint32(b, limit)
	b = ne.AppendUint32(b, n.Loss)
	b = ne.AppendUint32(b, n.Gap)
	b = ne.AppendUint32(b, n.Duplicate)
	b = ne.AppendUint32(b, ticks(n.Jitter))
	inner := netlink.NewAttrEncoder(b)
	inner.Int64(netemLatency64, int64(n.Latency))
	inner.Int64(netemJitter64, int64(n.Jitter))
	if err := putOther(inner, n.Other); err != nil {
		return err
	}
	b, err := inner.Finish()
	if err != nil {
		return err
	}
	e.Bytes(tcaOptions, b)
	return nil
}

func (n *Netem) decode(b []byte) error {
	if len(b) < netemQoptLen {
		return fmt.Errorf("struct tc_netem_qopt of %d bytes: %w", len(b), netlink.ErrMalformed)
	}
	n.Latency, n.Limit, n.Loss = fromTicks(ne.Uint32(b)), ne.Uint32(b[4:]), ne.Uint32(b[8:])
	n.HasLimit = true
	n.Gap, n.Duplicate, n.Jitter = ne.Uint32(b[12:]), ne.Uint32(b[16:]), fromTicks(ne.Uint32(b[20:]))
	var rest []byte
	d := netlink.NewAttrDecoder(b[netemQoptLen:])
	for d.Next() {
		switch d.Type() {
		case netemLatency64:
			n.Latency = time.Duration(d.Int64())
		case netemJitter64:
			n.Jitter = time.Duration(d.Int64())
		case netemPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	n.Other = RawAttrs(rest)
	return d.Err()
}
