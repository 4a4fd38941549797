#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Metrics (metrics.h): the switch serves them on metrics_address, and a
# real Prometheus server (Debian's) scrapes them: after pings between two
# namespaces on TAP ports, Prometheus has the ports' packet counters, the
# PMD thread's busy cycles and the datapath's lookups. promtool finds the
# text well formed. A bad address is refused and the old one kept; garbage
# and requests that never end do not stop the server; switch-ctl metrics
# prints the same metrics.
set -uo pipefail
BIN=${1:?usage: test_metrics.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.219.$((S % 200))
MPORT=$(tcp_port 1)
PPORT=$(tcp_port 2)
BR=mtb$S

pings() { ip netns exec ns1$S ping -c 5 -i 0.2 -W 1 "$NET.2" >/dev/null 2>&1; }
# query PROMQL: the first value Prometheus gives for it, or nothing.
query() {
	curl -s --max-time 5 "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		/usr/bin/python3 -c 'import json,sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")'
}
at_least() { # at_least PROMQL N: within 15 s, Prometheus has a value >= N
	for _ in $(seq 30); do
		v=$(query "$1")
		[ -n "$v" ] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }' && return 0
		sleep 0.5
	done
	echo "  ($1 = ${v:-none})"
	return 1
}

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge with two TAP ports" ctl add-br "$BR" -- add-port "$BR" t1$S type=tap \
	-- add-port "$BR" t2$S type=tap
for i in 1 2; do ns_host ns$i$S t$i$S "$NET.$i/24"; done
check "metrics on a local address" ctl set global . metrics_address=127.0.0.1:$MPORT
check "ping through the switch" pings

cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: vswitch
    static_configs:
      - targets: ["127.0.0.1:$MPORT"]
YML
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PPORT" >"$T/prometheus.log" 2>&1 &
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $!"
check "Prometheus scrapes the switch (target up)" at_least 'up{job="vswitch"}' 1
check "a port's received packets" at_least "vswitch_port_rx_packets_total{port=\"t1$S\",bridge=\"$BR\"}" 5
check "a port's sent packets" at_least "vswitch_port_tx_packets_total{port=\"t2$S\"}" 5
check "the PMD thread's busy cycles" at_least 'vswitch_pmd_cycles_total{pmd="0",state="busy"}' 1
check "the datapath's lookups" at_least 'sum(vswitch_datapath_lookups_total)' 10
check "megaflows" at_least 'vswitch_datapath_megaflows' 1
check "drops by reason" at_least 'count(vswitch_datapath_drops_total)' 5

check "switch-ctl metrics is well formed (promtool)" sh -c "'$BIN/switch-ctl' --ctl '$T/ctl.sock' metrics | promtool check metrics"
check "switch-ctl metrics has the ports" grep -q "vswitch_port_rx_packets_total{bridge=\"$BR\",port=\"t1$S\"}" \
	<<<"$(ctl metrics)"
expect_fail "metrics_address 'nowhere': expected IP:PORT" set global . metrics_address=nowhere
check "the old address still serves" sh -c "curl -s --max-time 5 http://127.0.0.1:$MPORT/metrics | grep -q vswitch_pmd_cycles_total"
# Requests that never end, garbage, and a method that is not GET.
/usr/bin/python3 - "$MPORT" <<'PY' &
import socket, sys, time, os
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
for s in socks[:20]:
    s.sendall(b"GET /metr")
for s in socks[20:]:
    try:
        s.sendall(os.urandom(5000))
    except OSError:
        pass
time.sleep(3)
PY
hog=$!
sleep 0.5
check "the server answers during them" sh -c "curl -s --max-time 5 http://127.0.0.1:$MPORT/metrics | grep -q vswitch_port_rx_packets_total"
check "POST is refused" [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST http://127.0.0.1:$MPORT/)" = 405 ]
wait "$hog"
check "metrics off" ctl clear global . metrics_address
check "nothing listens any more" sh -c "! curl -s --max-time 2 http://127.0.0.1:$MPORT/metrics >/dev/null"
check "the daemon is alive" alive "$(vswitchd_pid)"
finish
