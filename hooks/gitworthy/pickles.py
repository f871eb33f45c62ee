"""Walk pickle opcodes without executing them and list the callables a pickle imports.

Nothing here unpickles, imports or runs scanned content. The walker decodes opcodes with the
argument readers of `pickletools` (the table `pickletools.genops` uses) but reads the
arguments itself, for two reasons `genops` cannot serve:

- big byte strings (the weights inside a pickle) are skipped in bounded chunks instead of
  being read into memory, so a 2 GB pickle costs a stream, not 2 GB of RAM;
- joblib writes raw NumPy array bytes *between* pickle opcodes (after each
  `NumpyArrayWrapper`); the walker follows a small symbolic stack (values, marks and the
  memo, never objects) so it knows each array's shape and dtype, skips its bytes, and walks
  the nested pickle of object arrays.

Every GLOBAL, INST and STACK_GLOBAL is recorded with its module and name; a STACK_GLOBAL whose
operands are not plain strings (computed at load time) is recorded as `<unknown>.<unknown>`,
which `dangerous()` always treats as unsafe. A pickle that ends early or is malformed yields
a `PickleScan` with `error` set: callers report it, never as clean.
"""
from __future__ import annotations

import _compat_pickle
import contextlib
import io
import lzma
import pickletools
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable

from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import IO, Any

    # Any binary stream: files, BytesIO, zip members, decompressing streams, pipes.
    Stream = IO[bytes] | io.RawIOBase | io.BufferedIOBase

MAX_ARG = 1 << 20          # byte strings longer than this are skipped, not read
MAX_LINE = 1 << 16         # protocol-0 text arguments longer than this are malformed
MAX_ITEMS = 4096           # container items kept per list/dict (the rest are counted away)
MAX_MEMO = 1 << 20         # memo entries kept; past this a GET yields an unknown value
MAX_PICKLES = 64           # pickles walked back to back in one stream
OPCODE_COST = 256          # scan-limit bytes one opcode costs: 1 GiB of limit = 4.2M opcodes
MAX_GLOBALS = 10_000       # distinct imports kept; past this the pickle is not inspectable
MAX_NESTED_DEPTH = 3       # pickles inside values inside pickles, no deeper
MAX_NESTED = 16            # pickles walked inside the values of one stream (nested or not)
UNKNOWN = "<unknown>"

# Torch's legacy (non-zip) format starts with this pickled integer; five pickles follow it.
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

