"""Time the numpy reference LSTM and GRU (forward + backward) against PyTorch on the CPU.

Usage: python benchmarks/bench_reference.py [--threads 2] [--repeats 7] [--N 64 --T 100 --D 32 --H 128]

Both sides do the same work: a forward over the whole sequence and the backward of
loss = sum(h * dh) with gradients for x, h0 and all weights. Torch runs nn.LSTM / nn.GRU
(single layer, batch_first) with autograd. The numpy GRU is the course's convention
(reset before the matmul), torch's GRU resets after it; the costs are the same shape.

Threads: the comparison is fair only with the same number of threads on both sides, so
the script sets OpenBLAS/OpenMP/MKL thread counts (before numpy is imported) and
torch.set_num_threads to --threads, and prints what was in effect. Each timing is the
best of --repeats runs after one warm-up, numpy and torch runs interleaved. Target: numpy / torch <= 1.5.
"""
import argparse
import os
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2, help="BLAS and torch intra-op threads (default 2)")
    p.add_argument("--repeats", type=int, default=7, help="timed runs per entry; the best is reported")
    for name, default in (("N", 64), ("T", 100), ("D", 32), ("H", 128)):
        p.add_argument(f"--{name}", type=int, default=default)
    return p.parse_args(argv)


def best_times(fns, repeats):
    """Best wall time of each function; runs are interleaved so that a burst of load from
    other processes hits all of them alike."""
    for fn in fns:
        fn()                                              # warm-up
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def main(argv=None):
    args = parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)               # must happen before numpy loads BLAS
    if "numpy" in sys.modules:
        print("warning: numpy was imported before the thread settings; BLAS may use other counts")
    import numpy as np
    import torch

    from solutions import gru_backward, gru_forward, lstm_backward, lstm_forward

    torch.set_num_threads(args.threads)
    N, T, D, H = args.N, args.T, args.D, args.H
    print(f"N={N} T={T} D={D} H={H}; best of {args.repeats}; forward + backward of sum(h * dh)")
    print(f"threads: OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']} "
          f"torch.get_num_threads()={torch.get_num_threads()}; numpy {np.__version__}, torch {torch.__version__}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'cell':<6}{'dtype':<9}{'numpy ms':>10}{'torch ms':>10}{'numpy/torch':>13}")
    ratios = []
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
        for cell, k, fwd, bwd, module in (("LSTM", 4, lstm_forward, lstm_backward, torch.nn.LSTM),
                                          ("GRU", 3, gru_forward, gru_backward, torch.nn.GRU)):
            x = rng.normal(size=(N, T, D)).astype(dtype)
            h0 = rng.normal(size=(N, H)).astype(dtype)
            Wx = (rng.normal(size=(D, k * H)) / np.sqrt(D)).astype(dtype)
            Wh = (rng.normal(size=(H, k * H)) / np.sqrt(H)).astype(dtype)
            b = np.zeros(k * H, dtype)
            dh = rng.normal(size=(N, T, H)).astype(dtype)

            def run_numpy():
                h, cache = fwd(x, h0, Wx, Wh, b)
                return bwd(dh, cache)

            net = module(D, H, batch_first=True).to(tdtype)
            tx = torch.from_numpy(x).requires_grad_(True)
            th0 = torch.from_numpy(h0)[None].requires_grad_(True)
            tdh = torch.from_numpy(dh)
            state = (th0, torch.zeros_like(th0)) if cell == "LSTM" else th0

            def run_torch():
                tx.grad = th0.grad = None
                net.zero_grad(set_to_none=True)
                out, _ = net(tx, state)
                (out * tdh).sum().backward()

            t_np, t_torch = best_times([run_numpy, run_torch], args.repeats)
            ratios.append(t_np / t_torch)
            print(f"{cell:<6}{np.dtype(dtype).name:<9}{t_np * 1e3:>10.1f}{t_torch * 1e3:>10.1f}{t_np / t_torch:>13.2f}")
    worst = max(ratios)
    print(f"worst ratio {worst:.2f} (target <= 1.5): {'met' if worst <= 1.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
