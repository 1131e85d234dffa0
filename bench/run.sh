#!/usr/bin/env bash
# run.sh: build the benchmarks, run every workload in throwaway network
# namespaces, interleaving the implementations and repeating each, check the
# results, and print the tables (also saved to bench/RESULTS.md).
#
#   bash bench/run.sh            # as root; about 6-9 minutes on 2 cores
#   ROUNDS=3 ROUTES=20000 HEAP_ROUTES=300000 bash bench/run.sh   # quicker
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
ONLY=${ONLY:-"dump getlink decode install heap mcast encode typed genl ctlist ctdelete ctevents"}

[ "$(id -u)" = 0 ] || { echo "run.sh needs root (network namespaces)" >&2; exit 1; }
PREFIX=nlbench-$$
TMP=$(mktemp -d)
cleanup() {
	for ns in $(ip netns list | awk -v p="$PREFIX-" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns" || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building..." >&2
go build -o "$TMP/nlbench" ./cmd/nlbench
gcc -O2 -Wall -o "$TMP/mnlbench" c/mnlbench.c -lmnl
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
# addroutes NAME N: routes 20.0.0.0/24, 20.0.1.0/24, ... via 10.0.0.2.
addroutes() {
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) { a = 20 * 16777216 + i * 256
		printf "route add %d.%d.%d.0/24 via 10.0.0.2\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256 } }' |
		ip -n "$PREFIX-$1" -batch -
}
inns() { local ns=$PREFIX-$1; shift; ip netns exec "$ns" "$@" >>"$OUT"; }
want() { [[ " $ONLY " == *" $1 "* ]]; }
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
		step "(4) getlink: 9 implementations x 2 conditions (pending timer, idle) x $ROUNDS rounds, 3 runs of $GETLINKS each"
		for r in $(seq "$ROUNDS"); do
			for idle in false true; do
				w=getlink
				[ "$idle" = true ] && w=getlink-idle
				for i in floor nlkit-execute nlkit-execute-skipack nlkit-send-receive nlkit-rtnetlink mdlayher jsimonetti vishvananda; do
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

{
	echo "# nlkit/netlink comparative benchmarks"
	echo
	echo "| machine | kernel | Go | C | nlkit commit | date (UTC) | load average (start → end) |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "| $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB | $(uname -r) | $(go env GOVERSION) | $(gcc -dumpfullversion), libmnl $(dpkg-query -W -f='${Version}' libmnl-dev 2>/dev/null) | $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- .. 2>/dev/null || echo ' (modified)') | $(date -u '+%Y-%m-%d %H:%M') | $LOAD_START → $(cut -d' ' -f1-3 /proc/loadavg) |"
	echo
	echo "Medians over every measured run; spread is min–max. Implementations run interleaved, each in its own process, $ROUNDS rounds;"
	echo "ROUTES=$ROUTES GETLINKS=$GETLINKS HEAP_ROUTES=$HEAP_ROUTES EVENTS=$EVENTS CT_LIST=$CT_LIST CT_DELETE=$CT_DELETE."
	echo "Every Go process has a pending timer (a goroutine in time.Sleep), as real programs have, except in the tables marked idle."
	echo "A load average above the CPU count means other work shared the machine: CPU times hold up better than wall times then."
	"$NLB" report "$OUT"
} >"$TMP/RESULTS.md"
cp "$TMP/RESULTS.md" "${RESULTS:-RESULTS.md}"
cat "${RESULTS:-RESULTS.md}"
