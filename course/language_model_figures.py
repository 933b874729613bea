"""Figures of lecture 09 (character-level language models): drawing and display only.

The lecture loads what ``scripts/train_lecture09.py`` computed with the course's numpy
reference (weights, training curves, samples, cell states over a piece of text) and shows
it; this module holds the code that draws it, so that the notebook's cells show the ideas
and not the plotting. Nothing here trains, samples or computes a loss.

- ``draw_tbptt_streams``: the corpus cut into parallel streams and contiguous chunks, with
  the state carried from one chunk to the next (truncated BPTT as the trainer does it).
- ``plot_perplexity_curves``: train and held-out perplexity against the step, per cell.
- ``char_activation_html``: text with one background colour per character, from one
  unit's activation in [-1, 1] (Karpathy's figure in "The Unreasonable Effectiveness of
  Recurrent Neural Networks", 2015).
- ``plot_temperature_bars``: the next-character distribution at several temperatures.
- ``plot_next_char_probs``: the probability a model gave each next character of a line.
"""
from __future__ import annotations

import html

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

CELL_COLOURS = {"rnn": "#7f7f7f", "lstm": "#1f77b4", "gru": "#d62728"}
CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}


def draw_tbptt_streams(n_streams: int = 3, n_chunks: int = 4, ax=None):
    """Draw truncated BPTT over one long text: n_streams rows (the batch), n_chunks chunks each.

    Row n is one contiguous stretch of the corpus; chunk k of every row forms batch k. The
    hidden state at the end of chunk k is the initial state of chunk k + 1 in the same row
    (carried, blue arrows); the gradient stops at each boundary (red bars). Returns the figure.
    """
    for name, value, top in (("n_streams", n_streams, 6), ("n_chunks", n_chunks, 8)):
        if not isinstance(value, (int, np.integer)) or not 1 <= value <= top:
            raise ValueError(f"{name} must be an int from 1 to {top} (the drawing gets unreadable beyond), got {value!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.3 * n_chunks + 1.6, 0.9 * n_streams + 1.5))
    else:
        fig = ax.figure
    w, h, gap = 1.8, 0.55, 0.5
    for n in range(n_streams):
        y = -n * 0.9
        ax.text(-0.25, y, f"stream {n + 1}", ha="right", va="center", fontsize=9)
        for k in range(n_chunks):
            x = k * (w + gap)
            ax.add_patch(Rectangle((x, y - h / 2), w, h, fc="#dbe9f6" if k % 2 == 0 else "#eaf2fa", ec="#1f4e79"))
            ax.text(x + w / 2, y, f"chunk {k + 1}: K chars", ha="center", va="center", fontsize=8)
            if k + 1 < n_chunks:
                ax.add_patch(FancyArrowPatch((x + w, y), (x + w + gap, y), arrowstyle="-|>", mutation_scale=10,
                                             color="#1f4e79", lw=1.4))
                ax.plot([x + w + gap / 2] * 2, [y - h / 2 - 0.05, y + h / 2 + 0.05], color="#c00000", lw=2)
    for k in range(n_chunks):
        ax.text(k * (w + gap) + w / 2, 0.65, f"batch {k + 1}", ha="center", fontsize=9, weight="bold")
    bottom = -(n_streams - 1) * 0.9 - 0.75
    ax.text(0, bottom, "→ the state h (and c) at the end of a chunk starts the next chunk of the same stream",
            color="#1f4e79", fontsize=9, va="center")
    ax.text(0, bottom - 0.35, "| the gradient stops at the boundary: backpropagation runs K steps, inside a chunk",
            color="#c00000", fontsize=9, va="center")
    ax.set_xlim(-1.4, n_chunks * (w + gap))
    ax.set_ylim(bottom - 0.6, 1.0)
    ax.axis("off")
    ax.set_title("Truncated BPTT over a long text: contiguous chunks, state carried, gradient cut")
    return fig


def plot_perplexity_curves(curves: dict, vocab_size: int, chosen: dict | None = None, top: float | None = None,
                           ax=None):
    """Plot train (thin) and held-out (thick) perplexity per step for each cell.

    curves: cell name -> dict with "steps" (evaluation steps), "train" and "heldout"
    perplexities at those steps. chosen: cell name -> the step of the checkpoint kept
    (a circle on its held-out curve). A dotted line marks the uniform model's perplexity, V;
    with ``top`` below V the y axis is linear up to ``top`` (the first steps leave the chart)
    and a note says where V is, else it is logarithmic. Returns the figure.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.2))
    else:
        fig = ax.figure
    for cell, c in curves.items():
        colour = CELL_COLOURS.get(cell)
        ax.plot(c["steps"], c["train"], color=colour, lw=1, alpha=0.6, ls="--")
        ax.plot(c["steps"], c["heldout"], color=colour, lw=2.2, label=f"{CELL_NAMES.get(cell, cell)}")
        if chosen and cell in chosen:
            k = list(c["steps"]).index(chosen[cell])
            ax.plot([chosen[cell]], [c["heldout"][k]], "o", ms=9, mfc="none", mec=colour, mew=2)
    if top is not None and top < vocab_size:
        ax.set_ylim(1, top)
        ax.text(0.99, 0.98, f"at step 0 all start near the uniform model's {vocab_size}, far above the chart",
                transform=ax.transAxes, ha="right", va="top", fontsize=8)
        ax.set_ylabel("perplexity")
    else:
        ax.axhline(vocab_size, color="black", ls=":", lw=1)
        ax.text(0, vocab_size * 0.93, f"uniform over V = {vocab_size}: perplexity {vocab_size}", va="top", fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("perplexity (log scale)")
    ax.set_xlabel("training step")
    ax.plot([], [], color="black", lw=2.2, label="held-out (thick)")
    ax.plot([], [], color="black", lw=1, ls="--", alpha=0.6, label="train (dashed)")
    if chosen:
        ax.plot([], [], "o", ms=9, mfc="none", mec="black", mew=2, label="checkpoint kept")
    ax.legend(fontsize=8, ncol=2, loc="lower left")
    ax.grid(True, which="both", alpha=0.2)
    ax.set_title("Perplexity while training: lower is better, 1 is perfect")
    return fig


#: how far the strongest colour goes from white (1 would be pure red/blue, on which black text is hard to read)
SHADE = 0.8


def _colour(v: float) -> str:
    """v in [-1, 1] -> a CSS background: red for positive, blue for negative, white at 0 (Karpathy's palette)."""
    v = float(np.clip(v, -1.0, 1.0))
    fade = int(round(255 * (1 - SHADE * abs(v))))
    return f"rgb(255,{fade},{fade})" if v >= 0 else f"rgb({fade},{fade},255)"


def char_activation_html(text: str, values, title: str = "") -> str:
    """``text`` as HTML, each character on a background coloured by its value in [-1, 1].

    values: one number per character (e.g. tanh(c_t) of one LSTM unit after reading that
    character). Newlines stay line breaks (shown as a coloured ``↵``), spaces keep their
    width; values outside [-1, 1] are clipped for the colour only.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(text),):
        raise ValueError(f"values must have one number per character: expected shape ({len(text)},), got {values.shape}")
    spans = []
    for ch, v in zip(text, values):
        shown = "↵\n" if ch == "\n" else html.escape(ch)
        spans.append(f'<span style="background:{_colour(v)}" title="{v:+.2f}">{shown}</span>')
    legend = ('<div style="font-size:11px;margin-top:4px">colour: '
              + "".join(f'<span style="background:{_colour(v)};padding:0 6px">{v:+.1f}</span>'
                        for v in (-1, -0.5, 0, 0.5, 1))
              + " (hover a character for its value)</div>")
    head = f'<div style="font-weight:bold;margin-bottom:4px">{html.escape(title)}</div>' if title else ""
    return (f'<div class="char-activations">{head}<pre style="font-family:monospace;font-size:12px;'
            f'line-height:1.35;white-space:pre;color:black;background:white;margin:0">{"".join(spans)}</pre>'
            f"{legend}</div>")


def show_char_activations(text: str, values, title: str = "") -> None:
    """Display ``char_activation_html`` in Jupyter (plain text elsewhere: the text and the value range)."""
    page = char_activation_html(text, values, title)
    try:
        from IPython.display import HTML, display

        display(HTML(page))
    except ImportError:
        v = np.asarray(values, dtype=float)
        print(f"{title}\n{text}\n(values from {v.min():+.2f} to {v.max():+.2f})")


def plot_temperature_bars(chars, probs_by_temperature: dict, context: str, top: int = 10, ax=None):
    """Bars of the ``top`` most likely next characters, one group per temperature.

    chars: the vocabulary (index -> character); probs_by_temperature: T -> probabilities (V,).
    The characters are ordered by their probability at T = 1 (or the first temperature).
    Returns the figure.
    """
    temps = list(probs_by_temperature)
    base = probs_by_temperature.get(1.0, probs_by_temperature[temps[0]])
    order = np.argsort(-np.asarray(base))[:top]
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 3.4))
    else:
        fig = ax.figure
    width = 0.8 / len(temps)
    for j, T in enumerate(temps):
        p = np.asarray(probs_by_temperature[T])[order]
        ax.bar(np.arange(len(order)) + (j - (len(temps) - 1) / 2) * width, p, width, label=f"T = {T:g}")
    ax.set_xticks(np.arange(len(order)), [_label(chars[i]) for i in order], fontfamily="monospace", fontsize=11)
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    last_line = context.rsplit("\n", 1)[-1].lstrip()[-40:]
    ax.set_title(f"next character after {last_line!r} (the end of the context)", fontsize=10)
    return fig


def _label(c: str) -> str:
    """A character as a tick label: newline, space and tab made visible."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(c, c)


def plot_next_char_probs(read: str, targets: str, p_right, ax=None):
    """Bars of p_t[y_t], the probability the model gave each character that really came next.

    read: the characters read, one per step; targets: the next character of each; p_right:
    one probability per step. Under each bar: the character read (grey) and the target
    (black). Returns the figure.
    """
    p_right = np.asarray(p_right, dtype=float)
    if not len(read) == len(targets) == len(p_right):
        raise ValueError(f"read, targets and p_right must have one entry per step; got lengths "
                         f"{len(read)}, {len(targets)}, {len(p_right)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(14, 1.2 + 0.36 * len(read)), 3.2))
    else:
        fig = ax.figure
    x = np.arange(len(read))
    ax.bar(x, p_right, color=["#1f77b4" if p >= 0.5 else "#ff7f0e" if p >= 0.1 else "#d62728" for p in p_right])
    ax.set_xticks(x, [_label(c) for c in targets], fontfamily="monospace", fontsize=11)
    for xi, c in zip(x, read):
        ax.text(xi, -0.2, _label(c), ha="center", va="top", fontfamily="monospace", fontsize=9, color="grey",
                transform=ax.get_xaxis_transform())
    ax.text(-0.8, -0.2, "read:", ha="right", va="top", fontsize=8, color="grey", transform=ax.get_xaxis_transform())
    ax.text(-0.8, -0.02, "next:", ha="right", va="top", fontsize=8, transform=ax.get_xaxis_transform())
    ax.set_xlim(-1.5, len(read) - 0.5)
    ax.set_ylim(0, 1)
    ax.set_ylabel("p(next character)")
    ax.set_title("The probability the model gave the character that really came next", fontsize=10)
    return fig
