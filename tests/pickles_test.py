"""The pickle opcode walker: imports found without executing anything, at every protocol."""
from __future__ import annotations

import io
import os
import pickle
import pickletools
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from gitworthy import pickles
from gitworthy.pickles import Global, dangerous, walk

sys.path.insert(0, str(Path(__file__).parent))
import model_files  # tests/model_files.py: generators of heavy formats, to documented layouts


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


class EvilCall:
    def __reduce__(self):
        return (subprocess.call, ("echo pwned",))


class EvilCheckOutput:
    def __reduce__(self):
        return (subprocess.check_output, ("echo pwned",))


def _names(scan: pickles.PickleScan) -> set[str]:
    return {str(g) for g in scan.globals}


@pytest.mark.parametrize("protocol", range(6))
def test_os_system_reduce_is_found_at_every_protocol(protocol):
    scan = walk(pickle.dumps(Evil(), protocol=protocol))
    assert scan.error is None
    assert f"{os.name if os.name == 'nt' else 'posix'}.system" in _names(scan)
    assert all(dangerous(g) for g in scan.globals)


def test_stack_global_operands_read_back_from_the_memo_are_resolved():
    data = pickle.dumps([EvilCall(), EvilCheckOutput()], protocol=4)
    assert any(op.name == "BINGET" for op, _, _ in pickletools.genops(data))
    assert {"subprocess.call", "subprocess.check_output"} <= _names(walk(data))


def test_stack_global_with_computed_operands_is_unknown_and_dangerous():
    # the module name is the result of a call (str('os')): only known at load time
    data = (b"\x80\x04\x8c\x08builtins\x8c\x03str\x93\x8c\x02os\x85R"
            b"\x8c\x06system\x93\x8c\x02id\x85R.")
    scan = walk(data)
    assert Global("<unknown>", "<unknown>") in scan.globals
    assert dangerous(Global("<unknown>", "<unknown>"))


def test_stack_global_on_numbers_is_malformed_as_pickle_load_refuses_it():
    scan = walk(b"\x80\x04K\x01K\x02\x93)R.")  # pickle.load: "STACK_GLOBAL requires str"
    assert scan.error and not scan.globals


def test_python2_builtin_names_are_dangerous():
    scan = walk(b"c__builtin__\neval\n(S'1+1'\ntR.")
    assert Global("__builtin__", "eval") in scan.globals
    assert dangerous(Global("__builtin__", "eval"))


def test_dotted_names_resolving_to_a_dangerous_callable_are_dangerous():
    data = b"\x80\x04\x8c\x08builtins\x8c\reval.__call__\x93."
    scan = walk(data)
    assert Global("builtins", "eval.__call__") in scan.globals
    assert dangerous(scan.globals[0])


def test_ordinary_model_imports_are_not_dangerous():
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    scan = walk(pickle.dumps(model, protocol=5))
    assert scan.error is None and scan.globals
    assert not [g for g in scan.globals if dangerous(g)]


