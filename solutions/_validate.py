"""Shape checks shared by every public function of ``solutions``.

One helper, ``check``, compares an array's shape with a pattern of size symbols
such as ``("N", "D")``. The first array that shows a symbol fixes its size; every
later array must agree, and the error names both arguments, PyTorch-style:

    rnn_step_forward: Wh must have shape (H, H) = (4, 4) to match prev_h (N, H) = (2, 4); got (4, 3)

Checks read ``.shape`` only: no copies, no conversions.
"""


def _fmt(shape):
    """(2, 4) -> '(2, 4)', (4,) -> '(4,)', symbols as bare names."""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check(fn, name, a, dims, sizes):
    """Check that array ``a`` (argument ``name`` of function ``fn``) has shape ``dims``.

    Inputs:
    - fn: name of the public function, the first word of every message.
    - name: the argument's name.
    - a: the argument; anything with ``shape`` (a numpy array).
    - dims: tuple of size symbols (``"N"``) or fixed ints (``4``) and multiples written
      as ``(k, "H")`` meaning k*H, e.g. ``("D", (4, "H"))`` for an LSTM's Wx.
    - sizes: dict symbol -> (size, argument, its dims, its shape); symbols not yet in it
      are bound here from ``a``. Updated in place.

    Raises TypeError if ``a`` is not an array, ValueError on a wrong ndim or size.
    """
    shape = getattr(a, "shape", None)
    if shape is None:
        raise TypeError(f"{fn}: {name} must be a numpy array of shape {_fmt(_names(dims))}; "
                        f"got {type(a).__name__}")
    if len(shape) != len(dims):
        raise ValueError(f"{fn}: {name} must be a {len(dims)}-D array of shape {_fmt(_names(dims))}; "
                         f"got a {len(shape)}-D array of shape {_fmt(shape)}")
    # bind the symbols this array introduces (a multiple k*H binds H only if it divides)
    for d, n in zip(dims, shape):
        if isinstance(d, str) and d not in sizes:
            sizes[d] = (n, name, dims, shape)
        elif isinstance(d, tuple) and d[1] not in sizes:
            if n % d[0]:
                raise ValueError(f"{fn}: {name} must have shape {_fmt(_names(dims))}; got {_fmt(shape)}, "
                                 f"and {n} is not a multiple of {d[0]}")
            sizes[d[1]] = (n // d[0], name, dims, shape)
    expected = tuple(_size(d, sizes) for d in dims)
    if expected != tuple(shape):
        # name the argument whose size disagrees, for the "to match" clause
        ref = next((sizes[_sym(d)] for d, n, e in zip(dims, shape, expected)
                    if e != n and _sym(d) is not None), None)
        because = "" if ref is None or ref[1] == name else f" to match {ref[1]} {_fmt(_names(ref[2]))} = {_fmt(ref[3])}"
        raise ValueError(f"{fn}: {name} must have shape {_fmt(_names(dims))} = {_fmt(expected)}"
                         f"{because}; got {_fmt(shape)}")


def _sym(d):
    return d if isinstance(d, str) else d[1] if isinstance(d, tuple) else None


def _names(dims):
    return tuple(f"{d[0]}{d[1]}" if isinstance(d, tuple) else d for d in dims)


def _size(d, sizes):
    if isinstance(d, str):
        return sizes[d][0]
    if isinstance(d, tuple):
        return d[0] * sizes[d[1]][0]
    return d


def check_steps(fn, x):
    """A sequence x of shape (N, T, D) needs T >= 1 (backpropagation needs a step)."""
    if x.shape[1] < 1:
        raise ValueError(f"{fn}: x must have at least one time step, shape (N, T, D) with T >= 1; "
                         f"got {_fmt(x.shape)}")
