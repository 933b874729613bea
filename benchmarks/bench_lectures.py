"""Time every lecture notebook run top to bottom, against the 60 s a lecture may take.

Usage: python benchmarks/bench_lectures.py [--repeats 1]

Each lecture in course/ is executed headless with nbclient (its own folder as working
directory), as a student's Run All does. Printed per lecture: the wall time, the kernel's
CPU time (user + system, all its threads), and both as a fraction of the 60 s budget.
Also printed: the machine's load average before and after, since a shared machine's wall
time measures its neighbours too. The tests only guard against a hang; the budget is
checked here.
"""
import argparse
import json
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

COURSE = Path(__file__).resolve().parents[1] / "course"
BUDGET_S = 60.0
CPU = ("import resource as _r\n_u = _r.getrusage(_r.RUSAGE_SELF)\n"
       "print('@@CPU@@' + str(_u.ru_utime + _u.ru_stime))")


def run(path: Path) -> tuple[float, float]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CPU))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(COURSE)}})
    t0 = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - t0
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return wall, float(text.split("@@CPU@@", 1)[1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=1, help="runs per lecture; the fastest is reported")
    args = p.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'lecture':<40} {'wall s':>7} {'cpu s':>7} {'wall/60s':>9} {'cpu/60s':>8}")
    rows = {}
    for path in sorted(COURSE.glob("*.ipynb")):
        wall, cpu = min(run(path) for _ in range(args.repeats))
        rows[path.name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
        print(f"{path.name:<40} {wall:7.1f} {cpu:7.1f} {wall / BUDGET_S:9.2f} {cpu / BUDGET_S:8.2f}")
    worst = max(max(r["wall_s"], r["cpu_s"]) for r in rows.values())
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"slowest lecture: {worst:.1f} s = {worst / BUDGET_S:.2f} of the {BUDGET_S:.0f} s budget")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
