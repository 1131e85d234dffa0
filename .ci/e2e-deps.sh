#!/usr/bin/env bash
# Installs what the kernel-module end-to-end test (examples/kmod, TestE2E)
# needs on a Debian machine: QEMU for x86-64, the Debian cloud kernel headers
# (which pull in the matching kbuild tools and compiler), make and gcc;
# ethtool, the oracle of the genetlink/ethtool tests; nft, the oracle of the
# netfilter/nftables tests; conntrack, nftables and iptables, the oracle and
# the rules of the netfilter/conntrack, nflog and nfqueue tests; wg
# (wireguard-tools), the oracle of genetlink/wireguard's VM tests; and
# tshark, which decodes examples/pcap's capture; iproute2's ip and tc (with
# JSON output), the oracles of the rtnetlink and tc tests. The VM tests
# (internal/vmtest) need QEMU,
# iproute2, procps (sysctl) and ethtool (copied into the VM), xz (Debian's
# 6.12 compresses its modules) and apt-get download of the kernel images
# (linux-image-6.1.0-*-amd64 from bookworm, linux-image-6.12.*+deb12-amd64
# from bookworm-security); devlink (iproute2) is the oracle of the VM's
# devlink tests, and the netdevsim module those VMs build
# (vmtest.SourceModules) needs make and gcc (gcc-12, which both kernels
# were built with) and apt-get download of each kernel's linux-headers,
# linux-kbuild and linux-source packages; for the opt-in sid kernel
# (-kernel sid, built with a newer gcc than the host's) it is built in a
# sid chroot that debootstrap makes. The rtnetlink tests of what
# bookworm's ip (iproute2 6.1) cannot add or print (rule dscp, flowlabel
# and port masks, IPv4 GSO/GRO sizes, nexthop weights above 255) compare
# with bookworm-backports' ip instead: newer_iproute2 unpacks that package,
# without installing it, into /var/cache/nlkit/iproute2 (nstest.NewerIP).
#
# Idempotent: when everything is already there it does nothing, and it only
# refreshes the package lists when something has to be installed or when the
# kernel image matching the installed headers can no longer be downloaded.
# Must run as root (or with sudo available).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -E bash "$0" "$@"
	fi
	echo "e2e-deps: must run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
packages=(qemu-system-x86 linux-headers-cloud-amd64 make gcc ethtool tshark iproute2 procps xz-utils nftables wireguard-tools conntrack iptables debootstrap)

# installed NAME: true when the Debian package NAME is fully installed.
installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# headers_pkg prints the concrete headers package the meta package points at,
# e.g. linux-headers-6.1.0-56-cloud-amd64, followed by its version.
headers_pkg() {
	dpkg-query -W -f='${Depends}\n' linux-headers-cloud-amd64 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-cloud-amd64\).*/\1/p' | head -n1
}

# image_available: true when apt can fetch the kernel image that matches the
# installed headers (the e2e test downloads it with apt-get download).
image_available() {
	local hdr ver
	hdr=$(headers_pkg)
	[ -n "$hdr" ] || return 1
	ver=$(dpkg-query -W -f='${Version}' "$hdr" 2>/dev/null) || return 1
	apt-cache show "linux-image-${hdr#linux-headers-}=${ver}" >/dev/null 2>&1
}

# vm_images_available: true when apt knows the kernel images of the VM
# tests' matrix (internal/vmtest.Kernels).
vm_images_available() {
	[ -n "$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]*-amd64$')" ] &&
		[ -n "$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]*[+]deb12-amd64$')" ]
}

# The iproute2 of bookworm-backports that newer_iproute2 unpacks, and
# where (internal/nstest's IPRoute2Dir). Pinned, so that the oracle
# changes only here; if backports moves on, the script takes the version
# it offers instead and says so (the tests ask nstest.NewerIP for 6.15 or
# later, so a newer one serves, and a run does not fail on the mirror).
# An ip of 6.15 or later already there is kept, without asking the mirror.
iproute2_version=6.15.0-1~bpo12+1
iproute2_dir=/var/cache/nlkit/iproute2

