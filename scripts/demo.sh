#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the switch's default demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "$(nproc)"
# Until the daemon lands, the demo is the datapath micro-benchmark: the real
# pipeline on synthetic packets, cycles per packet and Mpps per case.
echo "demo: datapath micro-benchmark (build/bin/dp-bench --help for options)"
./build/bin/dp-bench --runs 3 --packets 2000000
