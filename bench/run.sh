#!/usr/bin/env bash
# run.sh: build the benchmarks, run every workload in throwaway network
# namespaces, interleaving the implementations and repeating each, check the
# results, and print the tables (also saved to bench/RESULTS.md).
#
#   bash bench/run.sh            # as root; about 6-9 minutes on 2 cores
#   ROUNDS=3 ROUTES=20000 HEAP_ROUTES=300000 bash bench/run.sh   # quicker
#   ONLY="sdlist sddestroy nft ethtool" bash bench/run.sh        # issues 24-26
#
# Sizes and choices come from the environment (defaults below; README.md
# describes each): ROUNDS ROUTES GETLINKS HEAP_ROUTES EVENTS CT_LIST
# CT_DELETE SD_SOCKETS SD_DESTROY NFT_RULES NFT_ELEMS ETH_LINKS ONLY RESULTS.
#
# Nothing is left behind: the namespaces (nlbench-PID-*) and the build
# directory are removed on exit, whatever the exit.
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-5}            # interleaved rounds per workload
ROUTES=${ROUTES:-100000}       # routes for dump, typed, install
GETLINKS=${GETLINKS:-10000}    # round trips per measured run, 3 runs per process
HEAP_ROUTES=${HEAP_ROUTES:-1000000}
EVENTS=${EVENTS:-50000}
CT_LIST=${CT_LIST:-200000}     # conntrack entries listed
CT_DELETE=${CT_DELETE:-100000} # conntrack entries deleted (among twice as many)
SD_SOCKETS=${SD_SOCKETS:-100000} # TCP sockets listed by sdlist: both ends of SD_SOCKETS/2 connections
SD_DESTROY=${SD_DESTROY:-10000}  # TCP sockets destroyed by sddestroy, among 4 times as many
NFT_RULES=${NFT_RULES:-10000}    # rules loaded by nft, in one transaction
NFT_ELEMS=${NFT_ELEMS:-100000}   # set elements loaded by nft, in the same transaction
ETH_LINKS=${ETH_LINKS:-1000}     # veth links (ETH_LINKS/2 pairs) for ethtool
ONLY=${ONLY:-"dump getlink decode install heap mcast encode typed genl ctlist ctdelete ctevents sdlist sddestroy nft ethtool"}

