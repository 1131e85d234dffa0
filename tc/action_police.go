package tc

import (
	"fmt"
	"time"

	"github.com/nlkit/netlink"
)

// The police attributes (TCA_POLICE_*, linux/pkt_cls.h).
const (
	policeTBF        = 1  // TCA_POLICE_TBF: struct tc_police
	policeRate       = 2  // TCA_POLICE_RATE: the rate table
	policePeakRate   = 3  // TCA_POLICE_PEAKRATE
	policeAvRate     = 4  // TCA_POLICE_AVRATE
	policeResult     = 5  // TCA_POLICE_RESULT
	policeTM         = 6  // TCA_POLICE_TM
	policePad        = 7  // TCA_POLICE_PAD
	policeRate64     = 8  // TCA_POLICE_RATE64
	policePeakRate64 = 9  // TCA_POLICE_PEAKRATE64
	policePktRate64  = 10 // TCA_POLICE_PKTRATE64
	policePktBurst64 = 11 // TCA_POLICE_PKTBURST64

	policeLen = 56 // struct tc_police
)

// Police is the options of a police action: a token bucket that takes
// Verdict on packets over the rate (tc's "conform-exceed EXCEED/CONFORM").
type Police struct {
	Verdict int32    // what exceeding packets get: ActShot ("drop"), ActReclassify, ActPipe, ...
	Rate    RateSpec // bytes per second
	Peak    RateSpec // the peak rate, 0 for none
	// Burst is the bucket, as the time to send it at Rate (see
	// BurstTime).
	Burst    time.Duration
	MTU      uint32 // the largest packet that conforms; 0 is the kernel's default
	AvRate   uint32 // TCA_POLICE_AVRATE: police on the estimated rate instead, bytes per second
	Conform  int32  // TCA_POLICE_RESULT: what conforming packets get (ActOK when 0)
	PktRate  uint64 // TCA_POLICE_PKTRATE64: packets per second instead of bytes
	PktBurst uint64 // TCA_POLICE_PKTBURST64: in psched ticks, as the kernel keeps it
	Other    RawAttrs
}

func init() { registerAction("police", func() ActionOptions { return new(Police) }) }

// Kind returns "police".
func (*Police) Kind() string { return "police" }

func (p *Police) encode(e *netlink.AttrEncoder, index uint32) error {
	if p.Rate.Rate == 0 && p.AvRate == 0 && p.PktRate == 0 {
		return badf("police: no rate, average rate or packet rate")
	}
	if p.Rate.Rate != 0 && p.Burst <= 0 {
		return badf("police: a rate without a burst")
	}
	n := e.Nest(tcaActOptions)
	rate, rtab := p.Rate, []byte(nil)
	if rate.Rate != 0 {
		rate, rtab = rateTable(p.Rate, p.MTU)
	}
	peak, ptab := p.Peak, []byte(nil)
	if peak.Rate != 0 {
		peak, ptab = rateTable(p.Peak, p.MTU)
	}
	b := make([]byte, 0, policeLen)
	b = ne.AppendUint32(b, index)
	b = ne.AppendUint32(b, uint32(p.Verdict))
	b = ne.AppendUint32(b, 0) // limit
	b = ne.AppendUint32(b, ticks(p.Burst))
	b = ne.AppendUint32(b, p.MTU)
	if rate.Rate != 0 {
		b = appendRateSpec(b, rate)
	} else {
		b = append(b, make([]byte, ratespecLen)...)
	}
	if peak.Rate != 0 {
		b = appendRateSpec(b, peak)
	} else {
		b = append(b, make([]byte, ratespecLen)...)
	}
	b = append(b, make([]byte, 12)...) // refcnt, bindcnt, capab: the kernel's
	e.Bytes(policeTBF, b)
	if rtab != nil {
		e.Bytes(policeRate, rtab)
	}
	if ptab != nil {
		e.Bytes(policePeakRate, ptab)
	}
	if rate.rate64() {
		e.Uint64(policeRate64, rate.Rate)
	}
	if peak.rate64() {
		e.Uint64(policePeakRate64, peak.Rate)
	}
	putNonZero(e, policeAvRate, p.AvRate)
	if p.Conform != 0 {
		e.Uint32(policeResult, uint32(p.Conform))
	}
	if p.PktRate != 0 {
		e.Uint64(policePktRate64, p.PktRate)
		e.Uint64(policePktBurst64, p.PktBurst)
	}
	if err := putOther(e, p.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (p *Police) decode(b []byte) (actGen, error) {
	var gen actGen
	var rest []byte
	var rate64, peak64 uint64
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case policeTBF:
			q := d.Bytes()
			if len(q) < policeLen {
				return gen, fmt.Errorf("TCA_POLICE_TBF of %d bytes: %w", len(q), netlink.ErrMalformed)
			}
			gen = actGen{index: ne.Uint32(q), action: int32(ne.Uint32(q[4:])), refcnt: int32(ne.Uint32(q[44:])), bindcnt: int32(ne.Uint32(q[48:]))}
			p.Verdict, p.Burst, p.MTU = gen.action, fromTicks(ne.Uint32(q[12:])), ne.Uint32(q[16:])
			p.Rate, p.Peak = parseRateSpec(q[20:]), parseRateSpec(q[32:])
		case policeAvRate:
			p.AvRate = d.Uint32()
		case policeResult:
			p.Conform = int32(d.Uint32())
		case policeRate64:
			rate64 = d.Uint64()
		case policePeakRate64:
			peak64 = d.Uint64()
		case policePktRate64:
			p.PktRate = d.Uint64()
		case policePktBurst64:
			p.PktBurst = d.Uint64()
		case policeTM, policePad, policeRate, policePeakRate:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	if rate64 != 0 {
		p.Rate.Rate = rate64
	}
	if peak64 != 0 {
		p.Peak.Rate = peak64
	}
	p.Other = RawAttrs(rest)
	return gen, d.Err()
}
