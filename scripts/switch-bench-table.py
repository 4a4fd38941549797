#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Markdown tables from a switch-bench --json report (docs/performance.md).

  switch-bench-table.py REPORT.json

One row per case: received Mpps, median (min-max), busy cycles per packet,
loss, and the zero-loss (or other) search rates when the report has them.
With --against ovs, one row per switch and case and the ratio
vswitch / Open vSwitch beside them."""
import json
import sys


def fmt_rate(summary):
    rx = summary.get("rx_mpps")
    if not rx:
        return "no valid trial"
    return "%.2f (%.2f-%.2f)" % (rx["median"], rx["min"], rx["max"])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: switch-bench-table.py REPORT.json")
    with open(sys.argv[1]) as f:
        r = json.load(f)
    cfg = r["config"]
    losses = cfg["loss_pct"] if cfg["mode"] == "search" or any(
        "searches" in c for c in r["cases"]) else []
    ratios = {(c["size"], c["flows"]): c for c in r.get("comparisons", [])}
    head = ["switch", "frame", "flows", "rx Mpps median (min-max)", "busy cycles/packet",
            "loss %"]
    head += ["rate at %g %% loss, Mpps" % l for l in losses]
    if ratios:
        head += ["vswitch / OVS"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for c in r["cases"]:
        s = c["summary"]
        row = [c.get("switch", "vswitch"), c["size"], "{:,}".format(c["flows"]), fmt_rate(s),
               "%.0f" % s["busy_cycles_per_packet"]["median"] if s.get("busy_cycles_per_packet")
               else "-", "%.4f" % s["loss_pct"]["median"] if s.get("loss_pct") else "-"]
        dirs = {"p2p": 1, "pvp": 1, "vm2vm-bi": 2}[c["topology"]]
        for i, _ in enumerate(losses):
            srch = c.get("searches", [])
            row.append("%.2f" % (srch[i]["rate_pps"] * dirs / 1e6) if i < len(srch) else "-")
        if ratios:
            k = ratios.get((c["size"], c["flows"]))
            if c.get("switch") == "ovs" and k:
                parts = []
                if k["rx_mpps_ratio"] is not None:
                    parts.append("rx x%.2f, cycles x%.2f" % (k["rx_mpps_ratio"],
                                                            k["busy_cycles_per_packet_ratio"]))
                parts += ["at %g %%: x%.2f" % (x["loss_pct_max"], x["ratio"])
                          for x in k["search_rate_ratios"]]
                row.append("; ".join(parts))
            else:
                row.append("")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
