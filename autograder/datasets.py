"""Real data the course's notebooks use, shipped in ``autograder/data`` with the package.

Nothing is downloaded when a notebook runs: the file is part of the ``autograder``
package, which the lectures and the assignments import anyway, and it travels in the
student kit's wheel (package data ``data/*.json``). Where each file comes from, its
licence and how it was derived are written in the file itself and beside it
(``data/<name>.md``); the script that derived it is in ``scripts/``.

- ``mauna_loa_co2()``: monthly mean CO2 at Mauna Loa, March 1958 to December 2001
  (lecture 07, assignment a6's forecaster).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CO2_FILE = DATA / "mauna_loa_co2_monthly.json"


@dataclass(frozen=True)
class MonthlySeries:
    """A monthly series: ``months`` ("YYYY-MM", consecutive), ``values`` (numpy float array),
    ``filled`` (numpy bool array: months without a measurement, interpolated), and the
    file's ``units``, ``source``, ``licence`` and ``method``."""

    months: tuple
    values: object
    filled: object
    units: str
    source: str
    licence: str
    method: str

    @property
    def month_of_year(self):
        """Calendar month of every entry, 1..12 (numpy int array)."""
        import numpy as np

        return np.array([int(m[5:7]) for m in self.months])


def mauna_loa_co2(path: str | Path = CO2_FILE) -> MonthlySeries:
    """Monthly mean atmospheric CO2 at Mauna Loa Observatory (ppm), 1958-03 to 2001-12."""
    import numpy as np

    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("columns") != ["month", "ppm", "filled"]:
        raise ValueError(f"{path}: expected columns ['month', 'ppm', 'filled'], got {doc.get('columns')!r}")
    months, ppm, filled = zip(*doc["rows"])
    return MonthlySeries(months=tuple(months), values=np.array(ppm, dtype=float), filled=np.array(filled, dtype=bool),
                         units=doc["units"], source=doc["source"], licence=doc["licence"], method=doc["method"])
