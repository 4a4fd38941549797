#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow over TLS (docs/openflow.md, "Security"), with certificates made
# here by openssl: a CA, the switch's, ovs-ofctl's, os-ken's, and a client
# of another CA. ssl: and pssl: targets need set-ssl first; a key that does
# not match its certificate is refused. Then ovs-ofctl over ssl: shows the
# bridge and adds and dumps flows; the os-ken controller, listening with
# TLS, gets the switch's connection and installs its flows; a client whose
# certificate another CA signed, a client with no certificate, plain
# OpenFlow, random bytes and a truncated TLS record are each refused and
# the log names the reason; the daemon keeps serving the good client.
set -uo pipefail
BIN=${1:?usage: test_tls.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
PORT=$(tcp_port 1)
CPORT=$(tcp_port 2)
BR=tlb$S
APP=$(dirname "$(readlink -f "$0")")/osken/l2_learning.py
P=$T/pki

mkdir -p "$P"
# key_cert NAME SIGNER: an EC key and a certificate for CN=NAME signed by
# SIGNER's key (SIGNER = NAME: a self-signed CA).
key_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$P/$1-key.pem" -out "$P/$1-req.pem" -subj "/CN=$1-$S" 2>/dev/null || return 1
	if [ "$1" = "$2" ]; then
		openssl x509 -req -in "$P/$1-req.pem" -signkey "$P/$1-key.pem" -days 2 \
			-out "$P/$1-cert.pem" 2>/dev/null
	else
		openssl x509 -req -in "$P/$1-req.pem" -CA "$P/$2-cert.pem" -CAkey "$P/$2-key.pem" \
			-CAcreateserial -days 2 -out "$P/$1-cert.pem" 2>/dev/null
	fi
}
check "certificates" sh -c "$(declare -f key_cert); P=$P S=$S; key_cert ca ca && key_cert other ca && \
	key_cert switch ca && key_cert ofctl ca && key_cert osken ca && key_cert evilca evilca && \
	key_cert evil evilca"

ofctl_as() { # ofctl_as NAME ARGS...: ovs-ofctl with NAME's key and certificate
	local who=$1
	shift
	timeout 10 ovs-ofctl -O OpenFlow13 --private-key="$P/$who-key.pem" \
		--certificate="$P/$who-cert.pem" --ca-cert="$P/ca-cert.pem" "$@"
}
OF=ssl:127.0.0.1:$PORT

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge" ctl add-br "$BR"
expect_fail "controller target 'pssl:$PORT:127.0.0.1' uses TLS: switch-ctl set-ssl" \
	set-controller "$BR" "pssl:$PORT:127.0.0.1"
expect_fail "does not match ssl_certificate" set-ssl "$P/ofctl-key.pem" "$P/switch-cert.pem" \
	"$P/ca-cert.pem"
expect_fail "No such file or directory" set-ssl "$P/none.pem" "$P/switch-cert.pem" "$P/ca-cert.pem"
check "set-ssl" ctl set-ssl "$P/switch-key.pem" "$P/switch-cert.pem" "$P/ca-cert.pem"
check "get-ssl shows the three files" [ "$(ctl get-ssl | grep -c "$P/")" -eq 3 ]
check "a TLS listener" ctl set-controller "$BR" "pssl:$PORT:127.0.0.1"

out=$(ofctl_as ofctl show "$OF" 2>&1)
check "ovs-ofctl over TLS: show" grep -q "n_tables:254" <<<"$out"
check "ovs-ofctl over TLS: add-flow" ofctl_as ofctl add-flow "$OF" "priority=7,ip,actions=drop"
check "ovs-ofctl over TLS: dump-flows" grep -q "priority=7,ip actions=drop" \
	<<<"$(ofctl_as ofctl dump-flows "$OF")"
check "a second client of the same CA" grep -q "n_tables:254" <<<"$(ofctl_as other show "$OF" 2>&1)"

# The refused: each must fail, and the switch go on.
refused() { ! "$@" >/dev/null 2>&1; }
check "a certificate of another CA is refused" refused timeout 10 ovs-ofctl -O OpenFlow13 \
	--private-key="$P/evil-key.pem" --certificate="$P/evil-cert.pem" \
	--ca-cert="$P/ca-cert.pem" show "$OF"
