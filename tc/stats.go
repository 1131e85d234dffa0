package tc

import "github.com/nlkit/netlink"

// Stats are an object's counters (TCA_STATS2, or TCA_ACT_STATS for an
// action), as the kernel reports them; they are never sent.
type Stats struct {
	Bytes   uint64 // TCA_STATS_BASIC: bytes sent
	Packets uint64 // TCA_STATS_BASIC, or TCA_STATS_PKT64 when present: packets sent

	// TCA_STATS_QUEUE
	Qlen       uint32 // packets queued
	Backlog    uint32 // bytes queued
	Drops      uint32 // packets dropped
	Requeues   uint32 // packets requeued
	Overlimits uint32 // times over the limit

	// TCA_STATS_RATE_EST64 (or TCA_STATS_RATE_EST): the rate estimator's
	// view, when the object has one.
	RateBPS uint64 // bytes per second
	RatePPS uint64 // packets per second

	// TCA_STATS_BASIC_HW: what hardware offload sent.
	HWBytes   uint64
	HWPackets uint64

	// App is TCA_STATS_APP, the kind's own statistics (struct
	// tc_htb_xstats, tc_fq_codel_xstats, ...); see ParseHTBXStats.
	App []byte
}

// decodeStats reads TCA_STATS2's payload b.
func decodeStats(b []byte) (*Stats, error) {
	s := new(Stats)
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		p := d.Bytes()
		switch d.Type() {
		case tcaStatsBasic:
			if len(p) >= 12 {
				s.Bytes = ne.Uint64(p)
				if s.Packets == 0 {
					s.Packets = uint64(ne.Uint32(p[8:]))
				}
			}
		case tcaStatsPkt64:
			s.Packets = d.Uint64()
		case tcaStatsBasicHW:
			if len(p) >= 12 {
				s.HWBytes = ne.Uint64(p)
				s.HWPackets = uint64(ne.Uint32(p[8:]))
			}
		case tcaStatsQueue:
			if len(p) >= 20 {
				s.Qlen, s.Backlog, s.Drops = ne.Uint32(p), ne.Uint32(p[4:]), ne.Uint32(p[8:])
				s.Requeues, s.Overlimits = ne.Uint32(p[12:]), ne.Uint32(p[16:])
			}
		case tcaStatsRateEst:
			if len(p) >= 8 && s.RateBPS == 0 && s.RatePPS == 0 {
				s.RateBPS, s.RatePPS = uint64(ne.Uint32(p)), uint64(ne.Uint32(p[4:]))
			}
		case tcaStatsRateEst64:
			if len(p) >= 16 {
				s.RateBPS, s.RatePPS = ne.Uint64(p), ne.Uint64(p[8:])
			}
		case tcaStatsApp:
			s.App = clone(p)
		}
	}
	return s, d.Err()
}

// HTBXStats are an HTB class's own statistics (struct tc_htb_xstats, its
// Stats.App).
type HTBXStats struct {
	Lends, Borrows, Giants uint32
	Tokens, CTokens        int32 // in psched ticks
}

// ParseHTBXStats reads an HTB class's Stats.App; ok is false when b is
// too short.
func ParseHTBXStats(b []byte) (x HTBXStats, ok bool) {
	if len(b) < 20 {
		return x, false
	}
	return HTBXStats{ne.Uint32(b), ne.Uint32(b[4:]), ne.Uint32(b[8:]), int32(ne.Uint32(b[12:])), int32(ne.Uint32(b[16:]))}, true
}

// Estimator asks the kernel to estimate an object's rate (TCA_RATE,
// struct tc_estimator); the estimate comes back in Stats.RateBPS and
// RatePPS. It is sent only: the kernel does not report it.
type Estimator struct {
	Interval int8  // 2^Interval quarter seconds, -2 (250 ms) to 3 (8 s)
	EWMALog  uint8 // the averaging constant, as a power of two
}
