package tc

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// Prio is the options of a prio qdisc (struct tc_prio_qopt): bands served
// in order, packets mapped to them by priority. Its classes, major:1 to
// major:Bands, have no options.
type Prio struct {
	Bands int32 // 2 to 16; 0 sends 3, tc's default
	// Priomap is the band of each packet priority (TC_PRIO_*); all zero
	// sends tc's default map, unless HasPriomap is set.
	Priomap    [16]uint8
	HasPriomap bool // Priomap is sent even all zero (every priority to band 0); decoding sets it
}

// defaultPriomap is tc's and the kernel's map (sch_generic.c's
// sch_default_prio2band).
var defaultPriomap = [16]uint8{1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}

func init() { registerQdisc("prio", func() Options { return new(Prio) }) }

// Kind returns "prio".
func (*Prio) Kind() string { return "prio" }

func (p *Prio) encode(e *netlink.AttrEncoder) error {
	bands, pm := p.Bands, p.Priomap
	if bands == 0 {
		bands = 3
	}
	if pm == ([16]uint8{}) && !p.HasPriomap {
		pm = defaultPriomap
	}
	if bands < 2 || bands > 16 {
		return badf("prio: %d bands (2 to 16)", bands)
	}
	for i, b := range pm {
		if int32(b) >= bands {
			return badf("prio: priomap[%d] is band %d of %d", i, b, bands)
		}
	}
	e.Bytes(tcaOptions, appendPrioQopt(nil, bands, pm))
	return nil
}

func (p *Prio) decode(b []byte) error {
	var err error
	p.Bands, p.Priomap, err = parsePrioQopt(b)
	p.HasPriomap = err == nil
	return err
}

// appendPrioQopt appends struct tc_prio_qopt.
func appendPrioQopt(b []byte, bands int32, pm [16]uint8) []byte {
	b = ne.AppendUint32(b, uint32(bands))
	return append(b, pm[:]...)
}

// parsePrioQopt reads struct tc_prio_qopt.
func parsePrioQopt(b []byte) (int32, [16]uint8, error) {
	var pm [16]uint8
	if len(b) < 20 {
		return 0, pm, fmt.Errorf("struct tc_prio_qopt of %d bytes: %w", len(b), netlink.ErrMalformed)
	}
	copy(pm[:], b[4:])
	return int32(ne.Uint32(b)), pm, nil
}
