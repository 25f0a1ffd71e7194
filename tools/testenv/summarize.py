#!/usr/bin/env python3
"""Prints 'N passed, N failed' from the real results of a bazel test run.

Reads each test target's test.xml under bazel-testlogs/ and counts individual
test cases (gtest cases, or one case for a script test). A target that has no
test.xml (it failed to build or never ran) counts as one failure.
Usage: summarize.py <testlogs-dir> <target>...
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def count(xml_path):
    passed = failed = skipped = 0
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif (case.get("result") == "skipped" or case.get("status") == "notrun"
              or case.find("skipped") is not None):
            skipped += 1
        else:
            passed += 1
    if passed + failed + skipped == 0:
        # An empty report from a failed run is not a pass.
        suites = list(root.iter("testsuite")) or [root]
        errs = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
        failed = max(1, errs)
    return passed, failed, skipped


def main():
    logs, targets = sys.argv[1], sys.argv[2:]
    totals = [0, 0, 0]
    broken = []
    for target in targets:
        pkg, _, name = target.lstrip("/").partition(":")
        base = os.path.join(logs, pkg, name)
        # Plain runs write test.xml; shards and --runs_per_test write one per
        # shard_N_of_M / run_N_of_M folder.
        top = os.path.join(base, "test.xml")
        paths = sorted(glob.glob(os.path.join(base, "*_of_*", "test.xml")))
        # Per-run folders left by an earlier --runs_per_test invocation are
        # stale once a plain run rewrote the top-level report.
        if not paths or (os.path.exists(top) and os.path.getmtime(top) >
                         max(os.path.getmtime(p) for p in paths) + 1):
            paths = [top]
        if not os.path.exists(paths[0]):
            totals[1] += 1
            broken.append(target)
            continue
        for path in paths:
            for i, n in enumerate(count(path)):
                totals[i] += n
    for t in broken:
        print(f"no result (did not build or run): {t}", file=sys.stderr)
    line = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        line += f", {totals[2]} skipped"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
