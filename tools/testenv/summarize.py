#!/usr/bin/env python3
"""Counts real test results and prints 'N passed, N failed'.

Three modes, so tools/test.sh can add up several runs (plain, sanitizers,
fuzzers, lint) into the one line CI reads:

  summarize.py <testlogs-dir> <target>...
      Reads each target's test.xml under the bazel-testlogs dir and counts
      individual test cases (gtest cases, or one case for a script test). A
      target that has no test.xml (it failed to build or never ran) counts as
      one failure. Prints the line.
  summarize.py --record <tally> <label> <testlogs-dir> <target>...
      The same, but also appends the counts to the tally file, labelled.
  summarize.py --check <tally> <label> pass|fail
      Appends one check that is not a bazel test (a fuzzer run, clang-tidy,
      the secrets scan) to the tally.
  summarize.py --total <tally>
      Prints each label's counts on stderr and the grand total on stdout.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def count(xml_path, failures=None):
    passed = failed = skipped = 0
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            if failures is not None:
                failures.append(f"{case.get('classname', '')}.{case.get('name', '')}")
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


def count_targets(logs, targets, label="", failed_targets=()):
    totals = [0, 0, 0]
    broken = []
    failing = []
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
            cases = []
            counts = count(path, cases)
            for i, n in enumerate(counts):
                totals[i] += n
            if counts[1]:
                failing.append(f"{target} ({', '.join(cases) or 'no test case'})")
            elif target in failed_targets:
                # Every case passed but the binary failed after them (a
                # LeakSanitizer report at exit, a crash in teardown): Bazel
                # said FAILED, and so do we.
                totals[1] += 1
                failing.append(f"{target} (exited non-zero after its cases; "
                               "see its test.log)")
    for t in broken:
        print(f"no result (did not build or run): {t}", file=sys.stderr)
    # Named again at the very end of the run (--total): CI shows the tail.
    for t in failing:
        print(f"FAILED {label}: {t}", file=sys.stderr)
    return totals, [f"{label}: {t}" for t in failing + broken]


def line(totals):
    text = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        text += f", {totals[2]} skipped"
    return text


def main(argv):
    if argv and argv[0] == "--record":
        failed_targets = set()
        if len(argv) > 2 and argv[1] == "--failed-targets":
            # Targets bazel reported FAILED (its summary lines), from a file.
            with open(argv[2]) as f:
                for row in f:
                    failed_targets.add(row.strip())
            argv = argv[:1] + argv[3:]
        tally, label, logs, targets = argv[1], argv[2], argv[3], argv[4:]
        totals, failing = count_targets(logs, targets, label, failed_targets)
        with open(tally, "a") as f:
            f.write(f"{label}\t{totals[0]}\t{totals[1]}\t{totals[2]}\n")
        with open(tally + ".failing", "a") as f:
            f.writelines(t + "\n" for t in failing)
        print(f"{label}: {line(totals)}")
        return 0
    if argv and argv[0] == "--check":
        tally, label, outcome = argv[1], argv[2], argv[3]
        ok = outcome == "pass"
        with open(tally, "a") as f:
            f.write(f"{label}\t{int(ok)}\t{int(not ok)}\t0\n")
        return 0
    if argv and argv[0] == "--total":
        totals = [0, 0, 0]
        with open(argv[1]) as f:
            for row in f:
                label, *counts = row.rstrip("\n").split("\t")
                counts = [int(c) for c in counts]
                print(f"  {label}: {line(counts)}", file=sys.stderr)
                totals = [a + b for a, b in zip(totals, counts)]
        if os.path.exists(argv[1] + ".failing"):
            with open(argv[1] + ".failing") as f:
                for row in f:
                    print(f"  failed in {row.rstrip()}", file=sys.stderr)
        print(line(totals))
        return 0
    print(line(count_targets(argv[0], argv[1:])[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
