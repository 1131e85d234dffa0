package sockdiag

import "strconv"

// Process is a process that holds a socket open through one of its file
// descriptors, as ss -p shows it in users:(("name",pid=N,fd=M)). See
// Processes.
type Process struct {
	Name string // the command name (/proc/PID/comm)
	PID  int    // the process id, in the PID namespace of the /proc read
	FD   int    // the descriptor that refers to the socket
}

// String returns p as ss -p writes one process: ("name",pid=N,fd=M).
func (p Process) String() string {
	return string(p.appendTo(nil))
}

func (p Process) appendTo(b []byte) []byte {
	b = append(b, "(\""...)
	b = append(b, p.Name...)
	b = append(b, "\",pid="...)
	b = strconv.AppendInt(b, int64(p.PID), 10)
	b = append(b, ",fd="...)
	b = strconv.AppendInt(b, int64(p.FD), 10)
	return append(b, ')')
}

// Users returns procs as ss -p writes a socket's processes, after
// "users:": (("name",pid=N,fd=M),...). It returns "" for none.
func Users(procs []Process) string {
	if len(procs) == 0 {
		return ""
	}
	b := make([]byte, 0, 32*len(procs)+2)
	b = append(b, '(')
	for i, p := range procs {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.appendTo(b)
	}
	return string(append(b, ')'))
}

// parseSocketLink returns the inode a /proc/PID/fd link target names if
// it is a socket's, "socket:[INODE]": decimal digits without a sign or
// leading zero, within 32 bits (sockets' inode numbers are, and the
// kernel reports them in 32 bits).
func parseSocketLink(b []byte) (uint32, bool) {
	const prefix = "socket:["
	if len(b) < len(prefix)+2 || string(b[:len(prefix)]) != prefix || b[len(b)-1] != ']' {
		return 0, false
	}
	digits := b[len(prefix) : len(b)-1]
	if len(digits) > 10 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	var v uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}