# newer_iproute2 unpacks bookworm-backports' iproute2 $iproute2_version
# into $iproute2_dir, unless it is there: apt-get download (which checks
# the suite's signature) with a sources list of its own, in a directory
# of its own, so the host's apt configuration, package lists and
# installed iproute2 stay as they are; then dpkg-deb -x. It checks that
# the host has every shared library that ip needs (the package is built
# for bookworm) and that ip runs.
newer_iproute2() {
	local have
	have=$("$iproute2_dir/bin/ip" -V 2>/dev/null | sed -n 's/.*iproute2-\([0-9]*\)\.\([0-9]*\).*/\1 \2/p' || true)
	if [ -n "$have" ] && { read -r major minor <<<"$have"; [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 15 ]; }; }; then
		echo "e2e-deps: iproute2 $(cat "$iproute2_dir/VERSION" 2>/dev/null || echo "$have") present in $iproute2_dir"
		return 0
	fi
	local mirror opts deb missing_libs
	mkdir -p "$(dirname "$iproute2_dir")"
	# Beside its destination, so that it is renamed into place whole.
	iproute2_tmp=$(mktemp -d "$(dirname "$iproute2_dir")/.iproute2-XXXXXX")
	trap 'rm -rf "$iproute2_tmp"' EXIT
	mirror=${NLKIT_VM_MIRROR:-http://deb.debian.org/debian}
	mkdir -p "$iproute2_tmp/lists/partial" "$iproute2_tmp/cache/archives/partial" "$iproute2_tmp/deb"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main" >"$iproute2_tmp/sources.list"
	opts=(-o "Dir::Etc::SourceList=$iproute2_tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$iproute2_tmp/lists" -o "Dir::Cache=$iproute2_tmp/cache" -o APT::Sandbox::User=root)
	echo "e2e-deps: downloading iproute2 $iproute2_version from bookworm-backports ($mirror)"
	apt-get "${opts[@]}" update -qq
	if ! (cd "$iproute2_tmp/deb" && apt-get "${opts[@]}" download -qq "iproute2=$iproute2_version"); then
		echo "e2e-deps: bookworm-backports does not offer iproute2 $iproute2_version (any more?); taking its $(apt-cache "${opts[@]}" policy iproute2 | grep -i candidate)" >&2
		(cd "$iproute2_tmp/deb" && apt-get "${opts[@]}" download -qq "iproute2/bookworm-backports")
	fi
	deb=$(ls "$iproute2_tmp"/deb/iproute2_*.deb)
	dpkg-deb -x "$deb" "$iproute2_tmp/root"
	missing_libs=$(ldd "$iproute2_tmp/root/bin/ip" | grep 'not found' || true)
	if [ -n "$missing_libs" ]; then
		echo "e2e-deps: iproute2's ip ($deb) needs libraries the host lacks:" >&2
		echo "$missing_libs" >&2
		return 1
	fi
	if ! "$iproute2_tmp/root/bin/ip" -V; then
		echo "e2e-deps: iproute2's ip ($deb) does not run" >&2
		return 1
	fi
	dpkg-deb -f "$deb" Version >"$iproute2_tmp/root/VERSION"
	if [ -e "$iproute2_dir" ]; then
		mv "$iproute2_dir" "$iproute2_tmp/old"
	fi
	mv "$iproute2_tmp/root" "$iproute2_dir"
	rm -rf "$iproute2_tmp"
	trap - EXIT
	echo "e2e-deps: unpacked iproute2 $(cat "$iproute2_dir/VERSION") into $iproute2_dir"
}

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
if ! command -v qemu-system-x86_64 >/dev/null 2>&1 && [ "${#missing[@]}" -eq 0 ]; then
	missing+=(qemu-system-x86_64)
fi

if [ "${#missing[@]}" -eq 0 ] && image_available && vm_images_available; then
	echo "e2e-deps: all packages present"
	newer_iproute2
	exit 0
fi

echo "e2e-deps: installing ${packages[*]} (missing: ${missing[*]:-none})"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

if ! image_available; then
	echo "e2e-deps: kernel image matching $(headers_pkg) is not downloadable" >&2
	exit 1
fi
if ! vm_images_available; then
	echo "e2e-deps: apt offers no linux-image-6.1.0-*-amd64 or linux-image-6.12.*+deb12-amd64 (bookworm and bookworm-security)" >&2
	exit 1
fi
newer_iproute2
echo "e2e-deps: done ($(headers_pkg))"
