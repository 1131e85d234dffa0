// Package taskstats is a small typed client of the kernel's TASKSTATS
// generic netlink family: the accounting and delay statistics of a task
// (a thread) or a thread group (a process). It is built on genetlink's
// exported API alone. Asking needs CAP_NET_ADMIN.
//
// The package builds on every GOOS (but plan9); off Linux there is no
// genetlink.Conn to the kernel (genetlink.Dial fails with an error
// wrapping errors.ErrUnsupported), but ParseStats works, and so does a
// Conn on package nltest's fake kernel.
package taskstats

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Conn runs taskstats requests on a generic netlink Conn.
type Conn struct {
	G      *genetlink.Conn
	Family genetlink.Family // the TASKSTATS family, as New resolved it
}

// New resolves the TASKSTATS family on g and returns a Conn for it. The
// family is built into the kernel (CONFIG_TASKSTATS), so its ID stays
// valid for the life of the system.
func New(ctx context.Context, g *genetlink.Conn) (*Conn, error) {
	f, err := g.Family(ctx, uapi.TASKSTATS_GENL_NAME)
	if err != nil {
		return nil, err
	}
	f.CommandNames = map[uint8]string{uapi.TASKSTATS_CMD_GET: "GET"}
	return &Conn{G: g, Family: f}, nil
}

// Stats are the statistics of a task or thread group: PID is set for a
// task, TGID for a thread group. Fields the kernel's struct taskstats
// lacks (an older kernel's shorter version) are zero; Version says which
// version the kernel sent.
type Stats struct {
	PID, TGID int
	Taskstats
}

// Taskstats is the kernel's struct taskstats (linux/taskstats.h): the
// fields of Taskstats in golang.org/x/sys/unix, with the same names and the
// kernel's layout, on every platform.
type Taskstats = uapi.Taskstats

// PID returns the statistics of the task (thread) with ID pid.
//
// PID sends TASKSTATS_CMD_GET with TASKSTATS_CMD_ATTR_PID. The reply is one
// TASKSTATS_CMD_NEW.
func (c *Conn) PID(ctx context.Context, pid int) (Stats, error) {
	return c.get(ctx, uapi.TASKSTATS_CMD_ATTR_PID, pid)
}

// TGID returns the statistics of the thread group (process) with ID tgid,
// summed over its threads.
//
// TGID sends TASKSTATS_CMD_GET with TASKSTATS_CMD_ATTR_TGID. The reply is
// one TASKSTATS_CMD_NEW.
func (c *Conn) TGID(ctx context.Context, tgid int) (Stats, error) {
	return c.get(ctx, uapi.TASKSTATS_CMD_ATTR_TGID, tgid)
}

func (c *Conn) get(ctx context.Context, attr uint16, id int) (Stats, error) {
	var e netlink.AttrEncoder
	e.Uint32(attr, uint32(id))
	attrs, err := e.Finish()
	if err != nil {
		return Stats{}, err
	}
	msgs, err := c.G.Execute(ctx, &c.Family, uapi.TASKSTATS_CMD_GET, attrs)
	if err != nil {
		what := "task"
		if attr == uapi.TASKSTATS_CMD_ATTR_TGID {
			what = "thread group"
		}
		return Stats{}, netlink.WithObject(err, fmt.Sprintf("%s %d", what, id))
	}
	if len(msgs) != 1 {
		return Stats{}, fmt.Errorf("taskstats: %d replies, want 1: %w", len(msgs), netlink.ErrMalformed)
	}
	return ParseStats(msgs[0])
}

// ParseStats reads a TASKSTATS_CMD_NEW message: the reply to
// TASKSTATS_CMD_GET, or the statistics of an exiting task sent to a
// listener registered for its CPU.
func ParseStats(m netlink.Message) (Stats, error) {
	var s Stats
	if _, err := genetlink.ParseHeader(m.Data); err != nil {
		return s, err
	}
	found := false
	d := m.AttrDecoder(genetlink.HeaderLen)
	for d.Next() {
		switch d.Type() {
		case uapi.TASKSTATS_TYPE_AGGR_PID, uapi.TASKSTATS_TYPE_AGGR_TGID:
			outer := d.Enter()
			for d.Next() {
				switch d.Type() {
				case uapi.TASKSTATS_TYPE_PID:
					s.PID = int(d.Uint32())
				case uapi.TASKSTATS_TYPE_TGID:
					s.TGID = int(d.Uint32())
				case uapi.TASKSTATS_TYPE_STATS:
					// struct taskstats grows at its end from version to
					// version: copy what both sides know.
					dst := unsafe.Slice((*byte)(unsafe.Pointer(&s.Taskstats)), unsafe.Sizeof(s.Taskstats))
					copy(dst, d.Bytes())
					found = true
				}
			}
			d.Exit(outer)
		}
	}
	if err := d.Err(); err != nil {
		return Stats{}, fmt.Errorf("taskstats: %w", err)
	}
	if !found {
		return Stats{}, fmt.Errorf("taskstats: reply without statistics: %w", netlink.ErrMalformed)
	}
	return s, nil
}
