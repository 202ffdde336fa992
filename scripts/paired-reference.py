#!/usr/bin/python3
"""Writes internal/report/testdata/paired.json: scipy's paired t-test and
Wilcoxon signed-rank test of a few fixed paired samples, which
internal/report's TestPairedReference checks PairedTTest and
WilcoxonSignedRank against. The Go tests read the JSON and need no Python.

    apt-get install -y python3-scipy
    /usr/bin/python3 scripts/paired-reference.py

The signed-rank test is asked for the method runner uses (see
WilcoxonSignedRank): exact when no difference is zero, none are tied and
there are at most 50; otherwise the normal approximation with zeros dropped
(zero_method "wilcox"), the tie correction and a continuity correction
(correction=True). Asked for "auto", scipy's choice depends on its version.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

# Each case: a name and two paired samples, a and b; the tests are of b - a.
# Values are written as decimal literals: Go parses them to the same doubles.
CASES = [
    # Final test accuracies of five seeds, b better on every seed.
    ("five seeds, b better", [0.9412, 0.9387, 0.9440, 0.9401, 0.9425],
     [0.9455, 0.9420, 0.9462, 0.9449, 0.9451]),
    # Six seeds, all differences of one sign: the exact p is 2/2^6.
    ("six seeds, one sign", [0.801, 0.812, 0.795, 0.820, 0.808, 0.799],
     [0.811, 0.817, 0.809, 0.822, 0.815, 0.803]),
    # Six seeds, mixed signs, no ties: exact.
    ("six seeds, mixed", [0.9612, 0.9598, 0.9630, 0.9605, 0.9621, 0.9590],
     [0.9631, 0.9589, 0.9652, 0.9611, 0.9606, 0.9613]),
    # Eight pairs with tied absolute differences (1, 1, 2, 2, 2, 3, ...):
    # the normal approximation with the tie correction.
    ("eight pairs, ties", [10, 12, 11, 14, 13, 10, 15, 12],
     [11, 11, 13, 16, 15, 13, 19, 17]),
    # Seven pairs, two zero differences: dropped by zero_method "wilcox".
    ("seven pairs, zeros", [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1],
     [0.5, 0.9, 0.7, 1.3, 1.6, 1.2, 1.0]),
    # Ten pairs with zeros and ties, b worse.
    ("ten pairs, zeros and ties", [3, 5, 4, 6, 5, 7, 6, 8, 4, 5],
     [3, 4, 2, 6, 3, 5, 3, 8, 1, 4]),
    # Twelve pairs, no ties: exact, with the t-test's p well apart.
    ("twelve pairs", [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30, 0.71, 2.14, 1.22],
     [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.15, 1.29, 0.79, 1.94, 0.93]),
    # 60 pairs, no ties: more than 50, the normal approximation.
    ("sixty pairs", [round(0.1 * i, 1) for i in range(60)],
     [round(0.1 * i + (-1) ** i * (0.013 * i + 0.001) + 0.02, 4) for i in range(60)]),
]


def signed_rank_method(d):
    nonzero = d[d != 0]
    ties = len(np.unique(np.abs(nonzero))) < len(nonzero)
    if (d == 0).any() or ties or len(nonzero) > 50:
        return "approx"
    return "exact"


def main():
    out = {"scipy": scipy.__version__, "cases": []}
    for name, a, b in CASES:
        x, y = np.array(a, dtype=float), np.array(b, dtype=float)
        d = y - x
        t = stats.ttest_rel(y, x)
        method = signed_rank_method(d)
        w = stats.wilcoxon(y, x, zero_method="wilcox", correction=(method == "approx"),
                           alternative="two-sided", method=method)
        case = {
            "name": name, "a": a, "b": b,
            "t": float(t.statistic), "df": len(a) - 1, "t_p": float(t.pvalue),
            "w": float(w.statistic), "w_p": float(w.pvalue), "exact": method == "exact",
            "zeros": int((d == 0).sum()),
        }
        if method == "approx":
            case["z"] = float(w.zstatistic)
        out["cases"].append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "internal", "report", "testdata", "paired.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {os.path.relpath(path)}", file=sys.stderr)


if __name__ == "__main__":
    main()
