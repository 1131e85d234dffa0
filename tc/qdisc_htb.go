package tc

import (
	"fmt"
	"time"

	"github.com/nlkit/netlink"
)

// The HTB attributes (TCA_HTB_*, linux/pkt_sched.h).
const (
	htbParms      = 1 // TCA_HTB_PARMS: struct tc_htb_opt
	htbInit       = 2 // TCA_HTB_INIT: struct tc_htb_glob
	htbCtab       = 3 // TCA_HTB_CTAB
	htbRtab       = 4 // TCA_HTB_RTAB
	htbDirectQlen = 5 // TCA_HTB_DIRECT_QLEN
	htbRate64     = 6 // TCA_HTB_RATE64
	htbCeil64     = 7 // TCA_HTB_CEIL64
	htbPad        = 8 // TCA_HTB_PAD
	htbOffload    = 9 // TCA_HTB_OFFLOAD

	htbProtoVersion = 3  // TC_HTB_PROTOVER: what the kernel takes in struct tc_htb_glob
	htbGlobLen      = 20 // struct tc_htb_glob
	htbOptLen       = 44 // struct tc_htb_opt
)

// HTB is the options of an htb qdisc (hierarchy token bucket): TCA_HTB_INIT
// and the attributes beside it. Its classes are HTBClass.
type HTB struct {
	R2Q     uint32 // rate2quantum: a class's quantum is its rate over R2Q; 0 sends 10, tc's default
	Default uint32 // defcls: the minor number of the class unclassified traffic goes to; 0 sends it out directly
	Debug   uint32
	// DirectQlen is the queue of the direct traffic (TCA_HTB_DIRECT_QLEN),
	// sent when not 0 or when HasDirectQlen is set; otherwise the kernel
	// takes the link's txqueuelen.
	DirectQlen    uint32
	HasDirectQlen bool // DirectQlen is sent even when 0; decoding sets it when the kernel reports it
	Offload       bool // TCA_HTB_OFFLOAD: offload to the device

	DirectPackets uint32   // read only: packets sent directly
	Other         RawAttrs // attributes no field models, sent back
}

func init() {
	registerQdisc("htb", func() Options { return new(HTB) })
	registerClass("htb", func() Options { return new(HTBClass) })
}

// Kind returns "htb".
func (*HTB) Kind() string { return "htb" }

func (h *HTB) encode(e *netlink.AttrEncoder) error {
	r2q := h.R2Q
	if r2q == 0 {
		r2q = 10
	}
	n := nestOptions(e)
	// The kernel reports the version as 0x30011 and refuses anything but
	// 3 in a request: always 3.
	b := make([]byte, 0, htbGlobLen)
	b = ne.AppendUint32(b, htbProtoVersion)
	b = ne.AppendUint32(b, r2q)
	b = ne.AppendUint32(b, h.Default)
	b = ne.AppendUint32(b, h.Debug)
	b = ne.AppendUint32(b, 0)
	e.Bytes(htbInit, b)
	putUint32(e, htbDirectQlen, h.DirectQlen, h.HasDirectQlen)
	if h.Offload {
		e.Flag(htbOffload)
	}
	if err := putOther(e, h.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (h *HTB) decode(b []byte) error {
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case htbInit:
			p := d.Bytes()
			if len(p) < htbGlobLen {
				return fmt.Errorf("TCA_HTB_INIT of %d bytes: %w", len(p), netlink.ErrMalformed)
			}
			h.R2Q, h.Default, h.Debug, h.DirectPackets = ne.Uint32(p[4:]), ne.Uint32(p[8:]), ne.Uint32(p[12:]), ne.Uint32(p[16:])
		case htbDirectQlen:
			h.DirectQlen, h.HasDirectQlen = d.Uint32(), true
		case htbOffload:
			h.Offload = true
		default:
			rest = d.Attr().Append(rest)
		}
	}
	h.Other = RawAttrs(rest)
	return d.Err()
}

// HTBClass is the options of a class of an htb qdisc: TCA_HTB_PARMS (struct
// tc_htb_opt) with its 64-bit rates.
type HTBClass struct {
	Rate RateSpec // the guaranteed rate; required
	Ceil RateSpec // the most the class may borrow up to; a zero Ceil.Rate sends Rate, as tc does
	// Burst and CBurst are the buffers at Rate and at Ceil, as the time to
	// send them (see BurstTime); 0 sends the time of 1600 bytes, as tc does.
	Burst, CBurst time.Duration
	Quantum       uint32 // bytes served per round; 0 lets the kernel compute it from HTB.R2Q
	Prio          uint32 // priority when borrowing, 0 first (at most 7)

	Level uint32   // read only: the class's depth from the leaves
	Other RawAttrs // attributes no field models, sent back
}

// Kind returns "htb".
func (*HTBClass) Kind() string { return "htb" }

// defaultBurst is tc's default buffer at rate: 1600 bytes (and rate/HZ,
// which is nothing with the kernel's 1 GHz psched clock).
func defaultBurst(rate uint64) time.Duration {
	return BurstTime(rate, uint32(min(rate/1e9+1600, 1<<32-1)))
}

func (c *HTBClass) encode(e *netlink.AttrEncoder) error {
	if c.Rate.Rate == 0 {
		return badf("htb class: no rate")
	}
	if c.Prio > 7 {
		return badf("htb class: prio %d out of range (at most 7)", c.Prio)
	}
	ceil := c.Ceil
	if ceil.Rate == 0 {
		ceil = c.Rate
	}
	burst, cburst := c.Burst, c.CBurst
	if burst == 0 {
		burst = defaultBurst(c.Rate.Rate)
	}
	if cburst == 0 {
		cburst = defaultBurst(ceil.Rate)
	}
	n := nestOptions(e)
	b := make([]byte, 0, htbOptLen)
	b = appendRateSpec(b, c.Rate)
	b = appendRateSpec(b, ceil)
	b = ne.AppendUint32(b, ticks(burst))
	b = ne.AppendUint32(b, ticks(cburst))
	b = ne.AppendUint32(b, c.Quantum)
	b = ne.AppendUint32(b, c.Level)
	b = ne.AppendUint32(b, c.Prio)
	e.Bytes(htbParms, b)
	if c.Rate.rate64() {
		e.Uint64(htbRate64, c.Rate.Rate)
	}
	if ceil.rate64() {
		e.Uint64(htbCeil64, ceil.Rate)
	}
	if err := putOther(e, c.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (c *HTBClass) decode(b []byte) error {
	var rest []byte
	var rate64, ceil64 uint64
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case htbParms:
			p := d.Bytes()
			if len(p) < htbOptLen {
				return fmt.Errorf("TCA_HTB_PARMS of %d bytes: %w", len(p), netlink.ErrMalformed)
			}
			c.Rate, c.Ceil = parseRateSpec(p), parseRateSpec(p[12:])
			c.Burst, c.CBurst = fromTicks(ne.Uint32(p[24:])), fromTicks(ne.Uint32(p[28:]))
			c.Quantum, c.Level, c.Prio = ne.Uint32(p[32:]), ne.Uint32(p[36:]), ne.Uint32(p[40:])
		case htbRate64:
			rate64 = d.Uint64()
		case htbCeil64:
			ceil64 = d.Uint64()
		case htbRtab, htbCtab, htbPad:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	if rate64 != 0 {
		c.Rate.Rate = rate64
	}
	if ceil64 != 0 {
		c.Ceil.Rate = ceil64
	}
	c.Other = RawAttrs(rest)
	return d.Err()
}