no_cert() { # a TLS client with no certificate, then garbage, then a cut record
	/usr/bin/python3 - "$PORT" "$P/ca-cert.pem" <<'PY'
import socket, ssl, sys, os
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.check_hostname = False
refused = 0
try:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        with ctx.wrap_socket(s) as t:
            t.sendall(b"\x04\x00\x00\x08\x00\x00\x00\x01")
            if not t.recv(100):
                refused += 1
except (ssl.SSLError, OSError):
    refused += 1
for junk in (os.urandom(3000), b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(40),
             b"\x04\x00\x00\x08\x00\x00\x00\x01"):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=8) as s:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
            refused += 1
    except OSError:
        refused += 1
print(refused)
PY
}
check "no certificate, random bytes, a cut record, plain OpenFlow: all closed" \
	[ "$(no_cert)" = 4 ]
check "the good client still works" grep -q "n_tables:254" <<<"$(ofctl_as ofctl show "$OF" 2>&1)"
tls_logged() { grep -qE "$BR: pssl:$PORT:127.0.0.1: closed .* failed TLS \(the last: $1" "$T/vswitchd.log"; }
wait_log() { for _ in $(seq 120); do tls_logged "$1" && return 0; sleep 0.1; done; return 1; }
check "the log sums up the TLS failures with a reason" wait_log "[a-z]"
grep -E "failed TLS" "$T/vswitchd.log" | tail -2

# os-ken as the controller, over TLS both ways.
: >"$T/osken.log"
/usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-ssl-listen-port "$CPORT" \
	--ofp-tcp-listen-port $((CPORT + 1)) --ctl-privkey "$P/osken-key.pem" \
	--ctl-cert "$P/osken-cert.pem" --ca-certs "$P/ca-cert.pem" \
	--log-file "$T/osken.log" "$APP" >/dev/null 2>&1 &
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $!"
for _ in $(seq 100); do ss -ltn | grep -q "127.0.0.1:$CPORT " && break; sleep 0.1; done
check "os-ken as a TLS controller" ctl set-fail-mode "$BR" secure \
	-- set-controller "$BR" "pssl:$PORT:127.0.0.1" "ssl:127.0.0.1:$CPORT"
osken_up() { for _ in $(seq 100); do grep -q "l2: switch" "$T/osken.log" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
check "the switch connects to os-ken over TLS" osken_up
check "os-ken installed its table-miss entry over TLS" \
	grep -q "priority=0 actions=CONTROLLER" <<<"$(ofctl_as ofctl dump-flows "$OF")"
check "the daemon is alive" alive "$(vswitchd_pid)"
# A restart with the certificate gone: the switch comes up without TLS,
# says why, and set-ssl brings TLS back.
check "stop" stop_vswitchd
mv "$P/switch-cert.pem" "$P/switch-cert.away"
check "the daemon starts without its certificate" start_vswitchd
check "and says why" grep -q "starting without it: ssl_certificate $P/switch-cert.pem" "$T/vswitchd.log"
check "the bridge is up" ctl br-exists "$BR"
mv "$P/switch-cert.away" "$P/switch-cert.pem"
tls_back() { for _ in $(seq 60); do ofctl_as ofctl show "$OF" 2>/dev/null | grep -q "n_tables:254" && return 0; sleep 0.1; done; return 1; }
check "the certificate back in place, TLS comes back by itself" tls_back
check "the log says it loaded" grep -q "TLS: key $P/switch-key.pem" <<<"$(tail -5 "$T/vswitchd.log")"
expect_fail "controller target 'pssl:$PORT:127.0.0.1' uses TLS: switch-ctl set-ssl" del-ssl
check "no warning for the TLS and loopback listeners" \
	sh -c "! grep -q 'plain-text OpenFlow listener' '$T/vswitchd.log'"
check "plain text on every address" ctl set-controller "$BR" "ptcp:$PORT:0.0.0.0"
check "the log warns about it" grep -q "ptcp:$PORT:0.0.0.0: plain-text OpenFlow listener on a non-loopback address" \
	"$T/vswitchd.log"
check "plain targets again" ctl set-controller "$BR" "ptcp:$PORT"
check "then del-ssl" ctl del-ssl
check "get-ssl shows nothing" [ "$(ctl get-ssl | grep -c /)" -eq 0 ]
finish