_OPS = {op.code.encode("latin-1")[0]: op for op in pickletools.opcodes}
# opcodes whose only effect is to push their decoded argument (ints, floats, strings, bytes)
_PUSHES_ARG = frozenset({
    "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "STRING", "BINSTRING",
    "SHORT_BINSTRING", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8", "UNICODE",
    "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "FLOAT", "BINFLOAT"})
_CALLS = frozenset({"REDUCE", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "BUILD"})
_FIXED = {"uint1": "<B", "uint2": "<H", "int4": "<i", "uint4": "<I", "uint8": "<Q",
          "float8": ">d"}  # fixed-size arguments, decoded as pickletools' readers do
_PREFIX = {  # length-prefixed arguments: (struct format, prefix size)
    pickletools.TAKEN_FROM_ARGUMENT1: ("<B", 1),
    pickletools.TAKEN_FROM_ARGUMENT4: ("<i", 4),
    pickletools.TAKEN_FROM_ARGUMENT4U: ("<I", 4),
    pickletools.TAKEN_FROM_ARGUMENT8U: ("<Q", 8),
}


STREAM_ERRORS = (OSError, EOFError, ValueError, RuntimeError, zlib.error, lzma.LZMAError,
                 zipfile.BadZipFile)


class PickleError(Exception):
    """The stream is not a well-formed pickle (or could not be read to its end)."""


class Global:
    """A callable or class the pickle imports when it is loaded; equal by module and name."""

    def __init__(self, module: str, name: str, nested: bool = False) -> None:
        self.module = module
        self.name = name
        self.nested = nested  # imported by a pickle inside a value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Global):
            return NotImplemented
        return (self.module, self.name) == (other.module, other.name)

    def __hash__(self) -> int:
        return hash((self.module, self.name))

    def __repr__(self) -> str:
        return f"Global(module={self.module!r}, name={self.name!r}, nested={self.nested!r})"

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


class PickleScan(Record):
    """What a walk found: the imports, and why it stopped early (`error`), if it did."""

    def __init__(self, protocol: int = 0, globals: list[Global] | None = None, opcodes: int = 0,
                 pickles: int = 0, arrays: int = 0, bytes: int = 0, calls: int = 0,
                 nested: int = 0, error: str | None = None, first_value: Any = None) -> None:
        self.protocol = protocol
        self.globals: list[Global] = [] if globals is None else globals
        self.opcodes = opcodes
        self.pickles = pickles
        self.arrays = arrays          # joblib arrays whose raw bytes were skipped
        self.bytes = bytes            # bytes read from the stream (both walks of walk_both)
        self.calls = calls            # REDUCE, INST, OBJ, NEWOBJ, BUILD: what runs code on load
        self.nested = nested          # pickles found inside byte or text values (raw, hex, base64)
        self.error = error
        self.first_value = first_value  # the first pickle's top value when it is a plain int
        self._seen: set[Global] = set(self.globals)

    def add(self, item: Global) -> None:
        """Record an import once (a set: thousands of distinct imports stay linear)."""
        if item not in self._seen:
            if len(self._seen) >= MAX_GLOBALS:
                raise PickleError(f"more than {MAX_GLOBALS} distinct imports")
            self._seen.add(item)
            self.globals.append(item)


# --------------------------------------------------------------------------- reading


class Reader:
    """A bounded, peekable reader over a binary stream; `skip` seeks when it can.

    The buffer is consumed by moving an offset (no copy per opcode); it is compacted only
    when more bytes are read from the stream.
    """

    def __init__(self, stream: Stream | bytes, limit: int = 1 << 62) -> None:
        self.stream = io.BytesIO(stream) if isinstance(stream, (bytes, bytearray)) else stream
        self.limit, self.pos, self.pulled = limit, 0, 0
        self._buf, self._off = b"", 0
        try:
            self._seekable = bool(self.stream.seekable())
        except (AttributeError, ValueError, OSError):
            self._seekable = False

    def _raw_read(self, n: int) -> bytes:
        """Bytes from the stream; the scan limit counts these (seeks past bytes are free)."""
        if self.pulled >= self.limit:
            raise PickleError(f"stopped after the {self.limit >> 20} MiB scan limit")
        try:
            data = self.stream.read(n) or b""
        except STREAM_ERRORS as exc:  # a corrupt compressed stream or zip member
            raise PickleError(f"stream cannot be read past byte {self.pos}"
                              f" ({type(exc).__name__})") from exc
        self.pulled += len(data)
        return data

    def _fill(self, n: int) -> None:
        while len(self._buf) - self._off < n:
            chunk = self._raw_read(max(n - (len(self._buf) - self._off), 65536))
            if not chunk:
                return
            self._buf = self._buf[self._off:] + chunk
            self._off = 0

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return self._buf[self._off:self._off + n]

    def read(self, n: int) -> bytes:
        off = self._off
        if len(self._buf) - off < n:
            self._fill(n)
            off = self._off
        data = self._buf[off:off + n]
        got = len(data)
        self._off = off + got
        self.pos += got
        if got < n:
            raise PickleError(f"truncated at byte {self.pos}")
        return data

    def readline(self) -> bytes:
        end = self._buf.find(b"\n", self._off, self._off + MAX_LINE)
        if end < 0:
            self._fill(MAX_LINE)
            end = self._buf.find(b"\n", self._off, self._off + MAX_LINE)
            if end < 0:
                raise PickleError(f"text argument without end of line at byte {self.pos}")
        return self.read(end + 1 - self._off)

    def skip(self, n: int) -> None:
        """Move past `n` bytes: a seek when the stream can, else bounded reads (limited)."""
        held = min(n, len(self._buf) - self._off)
        self._off, self.pos, n = self._off + held, self.pos + held, n - held
        if not n:
            return
        self._buf, self._off = b"", 0  # the buffer is empty: the stream sits at self.pos
        if self._seekable:
            self.stream.seek(n - 1, io.SEEK_CUR)
            if len(self._raw_read(1)) != 1:
                raise PickleError(f"truncated at byte {self.pos}")
            self.pos += n
            return
        while n:
            chunk = self._raw_read(min(n, 1 << 20))
            if not chunk:
                raise PickleError(f"truncated at byte {self.pos}")
            n -= len(chunk)
            self.pos += len(chunk)


# --------------------------------------------------------------------------- symbolic values


class _Mark:
    pass


class Call:
    """A value built at load time by calling `func` (REDUCE, NEWOBJ, OBJ, INST)."""

    def __init__(self, func: Any, args: Any = (), state: Any = None) -> None:
        self.func = func
        self.args = args
        self.state = state


class Skipped:
    """A byte string too long to keep: only its length."""

    def __init__(self, size: int) -> None:
        self.size = size


_UNKNOWN_VALUE = object()


class _Machine:
    """The stack effects of every opcode, on symbolic values."""

    def __init__(self, reader: Reader, scan: PickleScan, joblib: bool = True,
                 depth: int = 0) -> None:
        self.r, self.scan, self.joblib, self.depth = reader, scan, joblib, depth
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.memo_full = False
        self.frame_end: int | None = None
        self.max_opcodes = reader.limit // OPCODE_COST

    def pop(self) -> Any:
        if not self.stack:
            raise PickleError(f"stack underflow at byte {self.r.pos}")
        return self.stack.pop()

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise PickleError(f"missing MARK at byte {self.r.pos}")
        items, self.stack = self.stack, self.marks.pop()
        return items

    def put(self, index: int) -> None:
        if not self.stack:
            raise PickleError(f"memo of an empty stack at byte {self.r.pos}")
        if len(self.memo) < MAX_MEMO or index in self.memo:
            self.memo[index] = self.stack[-1]
        else:
            self.memo_full = True

    def get(self, index: int) -> Any:
        if index in self.memo:
            return self.memo[index]
        if self.memo_full:
            return _UNKNOWN_VALUE
        raise PickleError(f"memo key {index} missing at byte {self.r.pos}")

    def argument(self, op: pickletools.OpcodeInfo) -> Any:
        """The opcode's argument, decoded as pickletools decodes it (long ones skipped)."""
        desc = op.arg
        if desc is None:
            return None
        fixed = _FIXED.get(desc.name)
        if fixed is not None:
            return struct.unpack(fixed, self.r.read(desc.n))[0]
        if desc.n >= 0:
            return desc.reader(io.BytesIO(self.r.read(desc.n)))
        if desc.n == pickletools.UP_TO_NEWLINE:
            lines = self.r.readline()
            if desc.name == "stringnl_noescape_pair":
                lines += self.r.readline()
            with warnings.catch_warnings():  # "invalid escape sequence" in hostile strings
                warnings.simplefilter("ignore", DeprecationWarning)
                return desc.reader(io.BytesIO(lines))
        fmt, size = _PREFIX[desc.n]
        prefix = self.r.read(size)
        (length,) = struct.unpack(fmt, prefix)
        if length < 0:
            raise PickleError(f"negative length at byte {self.r.pos}")
        if length > MAX_ARG:
            self.r.skip(length)
            return Skipped(length)
        data = self.r.read(length)
        if desc.name.startswith("unicodestring"):
            return data.decode("utf-8", "surrogatepass")
        if desc.name.startswith(("bytes", "bytearray")):
            return data
        return desc.reader(io.BytesIO(prefix + data))

    def run(self) -> Any:
        """Walk one pickle to its STOP; return the value it would produce (symbolically)."""
        r, scan = self.r, self.scan
        while True:
            code = r.read(1)[0]
            op = _OPS.get(code)
            if op is None:
                raise PickleError(f"unknown opcode 0x{code:02x} at byte {r.pos - 1}")
            scan.opcodes += 1
            arg = None if op.arg is None else self.argument(op)
            if scan.opcodes > self.max_opcodes:
                raise PickleError(f"stopped after {self.max_opcodes:,} opcodes, the scan limit "
                                  "(--max-scan-mb)")
            if self.frame_end is not None and r.pos > self.frame_end:
                # pickle.load and a linear reader disagree on what follows: not walkable
                raise PickleError(f"opcode crosses the end of its frame at byte {r.pos}")
            if op.name == "FRAME":
                self.frame_end = r.pos + int(arg or 0)
            if self.frame_end == r.pos:
                self.frame_end = None  # the frame ends here: what follows is outside it
            if op.proto > scan.protocol:  # protocols 0 and 1 have no header: opcodes tell
                scan.protocol = op.proto
            name = op.name
            if name == "STOP":
                return self.pop()
            if name in _PUSHES_ARG:
                self.stack.append(arg)
                if isinstance(arg, (bytes, str)) and len(arg) >= 8:
                    self.nested(arg)
            else:
                if name in _CALLS:
                    scan.calls += 1
                self.step(name, arg)

    def nested(self, value: bytes | str) -> None:
        """Walk a pickle stored inside a value (raw bytes, hex or base64 text): code that
        calls pickle.loads on it runs its imports too, so they count as this file's."""
        if self.depth >= MAX_NESTED_DEPTH or self.scan.nested >= MAX_NESTED:
            return
        inner = _embedded_pickle(value)
        if inner is None:
            return
        self.scan.nested += 1
        found = walk(inner, joblib=False, depth=self.depth + 1)
        for item in found.globals:
            self.scan.add(Global(item.module, item.name, nested=True))

    def global_(self, module: Any, name: Any) -> Global:
        if not isinstance(module, str) or not isinstance(name, str):
            if not all(isinstance(v, (str, Call)) or v is _UNKNOWN_VALUE for v in (module, name)):
                # pickle.load refuses a STACK_GLOBAL on anything but text: nothing is imported
                raise PickleError(f"STACK_GLOBAL on a value that is not text at byte {self.r.pos}")
            module = name = UNKNOWN  # computed at load time: could be anything
        item = Global(module, name)
        self.scan.add(item)
        return item

    def step(self, name: str, arg: Any) -> None:
        s = self.stack
        if name in ("BINPUT", "MEMOIZE", "LONG_BINPUT", "PUT"):  # the most frequent first
            self.put(len(self.memo) if name == "MEMOIZE" else int(arg))
        elif name in ("BINGET", "LONG_BINGET", "GET"):
            s.append(self.get(int(arg)))
        elif name == "MARK":
            self.marks.append(s)
            self.stack = []
        elif name == "PROTO":
            if not 0 <= arg <= 5:
                raise PickleError(f"unsupported pickle protocol {arg}")
            self.scan.protocol = max(self.scan.protocol, arg)
        elif name in ("FRAME", "NEXT_BUFFER", "READONLY_BUFFER"):
            if name == "NEXT_BUFFER":
                s.append(_UNKNOWN_VALUE)
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "POP":
            if self.stack:
                self.pop()
            else:
                self.pop_mark()
        elif name == "DUP":
            s.append(s[-1] if s else self.pop())
        elif name in ("GLOBAL", "INST"):
            module, _, attr = str(arg).partition(" ")
            item = self.global_(module, attr)
            if name == "INST":
                args = self.pop_mark()
                self.stack.append(Call(item, tuple(args)))
            else:
                s.append(item)
        elif name == "STACK_GLOBAL":
            attr = self.pop()
            module = self.pop()
            self.stack.append(self.global_(module, attr))
        elif name in ("EXT1", "EXT2", "EXT4"):
            s.append(self.global_("copyreg", f"<extension {arg}>"))
        elif name == "REDUCE":
            args = self.pop()
            func = self.pop()
            self.stack.append(Call(func, args))
        elif name == "NEWOBJ":
            args = self.pop()
            cls = self.pop()
            self.stack.append(Call(cls, args))
        elif name == "NEWOBJ_EX":
            self.pop()
            args = self.pop()
            cls = self.pop()
            self.stack.append(Call(cls, args))
        elif name == "OBJ":
            items = self.pop_mark()
            if not items:
                raise PickleError(f"OBJ without a class at byte {self.r.pos}")
            self.stack.append(Call(items[0], tuple(items[1:])))
        elif name == "BUILD":
            state = self.pop()
            target = self.stack[-1] if self.stack else self.pop()
            if isinstance(target, Call):
                target.state = state
                self.after_build(target)
        elif name in ("PERSID", "BINPERSID"):
            pid = arg if name == "PERSID" else self.pop()
            self.stack.append(Call("persistent_load", (pid,)))
        elif name in ("EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "EMPTY_TUPLE"):
            s.append({"EMPTY_LIST": list, "EMPTY_DICT": dict, "EMPTY_SET": list,
                      "EMPTY_TUPLE": tuple}[name]())
        elif name in ("LIST", "TUPLE", "FROZENSET"):
            items = self.pop_mark()
            self.stack.append(tuple(items[:MAX_ITEMS]) if name == "TUPLE" else items[:MAX_ITEMS])
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            items = [self.pop() for _ in range(n)][::-1]
            self.stack.append(tuple(items))
        elif name == "DICT":
            items = self.pop_mark()
            self.stack.append(_pairs({}, items))
        elif name in ("APPEND", "APPENDS", "ADDITEMS"):
            items = [self.pop()] if name == "APPEND" else self.pop_mark()
            target = self.stack[-1] if self.stack else self.pop()
            if isinstance(target, list):
                target.extend(items[: max(0, MAX_ITEMS - len(target))])
        elif name in ("SETITEM", "SETITEMS"):
            if name == "SETITEM":
                value = self.pop()
                items = [self.pop(), value]
            else:
                items = self.pop_mark()
            target = self.stack[-1] if self.stack else self.pop()
            if isinstance(target, dict):
                _pairs(target, items)
        elif name in ("NONE", "NEWTRUE", "NEWFALSE"):
            s.append({"NONE": None, "NEWTRUE": True, "NEWFALSE": False}[name])
        else:  # every opcode that pushes its decoded argument: ints, floats, strings, bytes
            s.append(arg)

    def after_build(self, obj: Call) -> None:
        """joblib: the raw bytes of a NumPy array follow each NumpyArrayWrapper's BUILD."""
        if not self.joblib or obj.func != Global("joblib.numpy_pickle", "NumpyArrayWrapper"):
            return
        state = obj.state if isinstance(obj.state, dict) else {}
        dtype = state.get("dtype")
        shape = state.get("shape")
        if not isinstance(shape, tuple) or not all(isinstance(n, int) for n in shape):
            raise PickleError("joblib array without a readable shape")
        kind, itemsize = _dtype(dtype)
        if kind == "O":  # object arrays are a nested pickle, loaded by a plain Unpickler
            walk_one(self.r, self.scan, joblib=False, depth=self.depth + 1)
        else:
            if isinstance(state.get("numpy_array_alignment_bytes"), int):
                self.r.skip(self.r.read(1)[0])
            count = 1
            for n in shape:
                count *= n
            self.r.skip(count * itemsize)
        self.scan.arrays += 1
        if self.stack and self.stack[-1] is obj:
            self.stack[-1] = _UNKNOWN_VALUE


def _pairs(target: dict[Any, Any], items: list[Any]) -> dict[Any, Any]:
    if len(items) % 2:
        raise PickleError("odd number of items for a dict")
    for key, value in zip(items[::2], items[1::2], strict=True):
        if len(target) >= MAX_ITEMS:
            break
        with contextlib.suppress(TypeError):  # an unhashable symbolic key: not needed
            target[key] = value
    return target


def _dtype(value: Any) -> tuple[str, int]:
    """(kind letter, item size) of a pickled numpy.dtype('f8', False, True) with its state."""
    if not (isinstance(value, Call) and isinstance(value.args, tuple) and value.args
            and isinstance(value.args[0], str)):
        raise PickleError("joblib array with an unreadable dtype")
    text = value.args[0]
    state = value.state if isinstance(value.state, tuple) else ()
    kind = text[:1]
    if kind == "O" or (len(state) > 4 and isinstance(state[4], dict) and "'O'" in repr(state)):
        return "O", 0
    if len(state) > 5 and isinstance(state[5], int) and state[5] > 0:
        return kind, state[5]
    digits = re.search(r"\d+", text)
    if not digits:
        raise PickleError(f"joblib array of dtype {text!r} with no item size")
    return kind, int(digits.group())


# --------------------------------------------------------------------------- walking


def walk_one(reader: Reader, scan: PickleScan, joblib: bool = True, depth: int = 0) -> Any:
    """Walk one pickle (to its STOP); returns its symbolic top value.

    With `joblib`, the raw array bytes joblib writes after each NumpyArrayWrapper are skipped
    as joblib.load does; without it, every byte is an opcode, as pickle.load sees them.
    """
    value = _Machine(reader, scan, joblib, depth).run()
    scan.pickles += 1
    return value


def walk(stream: Stream | bytes, limit: int = 1 << 62, joblib: bool = True,
         depth: int = 0) -> PickleScan:
    """Walk every pickle in the stream and collect its imports; never raises on bad input.

    Pickles written back to back (torch's legacy format writes five) are all walked while the
    bytes after a STOP start another protocol 2+ pickle; other trailing bytes end the walk.
    """
    reader = Reader(stream, limit)
    scan = PickleScan()
    try:
        first = walk_one(reader, scan, joblib, depth)
        if isinstance(first, int) and not isinstance(first, bool):
            scan.first_value = first
        expected = 5 if first == TORCH_LEGACY_MAGIC else 0
        while scan.pickles < MAX_PICKLES:
            if scan.pickles < expected or _starts_pickle(reader.peek(2)):
                walk_one(reader, scan, joblib, depth)
            else:
                break
    except PickleError as exc:
        scan.error = str(exc)
    except (ValueError, UnicodeDecodeError, struct.error, IndexError, OverflowError) as exc:
        scan.error = f"malformed at byte {reader.pos} ({type(exc).__name__})"
    except RecursionError:
        scan.error = f"nested too deep at byte {reader.pos}"
    scan.bytes = max(reader.pulled, scan.opcodes * OPCODE_COST)
    return scan


def walk_both(opener: Callable[[], Stream], limit: int = 1 << 62) -> PickleScan:
    """Walk as joblib.load reads (array bytes skipped), and when the stream holds joblib
    arrays, walk it again as pickle.load reads (every byte an opcode) and add the imports.

    A plain pickle.load of a file that declares a NumpyArrayWrapper executes the bytes joblib
    would skip, so imports hidden there are found too; the second walk is expected to stop at
    the first real array bytes, and its error is not reported.
    """
    with opener() as stream:
        scan = walk(stream, limit)
    if scan.arrays:
        with opener() as stream:
            plain = walk(stream, max(limit - scan.bytes, 0), joblib=False)
        scan.bytes += plain.bytes
        if plain.error and "scan limit" in plain.error and scan.error is None:
            scan.error = f"read as pickle.load reads it: {plain.error}"
        for item in plain.globals:
            scan.add(item)
    return scan


def _starts_pickle(head: bytes) -> bool:
    """PROTO 0-5: pickle.load accepts every protocol it knows, even 0 and 1 with a header."""
    return len(head) == 2 and head[0] == 0x80 and head[1] <= 5


_HEX_PICKLE = re.compile(r"\A800[0-5](?:[0-9a-fA-F]{2}){6,}\Z")
_B64_PICKLE = re.compile(r"\AgA[A-Z][A-Za-z0-9+/=\s]{8,}\Z")


def _embedded_pickle(value: bytes | str) -> bytes | None:
    """The bytes of a pickle held in a value as raw bytes, hex or base64, else None."""
    if isinstance(value, bytes):
        return value if _starts_pickle(value[:2]) else None
    if _HEX_PICKLE.match(value):
        with contextlib.suppress(ValueError):
            return bytes.fromhex(value)
    if _B64_PICKLE.match(value):
        import base64
        import binascii

        with contextlib.suppress(binascii.Error, ValueError):
            data = base64.b64decode(value)
            return data if _starts_pickle(data[:2]) else None
    return None


class Probe(Record):
    """What the first bytes of a stream are, judged as pickle.load would run them."""

    def __init__(self, is_pickle: bool, protocol: int = 0, imports: bool = False,
                 headed: bool = False) -> None:
        self.is_pickle = is_pickle
        self.protocol = protocol
        self.imports = imports    # an import pickle.load would perform (not only plain values)
        self.headed = headed      # starts with a PROTO opcode


# First bytes of headerless pickles that hold no import (plain values): kept narrow, since
# any text decodes as a few protocol-0 opcodes.
_PLAIN_STARTS = b"(c}]lNdISVX"


def probe(head: bytes) -> Probe:
    """Is this (the start of) a pickle? Judged by what `pickle.load` would do with it.

    pickle.load runs opcodes from the first byte, whatever the name or outer format, and
    executes each import and call before it meets a broken byte. So the head is walked:
    - an import with importable names followed by a call (or an import that is dangerous
      on its own) before the walk stops makes it a pickle, whatever comes after;
    - a PROTO header (protocols 0-5) and four opcodes that decode make it a pickle;
    - without imports, plain values must decode to a STOP, or for at least 32 opcodes
      before the head runs out, from a first byte that starts pickles of values.
    Text and random bytes fail within a few opcodes.
    """
    if not head:
        return Probe(False)
    headed = _starts_pickle(head[:2])
    scan = PickleScan()
    stopped = ran_out = past_end = False
    try:
        _Machine(Reader(head), scan).run()
        stopped = True
    except PickleError as exc:
        ran_out = str(exc).startswith(("truncated", "text argument without end"))
        past_end = str(exc).startswith("truncated")  # a length running past the bytes
    except (ValueError, UnicodeDecodeError, struct.error, IndexError, OverflowError,
            RecursionError):
        pass
    # pickle.load stops at the first import it cannot resolve: what follows never runs.
    imports = []
    for item in scan.globals:
        if item.module != UNKNOWN and not (_IMPORTABLE.match(item.module)
                                           and _IMPORTABLE.match(item.name)):
            break
        imports.append(item)
    if imports and (stopped or scan.calls or any(dangerous(g) for g in imports)):
        return Probe(True, scan.protocol, True, headed)
    if scan.globals and not imports and not headed:
        return Probe(False)  # text whose lines start with 'c' decodes as GLOBAL opcodes
    if headed:  # a header, then opcodes that decode (or an argument past the end: broken)
        ok = scan.opcodes >= 4 or stopped or (past_end and scan.opcodes >= 2)
        return Probe(ok, scan.protocol, bool(imports), True)
    if head[:1] not in _PLAIN_STARTS:
        return Probe(False)
    ok = (stopped and (scan.opcodes >= 3 or bool(imports))) or (ran_out and scan.opcodes >= 32)
    return Probe(ok, scan.protocol, bool(imports))


def looks_like_pickle(head: bytes) -> tuple[bool, int]:
    """(is it a pickle, protocol) judged from the first bytes only (see `probe`)."""
    found = probe(head)
    return found.is_pickle, found.protocol


_IMPORTABLE = re.compile(r"\A[A-Za-z_][\w.]*\Z")


# --------------------------------------------------------------------------- the unsafe list

# module -> names that can run code, touch files or the network when a pickle is loaded
# ("*": every name in the module and its submodules). At least as strict as picklescan 1.0.5
# and modelscan 0.8.8 (their entries are all here); additions are marked "+".
DANGEROUS: dict[str, tuple[str, str | frozenset[str]]] = {
    # builtins: eval/exec/compile run code; getattr/setattr reach any attribute (getattr(os,
    # "system")); __import__ imports any module; open reads/writes files; breakpoint opens a
    # debugger; apply (Python 2) calls anything. + globals/locals/vars/input/delattr/
    # execfile/file/reload/memoryview-free helpers that expose or run code.
    "builtins": ("code execution, attribute access or file access through builtins", frozenset({
        "eval", "exec", "compile", "getattr", "setattr", "delattr", "apply", "open",
        "breakpoint", "__import__", "globals", "locals", "vars", "input", "execfile", "file",
        "reload", "__build_class__", "help", "exit", "quit"})),
    "__builtin__": ("Python 2 name of builtins (pickle protocols 0-2)", frozenset({
        "eval", "exec", "compile", "getattr", "setattr", "delattr", "apply", "open",
        "breakpoint", "__import__", "globals", "locals", "vars", "input", "execfile", "file",
        "reload"})),
    "os": ("runs shell commands (os.system, os.popen, exec*, spawn*) and edits files", "*"),
    "posix": ("os.system and friends on Linux/macOS: runs shell commands", "*"),
    "nt": ("os.system and friends on Windows: runs shell commands", "*"),
    "subprocess": ("runs any command", "*"),
    "commands": ("Python 2 predecessor of subprocess", "*"),
    "pty": ("pty.spawn runs a command", "*"),
    "runpy": ("runs a module or file as code", "*"),
    "code": ("interactive interpreter: runs source code", "*"),
    "codeop": ("+ compiles source code", "*"),
    "importlib": ("+ imports any module by name (importlib.import_module)", "*"),
    "imp": ("+ deprecated importer: loads any module or file", "*"),
    "zipimport": ("+ imports code from a zip archive", "*"),
    "pkgutil": ("pkgutil.resolve_name resolves any module:attribute, bypassing this list", "*"),
    "pydoc": ("pydoc.locate imports anything; pydoc.pipepager runs a command", "*"),
    "marshal": ("+ marshal.loads builds code objects", "*"),
    "types": ("CodeType/FunctionType build and call arbitrary code", frozenset({
        "CodeType", "FunctionType", "LambdaType", "MethodType", "ModuleType"})),
    "ctypes": ("foreign functions: loads libraries, calls C, writes memory", "*"),
    "_ctypes": ("+ the C half of ctypes", "*"),
    "sys": ("sys.modules, settrace, exit: reaches and alters the interpreter", "*"),
    "socket": ("opens network connections (exfiltration, reverse shells)", "*"),
    "ssl": ("ssl.get_server_certificate talks to any host", "*"),
    "http.client": ("+ Python 3 name of httplib: HTTP requests", "*"),
    "httplib": ("HTTP requests (Python 2 name)", "*"),
    "urllib.request": ("urlopen: SSRF and exfiltration", "*"),
    "urllib2": ("+ Python 2 urllib.request", "*"),
    "requests": ("+ HTTP requests (requests.get/post)", "*"),
    "requests.api": ("HTTP requests", "*"),
    "aiohttp": ("asynchronous HTTP requests", "*"),
    "asyncio": ("subprocesses and sockets (create_subprocess_shell)", "*"),
    "ftplib": ("+ FTP connections", "*"),
    "smtplib": ("+ sends mail", "*"),
    "telnetlib": ("+ network connections", "*"),
    "imaplib": ("IMAP4_stream runs a command through a shell", "*"),
    "webbrowser": ("opens URLs and runs the browser command", "*"),
    "shutil": ("copies, moves and deletes files (rmtree)", "*"),
    "tempfile": ("+ creates files", "*"),
    "io": ("+ io.open / io.FileIO read and write any file", frozenset({
        "open", "open_code", "FileIO"})),
    "_io": ("io.FileIO and open under their C module name", frozenset({
        "open", "open_code", "FileIO"})),
    "codecs": ("+ codecs.open reads and writes files", frozenset({"open"})),
    "logging": ("logging.FileHandler creates files", frozenset({"FileHandler"})),
    "distutils.file_util": ("write_file writes any file", "*"),
    "pickle": ("loads a nested pickle (pickle.loads) that no scanner sees", "*"),
    "_pickle": ("C module of pickle", "*"),
    "cPickle": ("+ Python 2 pickle", "*"),
    "dill": ("+ dill.loads/load: nested pickles with code", frozenset({"loads", "load"})),
    "shelve": ("+ opens pickle databases", "*"),
    "numpy": ("+ numpy.load(allow_pickle=True) loads a nested pickle",
              frozenset({"load", "loads"})),
    "numpy.f2py": ("calls eval on strings", "*"),
    "numpy.testing._private.utils": ("runstring is exec", "*"),
    "numpy.ctypeslib": ("+ load_library loads native code", "*"),
    "pandas": ("+ read_pickle/eval: nested pickles and evaluated strings",
               frozenset({"read_pickle", "eval"})),
    "joblib": ("+ joblib.load loads a nested pickle", frozenset({"load"})),
    "torch": ("+ torch.load loads a nested pickle", frozenset({"load"})),
    "torch.serialization": ("load: a nested pickle", frozenset({"load"})),
    "torch.hub": ("+ downloads and runs code", "*"),
    "torch._inductor.codecache": ("compile_file runs a compiler command", frozenset({
        "compile_file"})),
    "torch._dynamo.guards": ("evaluates guard expressions", frozenset({"GuardBuilder"})),
    "torch.fx.experimental.symbolic_shapes": ("evaluates expressions", frozenset({
        "ShapeEnv"})),
    "torch.jit.unsupported_tensor_ops": ("execWrapper is exec", frozenset({"execWrapper"})),
    "torch.utils._config_module": ("load_config unpickles", frozenset({"ConfigModule"})),
    "torch.utils.bottleneck.__main__": ("runs profilers on code", "*"),
    "torch.utils.collect_env": ("run executes a command", frozenset({"run"})),
    "torch.utils.data.datapipes.utils.decoder": ("basichandlers unpickles", frozenset({
        "basichandlers"})),
    "functools": ("partial/reduce call any callable they are given", frozenset({
        "partial", "reduce"})),
    "operator": ("attrgetter/methodcaller reach and call any attribute", frozenset({
        "attrgetter", "itemgetter", "methodcaller", "call"})),
    "_operator": ("C module of operator", frozenset({
        "attrgetter", "itemgetter", "methodcaller", "call"})),
    "cloudpickle.cloudpickle": ("rebuilds functions from code objects", frozenset({
        "_builtin_type", "_make_function", "_function_setstate", "_make_cell",
        "_make_empty_cell", "subimport", "_make_skeleton_class", "dynamic_subimport"})),
    "cloudpickle.cloudpickle_fast": ("+ older cloudpickle: rebuilds functions from code", "*"),
    "dill._dill": ("+ rebuilds functions and code objects, imports modules", frozenset({
        "_create_code", "_create_function", "_import_module", "_load_type", "_get_attr",
        "_eval_repr", "_create_cell"})),
    "bdb": ("debugger: runs code", "*"),
    "pdb": ("debugger: runs code", "*"),
    "cProfile": ("run/runctx exec strings", "*"),
    "profile": ("run/runctx exec strings", "*"),
    "timeit": ("timeit executes a code string", "*"),
    "trace": ("Trace.run executes code", "*"),
    "doctest": ("debug_script runs code", "*"),
    "ensurepip": ("runs pip", "*"),
    "pip": ("installs and runs packages", "*"),
    "venv": ("creates environments, runs commands", "*"),
    "idlelib": ("IDLE internals that run code", "*"),
    "lib2to3": ("grammar loaders that unpickle", "*"),
    "test": ("test.support helpers spawn Python processes", "*"),
    "uuid": ("_get_command_stdout runs commands", "*"),
    "multiprocessing": ("+ starts processes", "*"),
    "signal": ("+ installs handlers, kills processes", "*"),
    "_osx_support": ("_read_output runs commands", "*"),
    "_aix_support": ("_read_cmd_output runs commands", "*"),
    "_pyrepl": ("pagers run commands", "*"),
    "copyreg": ("+ extension codes and helpers resolve callables indirectly", frozenset({
        "<extension>"})),
    "poplib": ("+ network connections (POP3)", "*"),
    "nntplib": ("+ network connections (NNTP)", "*"),
    "xmlrpc": ("+ remote procedure calls over the network", "*"),
    "http": ("+ HTTP clients and servers", "*"),
    "urllib": ("+ URL openers (urlopen, urlretrieve)", "*"),
    "socketserver": ("+ network servers", "*"),
    "_posixsubprocess": ("+ fork_exec runs a command", "*"),
    "_winapi": ("+ CreateProcess runs a command", "*"),
    "_interpreters": ("+ runs code in a subinterpreter", "*"),
    "_xxsubinterpreters": ("+ runs code in a subinterpreter", "*"),
    "interpreters": ("+ runs code in a subinterpreter", "*"),
    "_thread": ("+ starts threads running any callable", "*"),
    "threading": ("+ Thread/Timer run any callable", frozenset({"Thread", "Timer"})),
    "_imp": ("+ low-level importer: loads modules and extensions", "*"),
    "_frozen_importlib": ("+ the importer: imports any module", "*"),
    "_frozen_importlib_external": ("+ the importer: loads any file as code", "*"),
    "site": ("+ executes .pth files and alters the import path", "*"),
    "inspect": ("+ reaches any object's attributes and frames", "*"),
    "gc": ("+ reaches every live object (gc.get_objects)", "*"),
    "unittest": ("+ mock.patch and loaders import and call anything", "*"),
    "__builtins__": ("+ the builtins namespace", "*"),
    "torch.jit": ("+ compiles and runs TorchScript code", "*"),
    "torch._dynamo": ("+ compiles and runs code", "*"),
    "torch._inductor": ("+ generates and runs compiled code", "*"),
    "torch.compile": ("+ compiles and runs code", "*"),
    "torch.storage": ("+ _load_from_bytes calls torch.load on a nested pickle", frozenset({
        "_load_from_bytes"})),
    "torch.distributed.elastic.rendezvous.api": ("+ runs network handlers", "*"),
    "numpy.distutils": ("+ runs build commands", "*"),
    # Scanners' own modules: importing their hooks or helpers turns a scanner off or runs it
    # on attacker-chosen input; a model has no reason to import them.
    "fickling": ("+ a pickle scanner's module (fickling.hook turns its protection off)", "*"),
    "modelscan": ("+ a model scanner's module: no model imports it", "*"),
    "modelaudit": ("+ a model scanner's module: no model imports it", "*"),
    "picklescan": ("+ a pickle scanner's module: no model imports it", "*"),
    UNKNOWN: ("an import whose module or name is computed at load time", "*"),
}
DANGEROUS["builtins"] = (DANGEROUS["builtins"][0], frozenset(DANGEROUS["builtins"][1]) | {
    "__dict__", "__builtins__", "__loader__", "__spec__"})
DANGEROUS["torch"] = ("+ torch.load loads a nested pickle; compile/jit run code",
                      frozenset({"load", "compile", "jit", "_dynamo", "_inductor", "hub"}))


def _step_is_safe(step: str, last: bool) -> bool:
    """One step of a dotted name (`Outer.Inner.method`) that cannot reach code: a class
    name, or a last step that is neither private nor a known dangerous name."""
    if step.startswith("__") or step in DANGEROUS or step in _DANGEROUS_NAMES:
        return False
    return last or step[:1].isupper()


_DANGEROUS_NAMES = frozenset().union(*(n for _, n in DANGEROUS.values() if n != "*"))


def _normalize(module: str, name: str) -> list[tuple[str, str]]:
    """The names a pickle import may resolve to, Python 2 spellings included."""
    names = [(module, name)]
    if (module, name) in _compat_pickle.NAME_MAPPING:
        names.append(_compat_pickle.NAME_MAPPING[(module, name)])
    if module in _compat_pickle.IMPORT_MAPPING:
        names.append((_compat_pickle.IMPORT_MAPPING[module], name))
    return names


def dangerous(item: Global) -> str | None:
    """Why loading this import can run code or reach outside the process, or None.

    Protocol 4 resolves dotted names step by step (`pathlib` + `os.system` is os.system,
    `builtins` + `__dict__.get` reaches every builtin): a dotted name is dangerous unless
    every step is known safe (classes, then a final public name that is not dangerous).
    """
    steps = item.name.split(".")
    if item.nested and item.module != "copyreg":
        return ("imported by a pickle hidden inside a value of this one (raw, hex or base64): "
                "code that calls pickle.loads on that value runs it")
    if len(steps) > 1 and not all(_step_is_safe(s, i == len(steps) - 1)
                                  for i, s in enumerate(steps)):
        return f"reaches {item.name} through {item.module} by attribute steps"
    for module, name in _normalize(item.module, item.name):
        first = name.split(".", 1)[0]  # protocol 4 resolves dotted names: eval.__call__
        if name.startswith("<extension"):
            first = "<extension>"
        parts = module.split(".")
        for depth in range(len(parts), 0, -1):
            entry = DANGEROUS.get(".".join(parts[:depth]))
            if entry is None:
                continue
            reason, names = entry
            if names == "*" or first in names or name in names:
                return reason
    return None


# --------------------------------------------------------------------------- the safe list

# Imports known to be safe in ML pickles, for `--pickle-policy allowlist` (as fickling's
# ML allowlist does): module -> names ("*": every name; a module ending ".*": its submodules).
# Built from what scikit-learn, NumPy, pandas, SciPy, PyTorch state dicts, XGBoost, LightGBM
# and joblib write; an entry of DANGEROUS always wins over this list.
SAFE: dict[str, frozenset[str] | str] = {
    "builtins": frozenset({"set", "frozenset", "dict", "list", "tuple", "slice", "range",
                           "complex", "bytearray", "bytes", "int", "float", "str", "bool",
                           "object", "Ellipsis", "NotImplemented"}),
    "__builtin__": frozenset({"set", "frozenset", "dict", "list", "tuple", "slice", "complex",
                              "bytearray", "int", "float", "str", "unicode", "long", "bool",
                              "object"}),
    "copyreg": frozenset({"_reconstructor", "__newobj__", "__newobj_ex__"}),
    "copy_reg": frozenset({"_reconstructor"}),
    "_codecs": frozenset({"encode"}),
    "collections": frozenset({"OrderedDict", "defaultdict", "Counter", "deque"}),
    "datetime": frozenset({"datetime", "date", "time", "timedelta", "timezone"}),
    "decimal": frozenset({"Decimal"}),
    "fractions": frozenset({"Fraction"}),
    "pathlib": frozenset({"PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath",
                          "Path"}),
    "re": frozenset({"_compile"}),
    "numpy": frozenset({"dtype", "ndarray", "float64", "float32", "int64", "int32", "bool_",
                        "complex128", "random"}),
    "numpy.core.multiarray": frozenset({"_reconstruct", "scalar"}),
    "numpy._core.multiarray": frozenset({"_reconstruct", "scalar"}),
    "numpy.core.numeric": frozenset({"_frombuffer"}),
    "numpy._core.numeric": frozenset({"_frombuffer"}),
    "numpy.dtypes": "*",
    "numpy.random._pickle": frozenset({"__randomstate_ctor", "__bit_generator_ctor",
                                       "__generator_ctor"}),
    "numpy.random.*": "*",
    "numpy.ma.core": frozenset({"_mareconstruct", "MaskedArray"}),
    "scipy.sparse.*": "*",
    "sklearn.*": "*",
    "pandas.*": "*",
    "xgboost.*": "*",
    "lightgbm.*": "*",
    "catboost.*": "*",
    "statsmodels.*": "*",
    "joblib.numpy_pickle": frozenset({"NumpyArrayWrapper", "NDArrayWrapper"}),
    "torch": frozenset({"Size", "device", "dtype", "float32", "float16", "bfloat16", "int64",
                        "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
                        "LongStorage", "IntStorage", "ShortStorage", "CharStorage",
                        "ByteStorage", "BoolStorage", "Tensor"}),
    "torch._utils": frozenset({"_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter",
                               "_rebuild_parameter_with_state", "_rebuild_qtensor",
                               "_rebuild_sparse_tensor", "_rebuild_device_tensor_from_numpy"}),
    "torch.storage": frozenset({"UntypedStorage", "TypedStorage"}),
    "torch.nn.*": "*",
    "torch.optim.*": "*",
}


def allowed(item: Global) -> bool:
    """True when the import is on SAFE (and not dangerous): the allowlist policy's test."""
    if dangerous(item) is not None:
        return False
    for module, name in _normalize(item.module, item.name):
        first = name.split(".", 1)[0]
        parts = module.split(".")
        candidates = [module] + [".".join(parts[:d]) + ".*" for d in range(len(parts), 0, -1)]
        for key in candidates:
            names = SAFE.get(key)
            if names is not None and (names == "*" or first in names):
                return True
    return False