def test_truncated_pickle_reports_an_error_and_keeps_imports_seen_before():
    data = pickle.dumps([Evil(), list(range(1000))], protocol=2)
    scan = walk(data[: len(data) // 2])
    assert scan.error and "truncated" in scan.error
    assert "posix.system" in _names(scan)


def test_unknown_opcode_is_an_error_not_clean():
    scan = walk(b"\x80\x02\xff\xff")
    assert scan.error and "unknown opcode" in scan.error


def test_large_byte_strings_are_skipped_and_the_walk_continues():
    data = pickle.dumps([b"\0" * (3 << 20), Evil()], protocol=4)
    scan = walk(io.BytesIO(data))
    assert scan.error is None
    assert "posix.system" in _names(scan)


def test_scan_limit_stops_a_non_seekable_walk_with_an_error():
    data = pickle.dumps([b"\0" * (3 << 20)], protocol=4)

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    scan = walk(io.BufferedReader(Pipe()), limit=1 << 20)
    assert scan.error and "scan limit" in scan.error


def test_seeking_past_array_bytes_does_not_count_against_the_scan_limit(tmp_path):
    path = tmp_path / "big.joblib"
    joblib.dump({"weights": np.zeros(3 << 17), "payload": Evil()}, path)  # 3 MiB of floats
    with open(path, "rb") as stream:
        scan = walk(stream, limit=1 << 20)
    assert scan.error is None and "posix.system" in _names(scan)


def test_joblib_array_bytes_are_skipped_and_imports_after_them_found(tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump({"weights": np.arange(5000, dtype="f8"), "text": np.array(["ab", "c"]),
                 "payload": Evil()}, path)
    scan = walk(path.read_bytes())
    assert scan.error is None
    assert scan.arrays == 2
    assert "posix.system" in _names(scan)


def test_joblib_object_arrays_are_walked_as_nested_pickles(tmp_path):
    path = tmp_path / "objects.joblib"
    joblib.dump(np.array([Evil(), 1], dtype=object), path)
    scan = walk(path.read_bytes())
    assert scan.error is None and scan.pickles == 2
    assert "posix.system" in _names(scan)


def test_torch_legacy_format_walks_its_five_pickles(tmp_path):
    path = model_files.torch_legacy(tmp_path / "legacy.pt")
    scan = walk(path.read_bytes())
    assert scan.error is None and scan.pickles == 5
    assert scan.first_value == pickles.TORCH_LEGACY_MAGIC
    assert "torch._utils._rebuild_tensor_v2" in _names(scan)


def test_walking_never_executes_the_payload(tmp_path):
    marker = tmp_path / "ran"
    data = pickle.dumps(type("E", (), {"__reduce__": lambda self: (
        os.system, (f"touch {marker}",))})(), protocol=2)
    walk(data)
    assert not marker.exists()


@pytest.mark.parametrize("text", [b"import os\nimport sys\n", b"col1,col2\n1,2\n", b"hello",
                                  b"\x80\x02garbage"])
def test_text_and_random_bytes_do_not_look_like_pickles(text):
    assert not pickles.looks_like_pickle(text)[0]


def test_every_picklescan_unsafe_global_is_dangerous():
    scanner = pytest.importorskip("picklescan.scanner")
    missed = []
    for module, names in scanner._unsafe_globals.items():
        for name in (["anything"] if names == "*" else
                     [names] if isinstance(names, str) else names):
            if not dangerous(Global(module, name)):
                missed.append(f"{module}.{name}")
    assert not missed


def test_every_modelscan_unsafe_global_is_dangerous():
    settings = pytest.importorskip("modelscan.settings")
    missed = []
    for level in settings.DEFAULT_SETTINGS["unsafe_globals"].values():
        for module, names in level.items():
            for name in ["anything"] if names == "*" else names:
                if not dangerous(Global(module, name)):
                    missed.append(f"{module}.{name}")
    assert not missed


def _wrapper_hiding(payload: bytes) -> bytes:
    """A pickle declaring a joblib NumpyArrayWrapper whose 'array bytes' are opcodes."""
    assert len(payload) % 8 == 0
    head = (b"\x80\x04\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}(\x8c\x05shape"
            + b"K" + bytes([len(payload) // 8]) + b"\x85\x8c\x05dtype\x8c\x05numpy\x8c\x05dtype\x93"
            + b"\x8c\x02f8\x89\x88\x87R\x8c\x05order\x8c\x01Cub")
    return head + payload + b"."


def test_imports_hidden_where_joblib_expects_array_bytes_are_found():
    payload = b"0\x8c\x05posix\x8c\x06system\x93\x8c\x04echo\x85R."
    payload += b"N" * (-len(payload) % 8)
    data = _wrapper_hiding(payload)
    assert walk(data).arrays == 1 and "posix.system" not in _names(walk(data))
    scan = pickles.walk_both(lambda: io.BytesIO(data))
    assert "posix.system" in _names(scan)


def test_corrupt_compressed_stream_is_an_error_not_an_exception():
    import bz2

    from gitworthy.modelformats import Inflated

    data = bz2.compress(pickle.dumps(list(range(50000)), protocol=4))
    broken = data[:100] + bytes(len(data) - 100)
    scan = walk(io.BufferedReader(Inflated(io.BytesIO(broken), "bz2")))
    assert scan.error and "cannot be read" in scan.error
