#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The control socket survives garbage, malformed, half-written and oversized
# requests and 50 clients at once (ctl_stress.py), and the daemon's log
# shows no crash.
set -uo pipefail
BIN=${1:?usage: test_ctl_socket.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

start_vswitchd || { cat "$T/vswitchd.log"; exit 1; }
ctl add-br csb$$ -- add-port csb$$ csp$$ type=mem
pid=$(vswitchd_pid)
check "ctl_stress.py" /usr/bin/python3 "$(dirname "$0")/ctl_stress.py" "$T/ctl.sock" csb$$ csp$$
check "same daemon process" alive "$pid"
check "no clients left" [ "$(ls /proc/"$pid"/fd | wc -l)" -lt 200 ]
check "stops cleanly" stop_vswitchd
finish
