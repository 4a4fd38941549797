#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what vswitch needs on a Debian 12 machine, and reserves hugepages.
# Idempotent: run it as often as you like; it installs only what is missing.
# Must run as root (or with sudo available).
#
#   setup.sh            what building and running the switch needs, and what
#                       its tests and benchmarks run against
#   setup.sh --runtime  only what building and running the switch needs: for
#                       a hypervisor (docs/install.md)
#
# The test packages include Open vSwitch (the conformance tester's switch;
# openvswitch-switch-dpdk for switch-bench --against ovs, which never uses
# the system's instance): installing openvswitch-switch starts Debian's
# Open vSwitch service, which a hypervisor running vswitch does not want.
# They also bring os-ken, QEMU, scapy, iperf3, gnuplot, clang and the
# analysers.
set -euo pipefail

RUNTIME_PKGS=(
	build-essential cmake ninja-build pkg-config
	dpdk-dev libdpdk-dev libpcap-dev libjansson-dev libcmocka-dev libssl-dev openssl
	iproute2 logrotate
)
TEST_PKGS=(
	clang clang-format clang-tidy cppcheck libclang-rt-14-dev
	python3-scapy tcpdump iputils-ping iperf3 ethtool openvswitch-common
	python3-os-ken bc openvswitch-switch qemu-system-x86 cpio python3-jsonschema gnuplot-nox
	openvswitch-switch-dpdk prometheus curl
)
case "${1:-}" in
"") PKGS=("${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}") ;;
--runtime) PKGS=("${RUNTIME_PKGS[@]}") ;;
*)
	echo "usage: setup.sh [--runtime]" >&2
	exit 2
	;;
esac

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "setup: all packages present"
fi

# Hugepages: 2 MiB pages for DPDK mempools. Tests that cannot rely on them
# run with --no-huge, so a failure here is a warning, not an error.
want=${VSWITCH_HUGEPAGES:-512}
have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "$have" -lt "$want" ]; then
	if echo "$want" | $SUDO tee /proc/sys/vm/nr_hugepages >/dev/null 2>&1; then
		echo "setup: hugepages $(cat /proc/sys/vm/nr_hugepages) x 2 MiB"
	else
		echo "setup: warning: could not reserve hugepages; DPDK will run with --no-huge"
	fi
fi
if ! grep -qs '/dev/hugepages ' /proc/mounts; then
	$SUDO mkdir -p /dev/hugepages
	$SUDO mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null ||
		echo "setup: warning: could not mount hugetlbfs on /dev/hugepages"
fi
