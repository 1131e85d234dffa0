package tc

import (
	"math"
	"time"
)

// RateSpec is a rate as the kernel takes it (struct tc_ratespec), with
// the 64-bit rate its kinds carry in a separate attribute above 4 GB/s.
type RateSpec struct {
	Rate      uint64 // bytes per second
	Overhead  uint16 // bytes added to each packet's size
	MPU       uint16 // the smallest packet size counted
	LinkLayer uint8  // LinkLayerEthernet (what 0 sends) or LinkLayerATM
	CellLog   uint8  // the rate table's cell size, as a power of two (sent only where a table is)
	CellAlign int16
}

func parseRateSpec(b []byte) RateSpec {
	return RateSpec{
		CellLog: b[0], LinkLayer: b[1], Overhead: ne.Uint16(b[2:]), CellAlign: int16(ne.Uint16(b[4:])),
		MPU: ne.Uint16(b[6:]), Rate: uint64(ne.Uint32(b[8:])),
	}
}

// appendRateSpec appends r as struct tc_ratespec; a rate above 2^32-1
// is sent as ~0, with the 64-bit attribute beside (rate64 says).
func appendRateSpec(b []byte, r RateSpec) []byte {
	ll := r.LinkLayer
	if ll == LinkLayerUnaware {
		ll = LinkLayerEthernet
	}
	b = append(b, r.CellLog, ll)
	b = ne.AppendUint16(b, r.Overhead)
	b = ne.AppendUint16(b, uint16(r.CellAlign))
	b = ne.AppendUint16(b, r.MPU)
	return ne.AppendUint32(b, uint32(min(r.Rate, math.MaxUint32)))
}

// rate64 reports whether r needs its 64-bit attribute.
func (r RateSpec) rate64() bool { return r.Rate >= math.MaxUint32 }

// The kernel's clock for tc's times: psched ticks of 64 ns (PSCHED_SHIFT
// 6, linux/pkt_sched.h).
const tickShift = 6

// ticks converts d to psched ticks, as the kernel's struct fields carry
// them.
func ticks(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	return uint32(min(uint64(d)>>tickShift, math.MaxUint32))
}

// fromTicks converts psched ticks to a duration.
func fromTicks(t uint32) time.Duration { return time.Duration(t) << tickShift }

// BurstTime returns the time it takes to send size bytes at rate bytes
// per second, in whole microseconds: what HTB, TBF and police take as
// their buffers, computed as tc computes it from "burst SIZE" (which
// truncates to the microsecond, so that a burst of 1600 bytes at 5 Gbit/s
// is 2 µs).
func BurstTime(rate uint64, size uint32) time.Duration {
	if rate == 0 {
		return 0
	}
	us := math.Floor(float64(size) * 1e6 / float64(rate))
	return time.Duration(min(us, math.MaxInt64/1000)) * time.Microsecond
}

// BurstSize returns the bytes sent in d at rate bytes per second, as tc
// prints a buffer ("burst 1600b").
func BurstSize(rate uint64, d time.Duration) uint32 {
	return uint32(min(float64(rate)*d.Seconds(), math.MaxUint32))
}

// rateTable returns the rate table (TC_RTAB_SIZE bytes: the time to send
// each cell count) some kinds still require beside a rate, as tc computes
// it, and the spec with the cell size it used.
func rateTable(r RateSpec, mtu uint32) (RateSpec, []byte) {
	if mtu == 0 {
		mtu = 2047
	}
	if r.CellLog == 0 {
		for (mtu >> r.CellLog) > 255 {
			r.CellLog++
		}
	}
	if r.LinkLayer == LinkLayerUnaware {
		r.LinkLayer = LinkLayerEthernet
	}
	r.CellAlign = -1
	tab := make([]byte, 0, rtabLen)
	for i := range 256 {
		sz := uint32(i+1) << r.CellLog
		sz = max(sz, uint32(r.MPU))
		if r.LinkLayer == LinkLayerATM {
			sz = (sz + 47) / 48 * 53
		}
		tab = ne.AppendUint32(tab, ticks(BurstTime(r.Rate, sz)))
	}
	return r, tab
}
