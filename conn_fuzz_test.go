package netlink_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/socktest"
)

// FuzzConnReplies hands a Conn any bytes as a datagram from the kernel:
// first as the reply to an Execute (the first header made to carry the
// request's sequence number and port, then the request's ACK), then as a
// notification to Receive. Nothing panics or hangs, and every message a
// call returns is one of the datagram's, with the request's sequence
// number for Execute: a Conn never hands out a message it was not sent.
// Seeds: the kernel's link dump (testdata/rtm_newlink_dump.bin), the
// kernel's ACKs (testdata/fuzz/FuzzParseAck) as NLMSG_ERROR messages, and
// an NLMSG_DONE with an error.
func FuzzConnReplies(f *testing.F) {
	dump, err := os.ReadFile("testdata/rtm_newlink_dump.bin")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(dump, uint8(0))
	for m, err := range netlink.Messages(dump) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(netlink.AppendMessage(nil, m.Header, m.Data), uint8(1))
	}
	acks, err := filepath.Glob("testdata/fuzz/FuzzParseAck/kernel-*")
	if err != nil || len(acks) == 0 {
		f.Fatalf("no ACK seeds: %v", err)
	}
	for _, file := range acks {
		flags, data := readAckSeed(f, file)
		f.Add(netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Flags: netlink.HeaderFlags(flags)}, data), uint8(0))
	}
	done := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeDone, Flags: netlink.Multi}, []byte{0xea, 0xff, 0xff, 0xff}) // -EINVAL
	f.Add(done, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, group uint8) {
		s := newFuzzSock(data)
		c, err := netlink.NewConn(0, s, &netlink.Config{PortID: fuzzPort})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		msgs, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: 18}, Data: make([]byte, 16)}) // RTM_GETLINK
		if ctx.Err() != nil {
			t.Fatalf("Execute hung: %v", err)
		}
		for _, m := range msgs {
			if seq := s.firstSeq(); m.Header.Sequence != seq || !s.sent(m) {
				t.Fatalf("Execute returned %v, which the kernel did not send as the reply to %d", m.Header, seq)
			}
		}

		// The same bytes as a notification, then one Receive must get.
		sentinel := netlink.AppendMessage(nil, netlink.Header{Type: 0x7ff0}, []byte("end"))
		s.Queue(netlink.Datagram{Data: bytes.Clone(data), Group: uint32(group), NSID: -1})
		s.Queue(netlink.Datagram{Data: sentinel, Group: 1, NSID: -1})
		for {
			msgs, err := c.Receive(ctx)
			if ctx.Err() != nil {
				t.Fatalf("Receive hung: %v", err)
			}
			if len(msgs) == 1 && bytes.Equal(netlink.AppendMessage(nil, msgs[0].Header, msgs[0].Data), sentinel) {
				break
			}
			for _, m := range msgs {
				if !s.sent(m) {
					t.Fatalf("Receive returned %v, which the kernel did not send", m.Header)
				}
			}
		}
	})
}

// readAckSeed reads a seed of FuzzParseAck: its flags and payload.
func readAckSeed(t testing.TB, file string) (uint16, []byte) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "uint16(") || !strings.HasPrefix(lines[2], "[]byte(") {
		t.Fatalf("%s: not a seed of FuzzParseAck", file)
	}
	flags, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(lines[1], "uint16("), ")"), 10, 16)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return uint16(flags), []byte(data)
}

// fuzzPort is the port of FuzzConnReplies's Conn.
const fuzzPort = 4242

// fuzzSock is the kernel of FuzzConnReplies: it answers the first request
// with reply, its first header made the reply to that request, and every
// request with an ACK.
type fuzzSock struct {
	*socktest.Sock
	reply []byte

	mu       sync.Mutex
	seq      uint32 // the first request's sequence number
	requests int
}

func newFuzzSock(reply []byte) *fuzzSock {
	s := &fuzzSock{reply: reply}
	s.Sock = socktest.New(s.send)
	return s
}

// firstSeq returns the sequence number of the first request.
func (s *fuzzSock) firstSeq() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// sent reports whether m is one of the messages of a datagram delivered.
func (s *fuzzSock) sent(m netlink.Message) bool {
	msg := netlink.AppendMessage(nil, m.Header, m.Data)[:m.Header.Length]
	for _, d := range s.Delivered() {
		if bytes.Contains(d, msg) {
			return true
		}
	}
	return false
}

func (s *fuzzSock) send(b []byte, to netlink.Addr) error {
	h, err := netlink.ParseHeader(b)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.requests++
	first := s.requests == 1
	if first {
		s.seq = h.Sequence
	}
	s.mu.Unlock()
	if first {
		r := bytes.Clone(s.reply)
		if len(r) >= netlink.HeaderLen {
			binary.NativeEndian.PutUint32(r[8:], h.Sequence)
			binary.NativeEndian.PutUint32(r[12:], h.PortID)
		}
		s.Queue(netlink.Datagram{Data: r, NSID: -1})
	}
	ack := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Flags: netlink.Capped, Sequence: h.Sequence, PortID: h.PortID},
		netlink.AppendHeader(make([]byte, 4), h)) // errno 0, the request's header
	s.Queue(netlink.Datagram{Data: ack, NSID: -1})
	return nil
}
