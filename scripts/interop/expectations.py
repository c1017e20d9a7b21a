"""Shared parts of the Arrow checks: the expected values of a column and their comparison, and
the driver that compares pairs of (Arrow file, expectation JSON) and reports the mismatches."""
import json
import math
import sys


def expected_values(spec):
    """The column's expected values as Python values (floats parsed from their text)."""
    if spec["type"] == "float64":
        return [None if v is None else float(v) for v in spec["values"]]
    return spec["values"]


def same_values(actual, expected):
    """Equal lists, where NaN equals NaN."""
    if len(actual) != len(expected):
        return False
    for a, e in zip(actual, expected):
        if isinstance(a, float) and isinstance(e, float) and math.isnan(a) and math.isnan(e):
            continue
        if a != e or isinstance(a, bool) != isinstance(e, bool):
            return False
    return True


def report(problems):
    """Prints each mismatch and exits non-zero when there was any; prints "ok" otherwise."""
    for p in problems:
        print("MISMATCH", p)
    if problems:
        sys.exit(1)
    print("ok")


def run_checks(pairs, check):
    """Runs check(path, expected) on every (path, expectation path) pair and reports the
    mismatches of all of them."""
    problems = []
    for path, expected_path in pairs:
        with open(expected_path) as f:
            expected = json.load(f)
        problems += [f"{path} {p}" for p in check(path, expected)]
    report(problems)
