// Package socktest is a scripted netlink.Socket for tests of the Conn above
// it that need bytes, or orders of events, that neither the kernel nor an
// nltest Handler produces on demand: what a test queues is what the Conn
// reads, in that order.
package socktest

import (
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/netlink"
)

// Sock is a netlink.Socket whose Recv returns what Queue queued, and whose
// Send hands each datagram to OnSend, which plays the kernel's part.
type Sock struct {
	// OnSend gets each datagram the Conn sends, without Sock's lock held,
	// so it may call Queue. Nil drops what is sent.
	OnSend func(b []byte, to netlink.Addr) error

	mu        sync.Mutex
	queue     []netlink.Datagram // a nil Data is an overrun
	delivered [][]byte           // the Data of every datagram queued
	closed    bool
	deadline  time.Time
	wake      chan struct{} // closed and replaced when anything changes
}

// New returns a Sock whose Send calls onSend.
func New(onSend func(b []byte, to netlink.Addr) error) *Sock {
	return &Sock{OnSend: onSend, wake: make(chan struct{})}
}

// signal wakes a waiting Recv. s.mu is held.
func (s *Sock) signal() {
	close(s.wake)
	s.wake = make(chan struct{})
}

// Queue queues ds for the Conn, in order and at once. A Datagram with nil
// Data stands for an overrun: Recv reports ENOBUFS in its place, as the
// kernel does before the datagrams it still holds.
func (s *Sock) Queue(ds ...netlink.Datagram) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range ds {
		if d.Data != nil {
			s.delivered = append(s.delivered, d.Data)
		}
		s.queue = append(s.queue, d)
	}
	s.signal()
}

// Delivered returns the Data of every datagram queued so far.
func (s *Sock) Delivered() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.delivered...)
}

// Send implements netlink.Socket.
func (s *Sock) Send(b []byte, to netlink.Addr) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return netlink.ErrClosed
	case s.OnSend == nil:
		return nil
	}
	return s.OnSend(b, to)
}

// Recv implements netlink.Socket.
func (s *Sock) Recv(wait bool) (netlink.Datagram, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.closed:
			return netlink.Datagram{}, false, netlink.ErrClosed
		case len(s.queue) > 0:
			d := s.queue[0]
			s.queue = s.queue[1:]
			if d.Data == nil {
				return netlink.Datagram{}, false, os.NewSyscallError("recvmsg", syscall.ENOBUFS)
			}
			return d, true, nil
		case !wait:
			return netlink.Datagram{}, false, nil
		}
		var timeout <-chan time.Time
		if !s.deadline.IsZero() {
			left := time.Until(s.deadline)
			if left <= 0 {
				return netlink.Datagram{}, false, os.ErrDeadlineExceeded
			}
			t := time.NewTimer(left)
			defer t.Stop()
			timeout = t.C
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-timeout:
		}
		s.mu.Lock()
	}
}

// SetReadDeadline implements netlink.Socket.
func (s *Sock) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deadline = t
	s.signal()
	return nil
}

// Membership joins nothing: every datagram queued goes to the Conn.
func (s *Sock) Membership(uint32, bool) error { return nil }

// Close implements netlink.Socket.
func (s *Sock) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.signal()
	return nil
}
