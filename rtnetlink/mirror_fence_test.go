package rtnetlink

import (
	"context"
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/socktest"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/nltest"
)

// fenceKernel plays the kernel under a Mirror's notification Conn, in the
// order the kernel reports an overrun: ENOBUFS first, then the datagrams it
// queued before dropping. For the first NOOP it queues that NOOP's ACK and
// then a notification renaming link 5 to "a", and then drops the
// notification that renamed it to "b" (the overrun); later NOOPs get their
// ACK.
func fenceKernel() *socktest.Sock {
	var s *socktest.Sock
	noops := 0
	s = socktest.New(func(b []byte, to netlink.Addr) error {
		for m, err := range netlink.Messages(b) {
			if err != nil || m.Header.Type != netlink.TypeNoop {
				continue
			}
			data := make([]byte, 4) // errno 0
			data = netlink.AppendHeader(data, m.Header)
			ack := netlink.Datagram{Data: netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Flags: netlink.Capped,
				Sequence: m.Header.Sequence, PortID: m.Header.PortID}, data), NSID: -1}
			noops++
			if noops > 1 {
				s.Queue(ack)
				continue
			}
			s.Queue(netlink.Datagram{NSID: -1}, // ENOBUFS: the rename to "b" was dropped
				ack,
				netlink.Datagram{Data: linkMsg(uapi.RTM_NEWLINK, 0, 5, "a"), Group: uint32(GroupLink), From: netlink.Addr{Groups: 1}, NSID: -1})
		}
		return nil
	})
	return s
}

// linkMsg is an RTM_NEWLINK or RTM_DELLINK message for link index.
func linkMsg(typ uint16, flags netlink.HeaderFlags, index int32, name string) []byte {
	ifi := make([]byte, uapi.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(ifi[4:], uint32(index))
	e := netlink.NewAttrEncoder(ifi)
	e.String(uapi.IFLA_IFNAME, name)
	data, _ := e.Finish()
	return netlink.AppendMessage(nil, netlink.Header{Type: netlink.HeaderType(typ), Flags: flags}, data)
}

// A Mirror's fence must not count the ACK of a NOOP sent before an
// overrun that it learns of before that ACK: the kernel reports ENOBUFS
// before the datagrams it had queued, so such an ACK (and what follows it,
// up to the drop) is older than the drop. Here the kernel queued the first
// NOOP's ACK, then the rename of link 5 to "a", and dropped its rename to
// "b". The listing, made after the drop, says "b"; the rename to "a",
// older than the listing, must not be applied on top of it, since the
// notification that would correct it was dropped.
func TestMirrorFenceAfterOverrun(t *testing.T) {
	k := nltest.New(uapi.NETLINK_ROUTE, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type != uapi.RTM_GETLINK {
			return nil, syscall.EOPNOTSUPP
		}
		var out []netlink.Message
		for m, err := range netlink.Messages(linkMsg(uapi.RTM_NEWLINK, 0, 5, "b")) {
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	})
	list, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := fenceKernel()
	ev, err := netlink.NewConn(uapi.NETLINK_ROUTE, s, &netlink.Config{PortID: 77, Groups: []uint32{uint32(GroupLink)}})
	if err != nil {
		t.Fatal(err)
	}
	m := &Mirror[Link]{ev: New(ev), list: New(list), ready: make(chan struct{}), kind: &mirrorKind[Link]{
		groups:   []Group{GroupLink},
		newTable: func() mirrorTable[Link] { return &linkTable{links: make(map[int]Link)} },
		list: func(ctx context.Context, c *Conn, t mirrorTable[Link]) error {
			lt := t.(*linkTable)
			return listInto(c.Links(ctx, LinkFilter{}), func(l Link) { lt.links[l.Index] = l })
		},
	}}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-m.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	// Let the Mirror apply what it has.
	time.Sleep(100 * time.Millisecond)
	links := m.Snapshot()
	if len(links) != 1 || links[0].Name != "b" {
		t.Errorf("Snapshot = %+v, want link 5 named b, as listed after the overrun", links)
	}
}
