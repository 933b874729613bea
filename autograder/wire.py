"""The frames a grading child sends to the grader, and the grader's strict reader of them.

Frame: 4-byte big-endian header length, 4-byte big-endian payload length, the header
(UTF-8 JSON object), the payload (raw little-endian float64 data of the arrays the
header lists, in order).

The child writes frames with ``encode_frame``; the grader parses them with ``FrameReader``
and ``decode_values`` and never unpickles anything: a child that sends anything else has
broken the protocol (``ProtocolError``), which the grader treats like a crash.
"""
from __future__ import annotations

import json
import struct

MAX_HEADER = 1 << 20            # bytes of JSON header in one frame
MAX_PAYLOAD = 64 << 20          # bytes of array data in one frame
MAX_STRING = 10_000             # characters of a string answer
MAX_DIMS = 8


def encode_frame(header: dict, payload: bytes = b"") -> bytes:
    head = json.dumps(header, allow_nan=True).encode("utf-8")
    return struct.pack(">II", len(head), len(payload)) + head + payload


class ProtocolError(Exception):
    """The child sent bytes that are not a valid frame."""


class FrameReader:
    """Incremental parser of frames read from a pipe (parent side).

    ``feed`` returns the complete frames; at the first invalid one it raises
    ``ProtocolError`` on this call if no valid frame came before it in ``data``, else on
    the next call (so the caller first sees where the child was).
    """

    def __init__(self):
        self.buf = bytearray()
        self.error: ProtocolError | None = None

    def feed(self, data: bytes) -> list[tuple[dict, bytes]]:
        if self.error is not None:
            raise self.error
        self.buf += data
        frames: list = []
        try:
            self._parse(frames)
        except ProtocolError as exc:
            self.error = exc
            if not frames:
                raise
        return frames

    def _parse(self, frames: list) -> None:
        while len(self.buf) >= 8:
            nh, np_ = struct.unpack(">II", self.buf[:8])
            if nh > MAX_HEADER:
                raise ProtocolError(f"frame header of {nh} bytes; expected at most {MAX_HEADER}")
            if np_ > MAX_PAYLOAD:
                raise ProtocolError(f"frame payload of {np_} bytes; expected at most {MAX_PAYLOAD}")
            if len(self.buf) < 8 + nh + np_:
                break
            try:
                header = json.loads(bytes(self.buf[8:8 + nh]).decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise ProtocolError(f"frame header is not JSON: {exc}") from None
            if not isinstance(header, dict):
                raise ProtocolError(f"frame header must be a JSON object, got {type(header).__name__}")
            payload = bytes(self.buf[8 + nh:8 + nh + np_])
            del self.buf[:8 + nh + np_]
            frames.append((header, payload))


def decode_values(header: dict, payload: bytes):
    """The ``values`` of a result frame -> dict name -> float64 array | float | str.

    Everything is checked: names are strings, arrays are float64 with a shape of at most
    8 non-negative ints whose sizes add up to the payload exactly.
    """
    import numpy as np

    specs = header.get("values")
    if not isinstance(specs, list):
        raise ProtocolError(f"result 'values' must be a list, got {type(specs).__name__}")
    out, offset = {}, 0
    for item in specs:
        if not (isinstance(item, dict) and isinstance(item.get("name"), str) and len(item["name"]) <= 200):
            raise ProtocolError("each result value needs a string 'name'")
        kind = item.get("kind")
        if kind == "array":
            shape = item.get("shape")
            if not (isinstance(shape, list) and len(shape) <= MAX_DIMS
                    and all(type(s) is int and 0 <= s for s in shape)):
                raise ProtocolError(f"array shape must be a list of at most {MAX_DIMS} non-negative ints, got {shape!r}")
            count = 1
            for s in shape:
                count *= s
            nbytes = count * 8
            if offset + nbytes > len(payload):
                raise ProtocolError(f"array {item['name']!r} needs {nbytes} bytes, only {len(payload) - offset} left")
            arr = np.frombuffer(payload, dtype="<f8", count=count, offset=offset).reshape(shape).astype(np.float64)
            offset += nbytes
            out[item["name"]] = arr
        elif kind == "number":
            v = item.get("value")
            if type(v) not in (int, float):
                raise ProtocolError(f"number value must be int or float, got {type(v).__name__}")
            out[item["name"]] = float(v)
        elif kind == "string":
            v = item.get("value")
            if not isinstance(v, str) or len(v) > MAX_STRING:
                raise ProtocolError(f"string value must be a str of at most {MAX_STRING} characters")
            out[item["name"]] = v
        else:
            raise ProtocolError(f"value kind must be array, number or string, got {kind!r}")
    if offset != len(payload):
        raise ProtocolError(f"payload has {len(payload) - offset} bytes not described by the header")
    return out
