"""What student code may have monkeypatched, saved before it runs and put back after.

``snapshot_modules()`` records the attributes of the modules that evaluation and the
frames rely on (and the attributes of their classes); ``restore_modules(snapshot)`` puts
back every attribute that was replaced, and removes every one that was added. The worker
takes the snapshot before any student code runs and restores it after the cells ran,
before any case is evaluated (``autograder.worker``).
"""
from __future__ import annotations

import sys

# Modules restored after the cells ran, before any case is evaluated: what evaluation and
# the frames rely on. Between cases only builtins are restored (a function that patches
# numpy while it runs can only spoil its own later cases: scoring is not done here).
SNAPSHOT_PREFIXES = ("autograder", "numpy", "builtins", "os", "posix", "sys", "json", "struct",
                     "math", "signal", "time", "traceback", "warnings", "sympy", "mpmath")
# Classes whose attributes are restored too: a formula answer is encoded by calling sympy's
# methods in the child (Poly.terms, xreplace, evalf), so ``sympy.Poly.terms = ...`` in a
# cell would otherwise rewrite a wrong formula into the right one (the corpus entry
# a4_patches_sympy_poly).
CLASS_PREFIXES = ("autograder", "sympy", "mpmath")
_CLASSES = "<classes>"
_MISSING = object()


def snapshot_modules() -> dict:
    snap = {}
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.split(".")[0] in SNAPSHOT_PREFIXES:
            continue
        try:
            snap[name] = (mod, dict(vars(mod)))
        except TypeError:
            pass
    classes = {}
    for name, (mod, saved) in snap.items():
        if name.split(".")[0] in CLASS_PREFIXES:
            for value in saved.values():
                if isinstance(value, type) and value not in classes and \
                        str(getattr(value, "__module__", "")).split(".")[0] in CLASS_PREFIXES:
                    classes[value] = dict(vars(value))
    snap[_CLASSES] = (None, classes)
    return snap


def _restore_classes(classes: dict) -> None:
    for cls, saved in classes.items():
        current = cls.__dict__
        if len(current) == len(saved) and all(current.get(k, _MISSING) is v for k, v in saved.items()):
            continue
        for key in [k for k in current if k not in saved]:
            try:
                delattr(cls, key)
            except Exception:
                pass
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                try:
                    setattr(cls, key, value)
                except Exception:
                    pass


def restore_modules(snap: dict) -> None:
    """Undo monkeypatching of the modules the evaluation relies on."""
    for name, (mod, saved) in snap.items():
        if name == _CLASSES:
            _restore_classes(saved)
            continue
        sys.modules[name] = mod
        try:
            current = vars(mod)
        except TypeError:
            continue
        for key in [k for k in current if k not in saved]:
            try:
                delattr(mod, key)
            except Exception:
                current.pop(key, None)
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                try:
                    setattr(mod, key, value)
                except Exception:
                    try:
                        current[key] = value
                    except Exception:
                        pass

