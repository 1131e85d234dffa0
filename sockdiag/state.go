package sockdiag

import (
	"strings"
)

// State is a socket's state: the kernel's TCP_* numbers, which UDP, raw
// and unix sockets share (an unconnected datagram socket is StateClose,
// a connected one StateEstablished).
type State uint8

// Socket states.
const (
	StateEstablished   State = 1  // TCP_ESTABLISHED
	StateSynSent       State = 2  // TCP_SYN_SENT
	StateSynRecv       State = 3  // TCP_SYN_RECV
	StateFinWait1      State = 4  // TCP_FIN_WAIT1
	StateFinWait2      State = 5  // TCP_FIN_WAIT2
	StateTimeWait      State = 6  // TCP_TIME_WAIT
	StateClose         State = 7  // TCP_CLOSE
	StateCloseWait     State = 8  // TCP_CLOSE_WAIT
	StateLastAck       State = 9  // TCP_LAST_ACK
	StateListen        State = 10 // TCP_LISTEN
	StateClosing       State = 11 // TCP_CLOSING
	StateNewSynRecv    State = 12 // TCP_NEW_SYN_RECV
	StateBoundInactive State = 13 // TCP_BOUND_INACTIVE
)

// stateNames are the names ss prints and its filters take.
var stateNames = [...]string{
	StateEstablished:   "established",
	StateSynSent:       "syn-sent",
	StateSynRecv:       "syn-recv",
	StateFinWait1:      "fin-wait-1",
	StateFinWait2:      "fin-wait-2",
	StateTimeWait:      "time-wait",
	StateClose:         "closed",
	StateCloseWait:     "close-wait",
	StateLastAck:       "last-ack",
	StateListen:        "listening",
	StateClosing:       "closing",
	StateNewSynRecv:    "new-syn-recv",
	StateBoundInactive: "bound-inactive",
}

// String returns the state's name as ss writes it ("established",
// "listening"), or "state(N)" for one it does not know.
func (s State) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return "state(" + itoa(uint64(s)) + ")"
}

// States is a set of states, as the request's state mask (idiag_states):
// bit n is State n.
type States uint32

// Has reports whether s holds st.
func (s States) Has(st State) bool { return st < 32 && s&(1<<st) != 0 }

// StatesOf returns the set of the states given.
func StatesOf(st ...State) States {
	var s States
	for _, x := range st {
		s |= 1 << x
	}
	return s
}

// Groups of states, as ss names them.
const (
	// AllStates is every state.
	AllStates States = 1<<14 - 2
	// Connected is every state but listening and closed.
	Connected = AllStates &^ (1<<StateListen | 1<<StateClose)
	// Synchronized is Connected without syn-sent.
	Synchronized = Connected &^ (1 << StateSynSent)
	// Bucket is the states of minisockets: syn-recv and time-wait.
	Bucket = 1<<StateSynRecv | 1<<StateTimeWait | 1<<StateNewSynRecv
	// Big is every state but those of Bucket.
	Big = AllStates &^ Bucket
)

// String lists the states in s by name, separated by "|".
func (s States) String() string {
	var b strings.Builder
	for st := State(0); st < 32; st++ {
		if s.Has(st) {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(st.String())
		}
	}
	return b.String()
}

// stateGroup returns the states ss's name stands for: a state ("listen"
// too) or a group.
func stateGroup(name string) (States, bool) {
	switch name {
	case "all":
		return AllStates, true
	case "connected":
		return Connected, true
	case "synchronized":
		return Synchronized, true
	case "bucket":
		return Bucket, true
	case "big":
		return Big, true
	case "listen":
		return StatesOf(StateListen), true
	case "syn-recv":
		return StatesOf(StateSynRecv, StateNewSynRecv), true
	}
	for i, n := range stateNames {
		if n == name {
			return StatesOf(State(i)), true
		}
	}
	return 0, false
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}
