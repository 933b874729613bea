"""Derive autograder/data/mauna_loa_co2_monthly.json from the Scripps weekly Mauna Loa CO2 file.

The course ships the derived file; nothing is downloaded when a notebook runs. This
script is how the file was made, so anyone can redo it from the original:

    python -m pip download statsmodels==0.15.0 --no-deps -d /tmp/sm
    cd /tmp/sm && python -m zipfile -e statsmodels-0.15.0-*.whl .
    .venv/bin/python scripts/make_co2_monthly.py /tmp/sm/statsmodels/datasets/co2/src/maunaloa_c.dat

The original is ``maunaloa_c.dat``: weekly averages of continuous CO2 measurements at the
Mauna Loa Observatory, March 1958 to December 2001, from the Carbon Dioxide Research
Group, Scripps Institution of Oceanography (file dated September 2004), as statsmodels
ships it for its ``co2`` dataset (statsmodels says: public domain). Its SHA-256 is checked
below, so a different file is refused rather than silently turned into other numbers.

What the script does, in order:

1. reads the data rows (``MLO  YYMMDD  weight  flag  ppm``; every flag in the file is 0);
2. puts each weekly average in the calendar month of its date, and takes the month's mean
   weighted by the days each weekly average is based on (the file's Weight column), so a
   month's value is the mean over the days measured in it;
3. fills the 5 months with no weekly average (1958-06, 1958-10, 1964-02 to 1964-04) by
   linear interpolation between the neighbouring months, and marks them ``filled``;
4. rounds to 0.01 ppm (the weekly values are given to 0.1 ppm) and writes the JSON.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "autograder" / "data" / "mauna_loa_co2_monthly.json"
ORIGINAL_SHA256 = "3534a5022f756e0c5b18a55f07160bfb3f40a54dba76e47de9ae570daea87bdb"
FIRST, LAST = (1958, 3), (2001, 12)

SOURCE = ("Weekly averages of continuous CO2 measurements at Mauna Loa Observatory, Hawaii, March 1958 to "
          "December 2001 (file maunaloa_c.dat, September 2004), Carbon Dioxide Research Group, Scripps "
          "Institution of Oceanography, University of California, San Diego; as shipped in statsmodels 0.15.0 "
          "(statsmodels/datasets/co2/src/maunaloa_c.dat). Citation: Keeling, C.D. and T.P. Whorf (2004). "
          "Atmospheric CO2 concentrations derived from flask air samples at sites in the SIO network. In Trends: "
          "A Compendium of Data on Global Change. Carbon Dioxide Information Analysis Center, Oak Ridge National "
          "Laboratory, U.S. Department of Energy, Oak Ridge, Tennessee, U.S.A.")
LICENCE = "Public domain (statsmodels' datasets.co2 COPYRIGHT: 'This is public domain.')."
METHOD = ("Monthly means of the weekly averages dated in each calendar month, weighted by the days behind each "
          "weekly average (the Weight column); the 5 months without any weekly average are linearly interpolated "
          "between their neighbours and marked filled; rounded to 0.01 ppm. Made by scripts/make_co2_monthly.py.")


def read_weekly(text: str) -> list[tuple[int, int, int, float]]:
    """(year, month, days, ppm) of every data row of maunaloa_c.dat."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 5 or parts[0] != "MLO":
            continue
        date, days, flag, ppm = parts[1], int(parts[2]), int(parts[3]), float(parts[4])
        if flag != 0:
            raise ValueError(f"row {line!r}: expected flag 0 (every row of the 2004 file has it), got {flag}")
        yy = int(date[:2])
        rows.append((1900 + yy if yy >= 50 else 2000 + yy, int(date[2:4]), days, ppm))
    if not rows:
        raise ValueError("no data rows (expected lines like 'MLO    580329   4    0         316.10')")
    return rows


def monthly(rows) -> tuple[list[str], list[float], list[bool]]:
    by_month = defaultdict(list)
    for year, month, days, ppm in rows:
        by_month[(year, month)].append((days, ppm))
    months = [(y, m) for y in range(FIRST[0], LAST[0] + 1) for m in range(1, 13) if FIRST <= (y, m) <= LAST]
    values = [sum(d * v for d, v in by_month[k]) / sum(d for d, _ in by_month[k]) if k in by_month else None
              for k in months]
    filled = [v is None for v in values]
    known = [i for i, v in enumerate(values) if v is not None]
    for i, v in enumerate(values):
        if v is None:                                        # linear between the nearest known months
            lo = max(j for j in known if j < i)
            hi = min(j for j in known if j > i)
            values[i] = values[lo] + (values[hi] - values[lo]) * (i - lo) / (hi - lo)
    return [f"{y:04d}-{m:02d}" for y, m in months], [round(v, 2) for v in values], filled


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("original", type=Path, help="path of maunaloa_c.dat (from the statsmodels 0.15.0 wheel)")
    p.add_argument("--out", type=Path, default=OUT, help=f"where to write the JSON (default {OUT.relative_to(REPO)})")
    args = p.parse_args(argv)
    try:
        raw = args.original.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.original}: {exc}", file=sys.stderr)
        return 2
    sha = hashlib.sha256(raw).hexdigest()
    if sha != ORIGINAL_SHA256:
        print(f"{args.original}: SHA-256 {sha}, expected {ORIGINAL_SHA256} (maunaloa_c.dat of statsmodels 0.15.0)",
              file=sys.stderr)
        return 2
    months, ppm, filled = monthly(read_weekly(raw.decode("ascii")))
    doc = {"title": "Monthly mean atmospheric CO2 at Mauna Loa Observatory, Hawaii", "units": "ppm (mole fraction, "
           "1999 calibration scale)", "source": SOURCE, "licence": LICENCE, "method": METHOD,
           "original_sha256": sha, "months": months, "ppm": ppm, "filled": filled}
    # one month per line, so a diff of the file shows which months changed
    body = ",\n".join(f'  [{json.dumps(m)}, {v:.2f}, {json.dumps(f)}]' for m, v, f in zip(months, ppm, filled))
    head = {k: v for k, v in doc.items() if k not in ("months", "ppm", "filled")}
    text = json.dumps(head, indent=1)[:-2] + ',\n "columns": ["month", "ppm", "filled"],\n "rows": [\n' + body + "\n ]\n}\n"
    json.loads(text)                                         # the file is valid JSON
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(months)} months {months[0]}..{months[-1]}, {sum(filled)} filled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
