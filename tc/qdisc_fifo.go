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
	Limit    uint32 // packets, or bytes for bfifo; 0 is not sent (the kernel's default from the link's txqueuelen)
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
	if f.Limit != 0 {
		e.Bytes(tcaOptions, ne.AppendUint32(nil, f.Limit))
	}
	return nil
}

func (f *FIFO) decode(b []byte) error {
	if len(b) < 4 {
		return fmt.Errorf("struct tc_fifo_qopt of %d bytes: %w", len(b), netlink.ErrMalformed)
	}
	f.Limit = ne.Uint32(b)
	return nil
}
