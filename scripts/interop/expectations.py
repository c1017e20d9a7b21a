"""Shared driver of the Arrow checks: pairs of (Arrow file, expectation JSON) from the command line,
each compared by a check function that returns a list of mismatches."""
import json
import sys


def run_checks(pairs, check):
    """Runs check(path, expected) on every (path, expectation path) pair, prints each mismatch and
    exits non-zero when there was any; prints "ok" otherwise."""
    failed = False
    for path, expected_path in pairs:
        with open(expected_path) as f:
            expected = json.load(f)
        problems = check(path, expected)
        for p in problems:
            print("MISMATCH", path, p)
        failed = failed or bool(problems)
    if failed:
        sys.exit(1)
    print("ok")
