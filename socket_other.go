//go:build !linux

package netlink

import (
	"syscall"
	"time"
)

// How recv waits: see socket_linux.go.
const (
	recvTry = iota
	recvWait
	recvDrain
)

// sysConn has no socket on platforms without netlink: open fails, so no
// other method is reached.
type sysConn struct{}

func (s *sysConn) open(int, *Config) (Addr, error)     { return Addr{}, ErrNotSupported }
func (s *sysConn) setOption(Option, bool) error        { return ErrNotSupported }
func (s *sysConn) option(Option) (bool, error)         { return false, ErrNotSupported }
func (s *sysConn) membership(uint32, bool) error       { return ErrNotSupported }
func (s *sysConn) rawConn() (syscall.RawConn, error)   { return nil, ErrNotSupported }
func (s *sysConn) setDeadline(bool, time.Time) error   { return ErrNotSupported }
func (s *sysConn) close() error                        { return nil }
func (s *sysConn) recv(*[]byte, int) (Datagram, error) { return Datagram{}, ErrNotSupported }
func (s *sysConn) release()                            {}
func (s *sysConn) send([]byte, Addr) error             { return ErrNotSupported }
func (s *sysConn) setReadBuffer(int) error             { return ErrNotSupported }
func (s *sysConn) setWriteBuffer(int) error            { return ErrNotSupported }
func (s *sysConn) buffers() (int, int)                 { return 0, 0 }
