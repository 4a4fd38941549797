# SPDX-License-Identifier: Apache-2.0
# Helpers for tests with real QEMU guests (tests/e2e/test_vms.sh), on top of
# e2e.sh. The guest is scripts/build-guest.sh's: a Debian kernel and a
# busybox initramfs whose /init runs the task given on the kernel command
# line and reports "VSGUEST ..." lines on its serial console.
#
#   guest_build                 builds (or finds cached) the guest: $GUEST
#   vm_start N IP/LEN TASK CHARDEV-OPTS   starts guest N (MAC 52:54:00:00:00:0N)
#   vm_wait N PATTERN SECS      waits for a console line matching PATTERN
#   vm_line N PATTERN           the last console line matching PATTERN
#   vm_stop N                   kills guest N (if still running)
#
# Facts that cost time to find: the guest memory must be shared with the
# switch (memory-backend-memfd,share=on); QEMU 7.2 under TCG crashes when a
# vhost-user virtio-net-pci device starts with MSI-X, hence vectors=0; a
# QEMU that serves the socket (server=on) waits for the switch before it
# boots the guest.

guest_build() {
	GUEST=$("$(dirname "${BASH_SOURCE[0]}")/../../scripts/build-guest.sh") || return 1
}

vm_start() {
	local n=$1 ip=$2 task=$3 chardev=$4
	qemu-system-x86_64 -machine pc -accel tcg -m 256 -smp 1 \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 vs.ip=$ip vs.task=$task" \
		-chardev "socket,id=c0,$chardev" -netdev vhost-user,id=n0,chardev=c0 \
		-device "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:0$n,vectors=0" \
		-display none -monitor none -serial "file:$T/vm$n.log" -no-reboot \
		>>"$T/qemu$n.err" 2>&1 &
	echo $! >"$T/vm$n.pid"
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $!"
}

# guest N's console, without the carriage returns of a serial line
vlog() {
	tr -d '\r' 2>/dev/null <"$T/vm$1.log"
}

vm_wait() {
	local n=$1 pattern=$2 secs=$3
	for _ in $(seq $((secs * 10))); do
		vlog "$n" | grep -qE "$pattern" && return 0
		sleep 0.1
	done
	echo "guest $n: no '$pattern' within $secs s; its console:"
	tail -5 "$T/vm$n.log" 2>/dev/null
	tail -3 "$T/qemu$n.err" 2>/dev/null
	return 1
}

vm_line() {
	vlog "$1" | grep -E "$2" | tail -1
}

# pongs_after N T: replies guest N's pingloop got after guest time T
pongs_after() {
	vlog "$1" | awk -v t="$2" '/VSGUEST pong/ { split($4, a, "="); if (a[2] + 0 > t + 0) n++ } END { print n + 0 }'
}

# until_pongs N T SECS: waits until guest N gets a reply after time T
until_pongs() {
	for _ in $(seq $(($3 * 10))); do
		[ "$(pongs_after "$1" "$2")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

vm_stop() {
	local pid
	pid=$(cat "$T/vm$1.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# waits until the unix socket $1 exists (QEMU listens)
sock_wait() {
	for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}

# field VALUE-NAME LINE: the value of NAME=... in a console line
field() {
	sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}
