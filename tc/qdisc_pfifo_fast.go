package tc

import "github.com/nlkit/netlink"

// PFIFOFast is what the kernel reports of a pfifo_fast qdisc (struct
// tc_prio_qopt): three bands and its fixed map. pfifo_fast takes no
// options; they are sent as listed and the kernel ignores them.
type PFIFOFast struct {
	Bands   int32
	Priomap [16]uint8
}

func init() { registerQdisc("pfifo_fast", func() Options { return new(PFIFOFast) }) }

// Kind returns "pfifo_fast".
func (*PFIFOFast) Kind() string { return "pfifo_fast" }

func (p *PFIFOFast) encode(e *netlink.AttrEncoder) error {
	if p.Bands != 0 {
		e.Bytes(tcaOptions, appendPrioQopt(nil, p.Bands, p.Priomap))
	}
	return nil
}

func (p *PFIFOFast) decode(b []byte) error {
	var err error
	p.Bands, p.Priomap, err = parsePrioQopt(b)
	return err
}
