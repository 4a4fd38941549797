# SPDX-License-Identifier: Apache-2.0
"""Turns os-ken switch tester logs into results and a summary.

  conformance_report.py DIR LOG      prints DIR, file, test, OK/ERROR, reason
                                     (tab-separated) for every test in LOG
  conformance_report.py --summary TSV
                                     pass counts per directory and the
                                     failures grouped by reason
  conformance_report.py --missing PATTERNS DIR TSV
                                     a failed row for every test of the
                                     pattern files of DIR that has no
                                     result in TSV (the tester never
                                     reached it), so the total is always
                                     what the patterns hold
"""
import collections
import glob
import json
import os
import re
import sys

RESULT = re.compile(r"^    (\S.*?)\s+(OK|ERROR)$")


def parse(directory, path):
    current = "?"
    last = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if "--- Test report ---" in line or "---  Test end  ---" in line:
                break
            m = RESULT.match(line)
            if m:
                if last:
                    yield last
                last = [directory, current, m.group(1), m.group(2), ""]
            elif line.startswith("        ") and last and last[3] == "ERROR" and not last[4]:
                last[4] = line.strip()
            elif line and not line.startswith(" ") and ": " in line and \
                    line.split(":", 1)[0] in ("action", "match", "group", "meter"):
                if last:
                    yield last
                    last = None
                current = line.split(": ", 1)[1].strip()
    if last:
        yield last


def missing(patterns, directory, tsv):
    found = collections.Counter()
    with open(tsv) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0] == directory:
                found[cols[1]] += 1
    paths = glob.glob(os.path.join(patterns, directory, "**", "*.json"), recursive=True)
    for path in sorted(paths):
        with open(path) as f:
            doc = json.load(f)
        if not isinstance(doc, list) or not doc or not isinstance(doc[0], str):
            continue
        name = doc[0].split(": ", 1)[-1].strip()
        tests = [t for t in doc[1:] if isinstance(t, dict) and "description" in t]
        for i in range(len(tests) - found[name], 0, -1):
            t = tests[len(tests) - i]
            yield [directory, name, t["description"], "ERROR",
                   "no result: the tester never reached this test"]


def reason_class(reason):
    """The reason without the values that differ test to test."""
    r = re.sub(r"\(.*", "(...)", reason)
    return r[:160]


def summary(path):
    per_dir = collections.OrderedDict()
    reasons = collections.Counter()
    with open(path) as f:
        for line in f:
            d, file, test, result, reason = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
            top = d.split("/")[0]
            ok, total = per_dir.get(top, (0, 0))
            per_dir[top] = (ok + (result == "OK"), total + 1)
            if result != "OK":
                reasons[(file, reason_class(reason))] += 1
    all_ok = sum(v[0] for v in per_dir.values())
    all_n = sum(v[1] for v in per_dir.values())
    for d, (ok, n) in per_dir.items():
        print("%-8s %4d of %4d passed" % (d, ok, n))
    print("%-8s %4d of %4d passed" % ("total", all_ok, all_n))
    if reasons:
        print("\nfailures by file and reason:")
        for (file, reason), n in sorted(reasons.items()):
            print("  %3d  %-28s %s" % (n, file, reason))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--summary":
        summary(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "--missing":
        for row in missing(sys.argv[2], sys.argv[3], sys.argv[4]):
            print("\t".join(str(x).replace("\t", " ") for x in row))
    elif len(sys.argv) == 3:
        for row in parse(sys.argv[1], sys.argv[2]):
            print("\t".join(x.replace("\t", " ") for x in row))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