[ "$(id -u)" = 0 ] || { echo "run.sh needs root (network namespaces)" >&2; exit 1; }
PREFIX=nlbench-$$
TMP=$(mktemp -d)
HOLD=
cleanup() {
	if [ -n "$HOLD" ]; then kill "$HOLD" 2>/dev/null || true; wait "$HOLD" 2>/dev/null || true; fi
	for ns in $(ip netns list | awk -v p="$PREFIX-" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns" || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building..." >&2
go build -o "$TMP/nlbench" ./cmd/nlbench
NLB=$TMP/nlbench
OUT=$TMP/results.txt
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# newns NAME: a namespace with lo up and a veth pair, d0 holding 10.0.0.1/16.
newns() {
	local ns=$PREFIX-$1
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add d0 type veth peer name d1
	ip -n "$ns" link set d0 up
	ip -n "$ns" link set d1 up
	ip -n "$ns" addr add 10.0.0.1/16 dev d0
}
delns() { ip netns del "$PREFIX-$1"; }
# plainns NAME: a namespace with lo up, nothing else.
plainns() {
	ip netns add "$PREFIX-$1"
	ip -n "$PREFIX-$1" link set lo up
}
# sdhold NAME CONNS EVERY: a namespace whose lo holds 198.18.0.1/15 (so
# that all of 198.18.0.0/15 is local), and in it a holder process (HOLD)
# keeping CONNS TCP connections over lo, one in EVERY selected by the
# sockdiag filter; it returns once they are all made.
sdhold() {
	plainns "$1"
	ip -n "$PREFIX-$1" addr add 198.18.0.1/15 dev lo
	ip netns exec "$PREFIX-$1" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
	: >"$TMP/hold" # emptied here: not by the holder, which may start after the first grep
	ip netns exec "$PREFIX-$1" "$NLB" -w sdhold -impl holder -n "$2" -sdevery "$3" >>"$TMP/hold" 2>&1 &
	HOLD=$!
	until grep -q '^ready' "$TMP/hold"; do
		if ! kill -0 "$HOLD" 2>/dev/null; then cat "$TMP/hold" >&2; exit 1; fi
		sleep 0.2
	done
}
sdunhold() {
	kill "$HOLD"
	wait "$HOLD" 2>/dev/null || true
	HOLD=
	delns "$1"
}
# addroutes NAME N: routes 20.0.0.0/24, 20.0.1.0/24, ... via 10.0.0.2.
addroutes() {
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) { a = 20 * 16777216 + i * 256
		printf "route add %d.%d.%d.0/24 via 10.0.0.2\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256 } }' |
		ip -n "$PREFIX-$1" -batch -
}
inns() { local ns=$PREFIX-$1; shift; ip netns exec "$ns" "$@" >>"$OUT"; }
want() { [[ " $ONLY " == *" $1 "* ]]; }
if want dump || want getlink; then # libmnl's rows
	gcc -O2 -Wall -o "$TMP/mnlbench" c/mnlbench.c -lmnl
fi
step() { echo "[$(date -u +%T)] $*" >&2; }

if want decode; then
	step "(1) decode: 6 implementations x $ROUNDS rounds"
	for r in $(seq "$ROUNDS"); do
		for i in hand nlkit-msgdecoder nlkit-attrdecoder nlkit-attrs mdlayher jsimonetti; do
			"$NLB" -w decode -impl "$i" -data ../testdata/rtm_newroute_100k.bin.gz >>"$OUT"
		done
	done
fi
if want encode; then
	step "(2) encode"
	for r in $(seq "$ROUNDS"); do
		for i in hand nlkit mdlayher; do "$NLB" -w encode -impl "$i" -n 200000 >>"$OUT"; done
	done
fi
if want dump || want getlink || want typed || want genl; then
	step "namespace with $ROUTES routes"
	newns main
	addroutes main "$ROUTES"
	if want dump; then
		step "(3) dump: 5 implementations x $ROUNDS rounds"
		for r in $(seq "$ROUNDS"); do
			for i in floor nlkit nlkit-receive mdlayher; do inns main "$NLB" -w dump -impl "$i"; done
			inns main "$TMP/mnlbench" dump 3
		done
	fi
	if want getlink; then
		step "(4) getlink: 11 implementations x 2 conditions (pending timer, idle) x $ROUNDS rounds, 3 runs of $GETLINKS each"
		for r in $(seq "$ROUNDS"); do
			for idle in false true; do
				w=getlink
				[ "$idle" = true ] && w=getlink-idle
				for i in floor nlkit-execute nlkit-execute-skipack nlkit-executefunc nlkit-executefunc-skipack nlkit-send-receive nlkit-rtnetlink mdlayher jsimonetti vishvananda; do
					inns main "$NLB" -w getlink -idle="$idle" -impl "$i" -n "$GETLINKS" -reps 3
				done
				inns main "$TMP/mnlbench" getlink "$GETLINKS" 3 "$w"
			done
		done
	fi
	if want typed; then
		step "(8) typed route lists"
		for r in $(seq "$ROUNDS"); do
			for i in nlkit jsimonetti vishvananda; do inns main "$NLB" -w typed -impl "$i" -reps 1; done
		done
	fi
	if want genl; then
		step "(8) genetlink family lookups"
		for r in $(seq "$ROUNDS"); do
			for i in nlkit mdlayher; do inns main "$NLB" -w genl -impl "$i" -n 2000 -reps 1; done
		done
	fi
	delns main
fi
if want install; then
	step "(5) install $ROUTES routes: 2 batched + 4 one-by-one implementations x $ROUNDS rounds, a fresh namespace each"
	for r in $(seq "$ROUNDS"); do
		for wi in install-batch/floor install-batch/nlkit-batch install-one/floor install-one/nlkit-execute install-one/vishvananda install-one/ip-batch; do
			newns inst
			inns inst "$NLB" -w "${wi%/*}" -impl "${wi#*/}" -n "$ROUTES"
			delns inst
		done
	done
fi
if want heap; then
	step "(6) heap: namespace with $HEAP_ROUTES routes"
	newns heap
	addroutes heap "$HEAP_ROUTES"
	step "(6) heap: 5 implementations x $ROUNDS rounds"
	for r in $(seq "$ROUNDS"); do
		for i in nlkit-dump nlkit-routes mdlayher jsimonetti vishvananda; do
			inns heap "$NLB" -w heap -impl "$i"
		done
	done
	delns heap
fi
if want mcast; then
	step "(7) multicast: $EVENTS routes added by ip -batch, 5 listeners x $ROUNDS rounds"
	for r in $(seq "$ROUNDS"); do
		for i in floor nlkit mdlayher jsimonetti vishvananda; do
			newns mc
			inns mc "$NLB" -w mcast -impl "$i" -n "$EVENTS"
			delns mc
		done
	done
fi
if want ctlist; then
	step "(9a) conntrack list: $CT_LIST entries, 4 implementations x $ROUNDS rounds"
	newns ct
	inns ct "$NLB" -w ctsetup -impl nlkit -n "$CT_LIST"
	for r in $(seq "$ROUNDS"); do
		for i in nlkit timo vishvananda conntrack-tool; do inns ct "$NLB" -w ctlist -impl "$i" -n "$CT_LIST" -reps 1; done
	done
	delns ct
fi
if want ctdelete; then
	step "(9b) conntrack delete: $CT_DELETE of $((2 * CT_DELETE)) entries, 5 implementations x $ROUNDS rounds, a fresh namespace each"
	for r in $(seq "$ROUNDS"); do
		for i in nlkit nlkit-each timo vishvananda conntrack-tool; do
			newns ctd
			inns ctd "$NLB" -w ctsetup -impl nlkit -n "$CT_DELETE" -ctport 10 -ctmark 2
			inns ctd "$NLB" -w ctsetup -impl nlkit -n "$CT_DELETE" -ctbase "$CT_DELETE"
			inns ctd "$NLB" -w ctdelete -impl "$i" -n "$CT_DELETE"
			delns ctd
		done
	done
fi
if want ctevents; then
	step "(9c) conntrack events: $EVENTS entries created by another process, 2 listeners x $ROUNDS rounds"
	for r in $(seq "$ROUNDS"); do
		for i in nlkit timo; do
			newns cte
			inns cte "$NLB" -w ctevents -impl "$i" -n "$EVENTS"
			delns cte
		done
	done
fi
if want sdlist || want sockdiag; then
	step "(10a) sockdiag list: $SD_SOCKETS TCP sockets, 5 implementations x $ROUNDS rounds, 3 runs each"
	sdhold sd $((SD_SOCKETS / 2)) 4
	for r in $(seq "$ROUNDS"); do
		for i in floor nlkit nlkit-gofilter vishvananda ss; do inns sd "$NLB" -w sdlist -impl "$i" -reps 3; done
	done
	sdunhold sd
fi
if want sddestroy; then
	step "(10b) sockdiag destroy: $SD_DESTROY of $((4 * SD_DESTROY)) TCP sockets, 4 implementations x $ROUNDS rounds, a fresh namespace each"
	for r in $(seq "$ROUNDS"); do
		for i in floor nlkit vishvananda ss; do
			sdhold sdd $((2 * SD_DESTROY)) 2
			inns sdd "$NLB" -w sddestroy -impl "$i"
			sdunhold sdd
		done
	done
fi
if want nft; then
	step "(11) nftables: $NFT_RULES rules and $NFT_ELEMS elements in one transaction, then listed; 5 implementations x $ROUNDS rounds, a fresh namespace each"
	for r in $(seq "$ROUNDS"); do
		for i in nlkit google google-bigbuf google-split nft; do
			plainns nft
			inns nft "$NLB" -w nft -impl "$i" -n "$NFT_RULES" -elems "$NFT_ELEMS"
			delns nft
		done
	done
fi
if want ethtool; then
	step "(12) ethtool: $ETH_LINKS veth links, dumps and gets, 2 implementations x $ROUNDS rounds, 3 runs each"
	plainns eth
	awk -v n=$((ETH_LINKS / 2)) 'BEGIN { for (i = 0; i < n; i++) printf "link add v%d type veth peer name w%d\n", i, i
		for (i = 0; i < n; i += 2) printf "link set v%d up\nlink set w%d up\n", i, i }' | ip -n "$PREFIX-eth" -batch -
	for r in $(seq "$ROUNDS"); do
		for w in ethdump ethget; do
			for i in nlkit mdlayher; do inns eth "$NLB" -w "$w" -impl "$i" -n $((ETH_LINKS / 2 * 2)) -reps 3; done
		done
	done
	delns eth
fi

{
	echo "# nlkit/netlink comparative benchmarks"
	echo
	echo "| machine | kernel | Go | C | nlkit commit | date (UTC) | load average (start → end) |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "| $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB | $(uname -r) | $(go env GOVERSION) | $(gcc -dumpfullversion), libmnl $(dpkg-query -W -f='${Version}' libmnl-dev 2>/dev/null) | $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- .. 2>/dev/null || echo ' (modified)') | $(date -u '+%Y-%m-%d %H:%M') | $LOAD_START → $(cut -d' ' -f1-3 /proc/loadavg) |"
	echo
	echo "Medians over every measured run; spread is min–max. Implementations run interleaved, each in its own process, $ROUNDS rounds;"
	echo "ROUTES=$ROUTES GETLINKS=$GETLINKS HEAP_ROUTES=$HEAP_ROUTES EVENTS=$EVENTS CT_LIST=$CT_LIST CT_DELETE=$CT_DELETE"
	echo "SD_SOCKETS=$SD_SOCKETS SD_DESTROY=$SD_DESTROY NFT_RULES=$NFT_RULES NFT_ELEMS=$NFT_ELEMS ETH_LINKS=$ETH_LINKS; ONLY=\"$ONLY\"."
	echo "Every Go process has a pending timer (a goroutine in time.Sleep), as real programs have, except in the tables marked idle."
	echo "A load average above the CPU count means other work shared the machine: CPU times hold up better than wall times then."
	# A failed check makes report exit 1 after it printed every table:
	# the tables are saved and shown all the same, and run.sh fails.
	"$NLB" report "$OUT" || REPORT=$?
} >"$TMP/RESULTS.md"
cp "$TMP/RESULTS.md" "${RESULTS:-RESULTS.md}"
cat "${RESULTS:-RESULTS.md}"
exit "${REPORT:-0}"
