package netfilter

import (
	"context"
	"errors"
	"fmt"

	"github.com/nlkit/netlink"
)

// batchGenID is NFNL_BATCH_GENID (include/uapi/linux/netfilter/nfnetlink.h),
// the begin message's attribute that makes the kernel refuse the batch
// with ERESTART when the subsystem's generation has moved on.
const batchGenID = 1

// BatchError is the error of a batch the kernel refused: nothing of the
// batch was applied.
type BatchError struct {
	// Index is the position, in the messages given to ExecuteBatch, of the
	// first message the kernel refused, or -1 when it refused the batch as
	// a whole (its begin or end message, or the commit).
	Index int
	// Err is the kernel's answer, an *netlink.OpError that wraps its errno
	// and carries its extended ACK.
	Err error
	// Refused counts the messages the kernel refused: it runs the whole
	// batch, and refuses each bad message, before rolling it back.
	Refused int
}

// Error names the message and the kernel's answer.
func (e *BatchError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("netfilter: batch: %v", e.Err)
	}
	return fmt.Sprintf("netfilter: batch message %d: %v", e.Index, e.Err)
}

// Unwrap returns the kernel's answer.
func (e *BatchError) Unwrap() error { return e.Err }

// BatchMessages returns msgs between the begin and end messages of a batch
// of subsystem s (NFNL_MSG_BATCH_BEGIN and NFNL_MSG_BATCH_END). Each of msgs
// asks for an ACK; the begin and end messages do not, as nft's do not:
// kernels before 6.10 never acknowledge them (commit bf2ac490d28c taught
// the kernel to), and every kernel answers them when it refuses the batch
// as a whole. A genID other than 0 makes the kernel refuse the batch with
// ERESTART unless the subsystem's generation is still genID.
func BatchMessages(s Subsystem, genID uint32, msgs []netlink.Message) []netlink.Message {
	out := make([]netlink.Message, 0, len(msgs)+2)
	hdr := Header{Version: Version0, ResourceID: uint16(s)}.Append(nil)
	begin := hdr
	if genID != 0 {
		e := netlink.NewAttrEncoder(hdr)
		e.Uint32BE(batchGenID, genID)
		begin, _ = e.Finish() // 8 bytes: cannot fail
	}
	out = append(out, netlink.Message{Header: netlink.Header{Type: MsgBatchBegin}, Data: begin})
	for _, m := range msgs {
		m.Header.Flags |= netlink.Acknowledge
		out = append(out, m)
	}
	return append(out, netlink.Message{Header: netlink.Header{Type: MsgBatchEnd}, Data: hdr})
}

// ExecuteBatch runs msgs as one batch of subsystem s (see BatchMessages),
// sent in one datagram with netlink.Conn.Transact, as the kernel needs a
// batch to be: it applies all of it or none. It returns nil when the kernel
// committed the batch, a *BatchError naming the first message it refused
// otherwise, or the error of the exchange: one wrapping
// netlink.ErrOutcomeUnknown when the batch was sent and its answers could
// not all be read (so whether it was applied is unknown), any other when
// it was not sent (so nothing of it was applied). A ctx done once the
// batch is sent does not make the outcome unknown: the kernel answers
// while it takes the batch (see netlink.Conn.Transact).
func ExecuteBatch(ctx context.Context, c *netlink.Conn, s Subsystem, genID uint32, msgs []netlink.Message) error {
	results, err := c.Transact(ctx, BatchMessages(s, genID, msgs))
	if err != nil {
		return err
	}
	var be *BatchError
	for i, r := range results {
		if r == nil || errors.Is(r, netlink.ErrNoAnswer) {
			continue
		}
		if be == nil {
			be = &BatchError{Index: i - 1, Err: r}
			if i == 0 || i == len(results)-1 {
				be.Index = -1
			}
		}
		be.Refused++
	}
	if be != nil {
		return be
	}
	// A batch the kernel did not run at all answers nothing to a message.
	for _, r := range results {
		if r != nil {
			return &BatchError{Index: -1, Err: r}
		}
	}
	return nil
}
