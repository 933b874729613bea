"""Drawing and demo helpers shared by the lecture notebooks (course/*.ipynb).

The notebooks import them with ``from lecture_utils import ...`` (JupyterLab and
nbclient run a notebook with its own folder as the working directory). Everything here
draws or displays; the recurrences themselves are written out in the notebooks, where
they are the subject of the lecture.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Circle


def sigmoid(z):
    """Numerically stable logistic function, elementwise: 1 / (1 + exp(-z))."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out if out.ndim else float(out)


def _box(ax, xy, w, h, text, color="#dbe9f6", fontsize=11, edge="#1f4e79"):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                fc=color, ec=edge, lw=1.5))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, color="black", text=None, text_offset=(0, 0), rad=0.0, lw=1.4, fontsize=10):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color, lw=lw,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0))
    if text:
        mx, my = (start[0] + end[0]) / 2 + text_offset[0], (start[1] + end[1]) / 2 + text_offset[1]
        ax.text(mx, my, text, ha="center", va="center", fontsize=fontsize, color=color)


def draw_rnn_unrolled(T: int = 4, ax=None):
    """Draw an RNN folded (left, with its loop) and unrolled for T steps (right).

    Each step is the same cell with the same Wx, Wh, b: the weights are shared. Returns the figure.
    """
    if not isinstance(T, (int, np.integer)) or not 1 <= T <= 8:
        raise ValueError(f"T must be an int from 1 to 8 (the drawing gets unreadable beyond), got {T!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.2 + 2.0 * T, 3.6))
    else:
        fig = ax.figure
    w, h = 1.1, 0.8
    # folded cell with its recurrent loop
    _box(ax, (0, 0), w, h, "RNN\ncell", color="#fde9d9", edge="#843c0c")
    _arrow(ax, (0, -1.45), (0, -h / 2), text="$x_t$", text_offset=(-0.25, -0.35))
    _arrow(ax, (0, h / 2), (0, 1.45), text="$y_t$", text_offset=(-0.25, 0.35))
    ax.add_patch(FancyArrowPatch((w / 2, 0.15), (w / 2, -0.15), arrowstyle="-|>", mutation_scale=12,
                                 connectionstyle="arc3,rad=-2.2", lw=1.4, color="#843c0c"))
    ax.text(w / 2 + 0.55, 0, "$W_h$", fontsize=10, color="#843c0c", va="center")
    ax.text(1.65, 0, "=", fontsize=22, ha="center", va="center")
    # unrolled chain
    x0 = 2.6
    ax.text(x0 - 0.15, 0, "$h_0$", ha="right", va="center", fontsize=11)
    prev = (x0, 0)
    for t in range(1, T + 1):
        cx = x0 + 0.9 + (t - 1) * 2.0
        _box(ax, (cx, 0), w, h, f"cell\nstep {t}")
        _arrow(ax, (prev[0], 0), (cx - w / 2, 0), color="#1f4e79",
               text=f"$h_{{{t - 1}}}$" if t > 1 else None, text_offset=(0, 0.2))
        _arrow(ax, (cx, -1.45), (cx, -h / 2), text=f"$x_{{{t}}}$", text_offset=(-0.28, -0.35))
        _arrow(ax, (cx, h / 2), (cx, 1.45), text=f"$y_{{{t}}}$", text_offset=(-0.28, 0.35))
        prev = (cx + w / 2, 0)
    _arrow(ax, prev, (prev[0] + 0.8, 0), color="#1f4e79", text=f"$h_{{{T}}}$", text_offset=(0, 0.2))
    ax.text(x0 + 0.9 + (T - 1), -2.0, "the same $W_x, W_h, b$ in every step (weight sharing)",
            ha="center", fontsize=10, style="italic")
    ax.set_xlim(-1.0, prev[0] + 1.0)
    ax.set_ylim(-2.3, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"An RNN unrolled through time (T = {T})")
    return fig


def draw_lstm_cell(ax=None):
    """Draw one LSTM cell: the cell-state line on top, the four gates below, h at the bottom.

    Returns the figure.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 5.6))
    else:
        fig = ax.figure
    # outer cell
    ax.add_patch(FancyBboxPatch((0.4, 0.4), 8.6, 4.6, boxstyle="round,pad=0.05,rounding_size=0.3",
                                fc="#f7f7f7", ec="#555555", lw=1.5))
    top, bottom = 4.2, 1.0
    # cell state highway
    _arrow(ax, (-0.6, top), (10.0, top), color="#843c0c", lw=2.5)
    ax.text(-0.7, top + 0.3, "$C_{t-1}$", fontsize=12, color="#843c0c")
    ax.text(9.5, top + 0.3, "$C_t$", fontsize=12, color="#843c0c")
    # hidden state in, out
    _arrow(ax, (-0.6, bottom), (1.0, bottom), color="#1f4e79", lw=1.8)
    ax.text(-0.7, bottom - 0.45, "$h_{t-1}$", fontsize=12, color="#1f4e79")
    _arrow(ax, (1.0, -0.4), (1.0, bottom), lw=1.8)
    ax.text(1.15, -0.35, "$x_t$", fontsize=12)
    ax.plot([1.0, 6.6], [bottom, bottom], color="#1f4e79", lw=1.8)
    ax.text(1.2, bottom + 0.15, "$[h_{t-1}, x_t]$", fontsize=9, color="#1f4e79")
    gates = [(2.2, "$f_t$\nσ", "forget"), (3.6, "$i_t$\nσ", "input"), (4.8, "$\\tilde C_t$\ntanh", "candidate"),
             (6.6, "$o_t$\nσ", "output")]
    for gx, label, name in gates:
        _box(ax, (gx, 2.1), 0.9, 0.8, label, color="#e2f0d9", edge="#38761d", fontsize=10)
        ax.plot([gx, gx], [bottom, 2.1 - 0.4], color="#1f4e79", lw=1.4)
        ax.text(gx, 1.45, name, ha="center", fontsize=8, color="#38761d",
                bbox=dict(fc="#f7f7f7", ec="none", pad=0.5))

    def op(x, y, sym):
        ax.add_patch(Circle((x, y), 0.27, fc="white", ec="black", lw=1.4))
        ax.text(x, y, sym, ha="center", va="center", fontsize=13)

    op(2.2, top, "×")
    _arrow(ax, (2.2, 2.5), (2.2, top - 0.27))
    op(4.2, 3.2, "×")
    _arrow(ax, (3.6, 2.5), (4.2 - 0.22, 3.2 - 0.15))
    _arrow(ax, (4.8, 2.5), (4.2 + 0.22, 3.2 - 0.15))
    op(4.2, top, "+")
    _arrow(ax, (4.2, 3.2 + 0.27), (4.2, top - 0.27))
    # output path: tanh(C_t) times o_t
    _box(ax, (7.8, 3.3), 0.9, 0.5, "tanh", color="#fff2cc", edge="#7f6000", fontsize=10)
    _arrow(ax, (7.8, top), (7.8, 3.3 + 0.25))
    op(7.8, 2.1, "×")
    _arrow(ax, (7.8, 3.3 - 0.25), (7.8, 2.1 + 0.27))
    _arrow(ax, (6.6 + 0.45, 2.1), (7.8 - 0.27, 2.1))
    ax.plot([7.8, 7.8], [2.1 - 0.27, bottom], color="#1f4e79", lw=1.8)
    _arrow(ax, (7.8, bottom), (10.0, bottom), color="#1f4e79", lw=1.8)
    ax.text(9.5, bottom - 0.45, "$h_t$", fontsize=12, color="#1f4e79")
    _arrow(ax, (8.6, bottom), (8.6, 5.6), color="#1f4e79", lw=1.4)
    ax.text(8.75, 5.35, "$h_t$ (output)", fontsize=10, color="#1f4e79")
    ax.text(4.7, 4.55, "$C_t = f_t \\odot C_{t-1} + i_t \\odot \\tilde C_t$", fontsize=11, color="#843c0c")
    ax.text(5.4, 0.55, "$h_t = o_t \\odot \\tanh(C_t)$", fontsize=11, color="#1f4e79")
    ax.set_xlim(-1.0, 10.4)
    ax.set_ylim(-0.6, 5.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The LSTM cell: the cell state runs along the top, touched only by × and +")
    return fig


def show_markdown(text: str) -> None:
    """Display Markdown (with numbers filled in by f-strings) in Jupyter; print it elsewhere."""
    try:
        from IPython.display import Markdown, display

        display(Markdown(text))
    except ImportError:  # plain Python
        print(text)
