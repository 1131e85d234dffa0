package tc

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// FIFO is the options of the first-in first-out qdiscs: pfifo (a limit in
// packets), bfifo (in bytes) and pfifo_head_drop (packets, dropping the
// oldest): struct tc_fifo_qopt.
type FIFO struct {
	KindName string // "pfifo", "bfifo" or "pfifo_head_drop"
	// Limit is in packets, or bytes for bfifo. It is sent when not 0 or
	// when HasLimit is set (limit 0: a queue that drops every packet);
	// otherwise the kernel takes the link's txqueuelen.
	Limit    uint32
	HasLimit bool // Limit is sent even when 0; decoding sets it
}

func init() {
	for _, k := range []string{"pfifo", "bfifo", "pfifo_head_drop"} {
		registerQdisc(k, func() Options { return &FIFO{KindName: k} })
	}
}

// Kind returns f.KindName.
func (f *FIFO) Kind() string { return f.KindName }

func (f *FIFO) encode(e *netlink.AttrEncoder) error {
	switch f.KindName {
	case "pfifo", "bfifo", "pfifo_head_drop":
	default:
		return badf("FIFO kind %q (want pfifo, bfifo or pfifo_head_drop)", f.KindName)
	}
	if f.Limit != 0 || f.HasLimit {
		e.Bytes(tcaOptions, ne.AppendUint32(nil, f.Limit))
	}
	return nil
}

func (f *FIFO) decode(b []byte) error {
	if len(b) < 4 {
		return fmt.Errorf("struct tc_fifo_qopt of %d bytes: %w", len(b), netlink.ErrMalformed)
	}
	f.Limit, f.HasLimit = ne.Uint32(b), true
	return nil
}
