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


def _cell_frame(ax=None):
    """The axes of a cell drawing (a new 10 x 5.6 figure unless ``ax`` is given) with the
    cell's rounded outline drawn: (figure, axes)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 5.6))
    else:
        fig = ax.figure
    ax.add_patch(FancyBboxPatch((0.4, 0.4), 8.6, 4.6, boxstyle="round,pad=0.05,rounding_size=0.3",
                                fc="#f7f7f7", ec="#555555", lw=1.5))
    return fig, ax


def draw_lstm_cell(ax=None):
    """Draw one LSTM cell: the cell-state line on top, the four gates below, h at the bottom.

    Returns the figure.
    """
    fig, ax = _cell_frame(ax)
    top, bottom = 4.2, 1.0
    # cell state highway
    _arrow(ax, (-0.6, top), (10.0, top), color="#843c0c", lw=2.5)
    ax.text(-0.7, top + 0.3, "$c_{t-1}$", fontsize=12, color="#843c0c")
    ax.text(9.5, top + 0.3, "$c_t$", fontsize=12, color="#843c0c")
    # hidden state in, out
    _arrow(ax, (-0.6, bottom), (1.0, bottom), color="#1f4e79", lw=1.8)
    ax.text(-0.7, bottom - 0.45, "$h_{t-1}$", fontsize=12, color="#1f4e79")
    _arrow(ax, (1.0, -0.4), (1.0, bottom), lw=1.8)
    ax.text(1.15, -0.35, "$x_t$", fontsize=12)
    ax.plot([1.0, 6.6], [bottom, bottom], color="#1f4e79", lw=1.8)
    ax.text(1.2, bottom + 0.15, "$[h_{t-1}, x_t]$", fontsize=9, color="#1f4e79")
    gates = [(2.2, "$f_t$\nσ", "forget"), (3.6, "$i_t$\nσ", "input"), (4.8, "$g_t$\ntanh", "candidate"),
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
    # output path: tanh(c_t) times o_t
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
    ax.text(4.7, 4.55, "$c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$", fontsize=11, color="#843c0c")
    ax.text(5.4, 0.55, "$h_t = o_t \\odot \\tanh(c_t)$", fontsize=11, color="#1f4e79")
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


def draw_gru_cell(ax=None):
    """Draw one GRU cell in the course's convention: a single state line on top, the reset and
    update gates and the candidate below, h_t = (1 - z) * h_{t-1} + z * n.

    Returns the figure.
    """
    fig, ax = _cell_frame(ax)
    top, bottom = 4.2, 1.0
    state = "#1f4e79"

    def op(x, y, sym):
        ax.add_patch(Circle((x, y), 0.27, fc="white", ec="black", lw=1.4, zorder=3))
        ax.text(x, y, sym, ha="center", va="center", fontsize=13, zorder=4)

    # the state line: h_{t-1} in on the left, h_t out on the right; the only state the GRU has
    _arrow(ax, (-0.6, top), (10.0, top), color=state, lw=2.5)
    ax.text(-0.7, top + 0.3, "$h_{t-1}$", fontsize=12, color=state)
    ax.text(9.5, top + 0.3, "$h_t$", fontsize=12, color=state)
    # h_{t-1} drops to the gates; x_t comes in from below
    ax.plot([0.9, 0.9], [top, bottom], color=state, lw=1.6)
    _arrow(ax, (1.3, -0.4), (1.3, bottom), lw=1.8)
    ax.text(1.45, -0.35, "$x_t$", fontsize=12)
    ax.plot([0.9, 5.6], [bottom, bottom], color=state, lw=1.6)
    ax.text(1.45, bottom - 0.12, "$[h_{t-1}, x_t]$", fontsize=9, color=state, va="top")   # below the bus: the gates' lines rise above it
    for gx, label, name in [(2.2, "$r$\nσ", "reset"), (3.6, "$z$\nσ", "update")]:
        _box(ax, (gx, 2.1), 0.9, 0.8, label, color="#e2f0d9", edge="#38761d", fontsize=10)
        ax.plot([gx, gx], [bottom, 2.1 - 0.4], color=state, lw=1.4)
        ax.text(gx, 1.45, name, ha="center", fontsize=8, color="#38761d", bbox=dict(fc="#f7f7f7", ec="none", pad=0.5))
    # reset: r * h_{t-1} feeds the candidate, which also reads x_t (from the bus below)
    yr = 3.45
    op(2.2, yr, "×")
    _arrow(ax, (2.2, 2.5), (2.2, yr - 0.27))
    ax.plot([0.9, 2.2 - 0.27], [yr, yr], color=state, lw=1.4)
    _box(ax, (5.6, 2.1), 1.0, 0.8, "$n$\ntanh", color="#e2f0d9", edge="#38761d", fontsize=10)
    ax.text(6.15, 1.5, "candidate", ha="left", fontsize=8, color="#38761d")
    ax.plot([2.2 + 0.27, 4.9], [yr, yr], color="black", lw=1.4)
    _arrow(ax, (4.9, yr), (5.3, 2.1 + 0.4))
    ax.text(4.25, yr + 0.13, "$r \\odot h_{t-1}$", fontsize=9, ha="center")
    _arrow(ax, (5.6, bottom), (5.6, 2.1 - 0.4), color=state, lw=1.4)
    # update: (1 - z) * h_{t-1} on the state line, z * n added to it
    op(3.6, top, "×")
    _box(ax, (3.6, 2.95), 0.62, 0.36, "1 − z", color="#fff2cc", edge="#7f6000", fontsize=9)
    _arrow(ax, (3.6, 2.5), (3.6, 2.95 - 0.18))
    _arrow(ax, (3.6, 2.95 + 0.18), (3.6, top - 0.27))
    op(7.2, 3.1, "×")
    _arrow(ax, (5.6 + 0.5, 2.1), (7.2 - 0.24, 3.1 - 0.13))
    ax.plot([3.6 + 0.45, 4.3, 4.3, 7.2], [1.9, 1.9, 1.3, 1.3], color="#38761d", lw=1.2, ls="--")
    _arrow(ax, (7.2, 1.3), (7.2, 3.1 - 0.27), color="#38761d")
    ax.text(7.35, 1.45, "$z$", fontsize=10, color="#38761d")
    op(7.2, top, "+")
    _arrow(ax, (7.2, 3.1 + 0.27), (7.2, top - 0.27))
    ax.text(7.45, 3.55, "$z \\odot n$", fontsize=9)
    ax.text(2.9, 4.55, "$h_t = (1 - z) \\odot h_{t-1} + z \\odot n$", fontsize=11, color=state)
    ax.text(4.0, 0.55, "$n = \\tanh(x_t W_{x,n} + (r \\odot h_{t-1}) W_{h,n} + b_n)$", fontsize=10, color="#38761d")
    ax.set_xlim(-1.0, 10.4)
    ax.set_ylim(-0.6, 5.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The GRU cell (the course's convention): one state, two gates, no separate cell state")
    return fig


def _chain(ax, y, T, label, color, direction=1, x0=0.0, dx=1.6, w=1.0, h=0.6):
    """A row of T cells at height y linked left to right (direction 1) or right to left (-1).

    Returns the x centres of the cells.
    """
    xs = [x0 + t * dx for t in range(T)]
    for t, cx in enumerate(xs):
        _box(ax, (cx, y), w, h, label, color=color, fontsize=9)
    order = xs if direction == 1 else xs[::-1]
    for a, b in zip(order[:-1], order[1:]):
        s = 1 if b > a else -1
        _arrow(ax, (a + s * w / 2, y), (b - s * w / 2, y), color="#1f4e79")
    return xs


def draw_bidirectional(T: int = 4, ax=None):
    """Draw a bidirectional layer: a forward chain, a backward chain, both reading x_t, and
    their states concatenated at each step. Returns the figure."""
    if not isinstance(T, (int, np.integer)) or not 2 <= T <= 8:
        raise ValueError(f"T must be an int from 2 to 8; got {T!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.8 + 1.6 * T, 4.6))
    else:
        fig = ax.figure
    w, off = 0.8, 0.25                                     # the rows are offset so no line crosses a box
    _chain(ax, 1.1, T, "fwd", "#dbe9f6", 1, x0=-off, w=w)
    _chain(ax, 2.3, T, "bwd", "#fde9d9", -1, x0=off, w=w)
    xs = [t * 1.6 for t in range(T)]
    for t, cx in enumerate(xs, start=1):
        _arrow(ax, (cx - off, -0.25), (cx - off, 1.1 - 0.3))                    # x_t into the forward cell
        ax.plot([cx - off, cx - off + 0.7], [-0.25, -0.25], color="black", lw=1.2)
        _arrow(ax, (cx - off + 0.7, -0.25), (cx - off + 0.7, 2.3 - 0.3))        # and into the backward cell
        ax.text(cx - off, -0.6, f"$x_{{{t}}}$", ha="center", fontsize=11)
        _box(ax, (cx, 3.6), 1.2, 0.5, f"$[\\overrightarrow{{h}}_{{{t}}}; \\overleftarrow{{h}}_{{{t}}}]$",
             color="#e2f0d9", edge="#38761d", fontsize=10)
        _arrow(ax, (cx - off - 0.25, 1.1 + 0.3), (cx - off - 0.25, 3.6 - 0.25), color="#1f4e79", lw=1.0)
        _arrow(ax, (cx + off + 0.1, 2.3 + 0.3), (cx + off + 0.1, 3.6 - 0.25), color="#843c0c", lw=1.0)
    ax.text(xs[0] - 1.0, 1.1, "forward\n(left to right)", ha="right", va="center", fontsize=9, color="#1f4e79")
    ax.text(xs[0] - 1.0, 2.3, "backward\n(right to left)", ha="right", va="center", fontsize=9, color="#843c0c")
    ax.text(xs[0] - 1.0, 3.6, "output\n(width 2H)", ha="right", va="center", fontsize=9, color="#38761d")
    ax.text((xs[0] + xs[-1]) / 2, -1.05, f"the forward chain ends at $x_{{{T}}}$, the backward chain at $x_1$",
            ha="center", fontsize=9, style="italic")
    ax.set_xlim(xs[0] - 2.4, xs[-1] + 1.0)
    ax.set_ylim(-1.3, 4.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("A bidirectional layer: every output step has seen the whole sequence")
    return fig


def draw_stacked(T: int = 4, L: int = 3, ax=None, dropout=True):
    """Draw L stacked recurrent layers over T steps; layer l reads layer l-1's outputs, with
    dropout (in training) between layers when ``dropout``. Returns the figure."""
    if not isinstance(T, (int, np.integer)) or not 2 <= T <= 8:
        raise ValueError(f"T must be an int from 2 to 8; got {T!r}")
    if not isinstance(L, (int, np.integer)) or not 1 <= L <= 5:
        raise ValueError(f"L must be an int from 1 to 5; got {L!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.6 + 1.6 * T, 1.0 + 1.45 * L))
    else:
        fig = ax.figure
    gap = 1.45
    colors = ["#dbe9f6", "#e2f0d9", "#fde9d9", "#fff2cc", "#ead1dc"]
    for l in range(L):
        y = l * gap
        xs = _chain(ax, y, T, f"layer {l + 1}", colors[l % len(colors)], 1)
        ax.text(xs[0] - 0.75, y, "$h_0^{(" + str(l + 1) + ")}$", ha="right", va="center", fontsize=10)
        _arrow(ax, (xs[0] - 0.72, y), (xs[0] - 0.5, y), color="#1f4e79")
        for t, cx in enumerate(xs, start=1):
            lo = y - gap + 0.3 if l else -0.95
            if l and dropout:
                mid = y - gap / 2
                ax.plot([cx, cx], [lo, mid - 0.12], color="black", lw=1.2)
                ax.text(cx, mid, "dropout", ha="center", va="center", fontsize=6.5, color="#7f6000",
                        bbox=dict(fc="#fff2cc", ec="#7f6000", lw=0.8, pad=1.2))
                _arrow(ax, (cx, mid + 0.12), (cx, y - 0.3))
            else:
                _arrow(ax, (cx, lo), (cx, y - 0.3))
            if l == 0:
                ax.text(cx, -1.2, f"$x_{{{t}}}$", ha="center", fontsize=11)
            if l == L - 1:
                _arrow(ax, (cx, y + 0.3), (cx, y + 0.8))
                ax.text(cx, y + 0.95, f"$h_{{{t}}}^{{({L})}}$", ha="center", fontsize=10)
    ax.set_xlim(xs[0] - 1.7, xs[-1] + 0.9)
    ax.set_ylim(-1.45, (L - 1) * gap + 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{L} stacked layers" + (" (dropout between layers, in training only)" if dropout and L > 1 else ""))
    return fig


def draw_encoder_decoder(T_src: int = 4, T_out: int = 3, ax=None):
    """Draw an encoder RNN whose final state (the context) starts a decoder RNN that feeds each
    output back in as its next input. Returns the figure."""
    for name, v in (("T_src", T_src), ("T_out", T_out)):
        if not isinstance(v, (int, np.integer)) or not 1 <= v <= 6:
            raise ValueError(f"{name} must be an int from 1 to 6; got {v!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.4 + 1.6 * (T_src + T_out), 3.8))
    else:
        fig = ax.figure
    enc = _chain(ax, 0.0, T_src, "enc", "#dbe9f6", 1)
    x_dec = enc[-1] + 2.6
    dec = _chain(ax, 0.0, T_out, "dec", "#fde9d9", 1, x0=x_dec)
    for t, cx in enumerate(enc, start=1):
        _arrow(ax, (cx, -1.0), (cx, -0.3))
        ax.text(cx, -1.3, f"$x_{{{t}}}$", ha="center", fontsize=11)
    ax.add_patch(Circle(((enc[-1] + dec[0]) / 2, 0.0), 0.42, fc="#e2f0d9", ec="#38761d", lw=1.5))
    ax.text((enc[-1] + dec[0]) / 2, 0.0, "context\n$c = h_T$", ha="center", va="center", fontsize=7.5)
    _arrow(ax, (enc[-1] + 0.5, 0.0), ((enc[-1] + dec[0]) / 2 - 0.42, 0.0), color="#1f4e79")
    _arrow(ax, ((enc[-1] + dec[0]) / 2 + 0.42, 0.0), (dec[0] - 0.5, 0.0), color="#1f4e79")
    for t, cx in enumerate(dec, start=1):
        _arrow(ax, (cx, 0.3), (cx, 1.0))
        ax.text(cx, 1.15, f"$y_{{{t}}}$", ha="center", fontsize=11)
        _arrow(ax, (cx, -1.0), (cx, -0.3), color="#843c0c")          # its input: the previous output
        ax.text(cx, -1.3, "<start>" if t == 1 else f"$y_{{{t - 1}}}$", ha="center", fontsize=10, color="#843c0c")
    ax.text((enc[0] + enc[-1]) / 2, 0.75, "encoder: reads the whole input", ha="center", fontsize=9, color="#1f4e79")
    ax.text((dec[0] + dec[-1]) / 2, -1.6, "decoder: one output per step; each output is the next step's input",
            ha="center", va="top", fontsize=9, color="#843c0c")
    ax.set_xlim(enc[0] - 0.8, dec[-1] + 0.8)
    ax.set_ylim(-2.0, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"Encoder-decoder: {T_src} input steps, {T_out} output steps, one fixed-size context between")
    return fig
