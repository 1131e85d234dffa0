package sockdiag

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Processes returns the processes that hold sockets open, by the
// sockets' inode numbers (InetSocket.Inode, UnixSocket.Inode), as ss -p
// finds them: it reads the descriptors of each process in /proc
// (/proc/PID/fd, whose links to sockets read "socket:[INODE]") and the
// name of each process that holds one (/proc/PID/comm). A socket held by
// several processes, or through several descriptors, has an entry for
// each, in the order /proc lists them.
//
// Socket inode numbers are unique across network namespaces, so the
// result serves the listings of any namespace; the processes are those
// of the PID namespace of the caller's /proc, with their PIDs there. A
// process that exits during the scan, or whose descriptors the caller
// may not read (another user's, without CAP_SYS_PTRACE), is left out, as
// ss leaves it out; the error is for /proc itself not being readable.
// Off Linux, Processes returns an error wrapping errors.ErrUnsupported.
func Processes() (map[uint32][]Process, error) {
	return processesIn("/proc")
}

// processesIn is Processes reading the proc file system mounted at proc.
func processesIn(proc string) (map[uint32][]Process, error) {
	d, err := os.Open(proc)
	if err != nil {
		return nil, fmt.Errorf("sockdiag: processes: %w", err)
	}
	defer d.Close()
	s := procScan{proc: proc, out: map[uint32][]Process{}}
	for {
		names, err := d.Readdirnames(512)
		for _, n := range names {
			if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
				s.process(n, pid)
			}
		}
		if err == io.EOF {
			return s.out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sockdiag: processes: reading %s: %w", proc, err)
		}
	}
}

// procScan holds what a scan of /proc reuses from one process to the next.
type procScan struct {
	proc  string
	out   map[uint32][]Process
	link  [64]byte    // a link's target: "socket:[4294967295]" is 19 bytes
	found []procEntry // the sockets of the process being read
}

type procEntry struct {
	inode uint32
	fd    int
}

// process adds the sockets process pid (named dir in /proc) holds.
func (s *procScan) process(dir string, pid int) {
	fdDir := s.proc + "/" + dir + "/fd"
	dfd, err := unix.Open(fdDir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return // gone, or not ours to read
	}
	f := os.NewFile(uintptr(dfd), fdDir)
	defer f.Close()
	s.found = s.found[:0]
	for {
		fds, err := f.Readdirnames(512)
		for _, name := range fds {
			n, err := unix.Readlinkat(dfd, name, s.link[:])
			if err != nil || n >= len(s.link) {
				continue // closed since the listing, or not a socket
			}
			ino, ok := parseSocketLink(s.link[:n])
			if !ok {
				continue
			}
			if fd, err := strconv.Atoi(name); err == nil {
				s.found = append(s.found, procEntry{ino, fd})
			}
		}
		if err != nil {
			// io.EOF, or the process went away while its descriptors
			// were read: what was read stands if it is still there.
			break
		}
	}
	if len(s.found) == 0 {
		return
	}
	comm, err := os.ReadFile(s.proc + "/" + dir + "/comm")
	if err != nil {
		return // the process exited: its descriptors are closed
	}
	name := strings.TrimSuffix(string(comm), "\n")
	for _, e := range s.found {
		s.out[e.inode] = append(s.out[e.inode], Process{Name: name, PID: pid, FD: e.fd})
	}
}
