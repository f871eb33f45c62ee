"""Malicious model files, generated: the cases of the peer scanners' test suites and the
hand-written pickles that each ran its payload under a plain `pickle.load`.

Each case is rebuilt from what the peer's test describes (picklescan's
`tests/init_data_files.py` and `tests/test_scanner.py`, fickling's `test/test_bypasses.py`,
modelaudit's `tests/assets/generators/` and scanner tests, modelscan's Keras tests); no file
or code of theirs is copied. Payloads are harmless commands, and nothing here is ever loaded.

`CASES` maps a case id (`peer/what`) to a function returning (file name, bytes).
"""
from __future__ import annotations

import base64
import io
import json
import pickle
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import model_files  # noqa: E402 - tests/model_files.py

Case = Callable[[], tuple[str, bytes]]
CASES: dict[str, Case] = {}


def case(case_id: str, name: str) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        CASES[case_id] = lambda: (name, make())
        return make
    return register


def _args(args: tuple[Any, ...], protocol: int) -> bytes:
    """Opcodes that push `args` as one tuple (no PROTO, no STOP)."""
    data = pickle.dumps(args, protocol=min(protocol, 2))
    return data[2:-1] if protocol >= 2 else data[:-1]


def call(module: str, name: str, args: tuple[Any, ...] = (), protocol: int = 4) -> bytes:
    """A pickle that calls module.name(*args) when loaded, written opcode by opcode (the
    module is never imported here)."""
    if protocol >= 4:
        target = (b"\x8c" + bytes([len(module)]) + module.encode()
                  + b"\x8c" + bytes([len(name)]) + name.encode() + b"\x93")
    else:
        target = b"c" + module.encode() + b"\n" + name.encode() + b"\n"
    head = b"\x80" + bytes([protocol]) if protocol >= 2 else b""
    return head + target + _args(args, protocol) + b"R."


_zip = model_files.zip_bytes


def _flag(data: bytes, bits: int) -> bytes:
    """Set general-purpose flag bits in every local header and central-directory entry."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at >= 0:
            (flags,) = struct.unpack_from("<H", out, at + offset)
            struct.pack_into("<H", out, at + offset, flags | bits)
            at = out.find(signature, at + 4)
    return bytes(out)


EVAL = call("builtins", "eval", ("print('456')",))
SYSTEM = call("posix", "system", ("ls -la",))

# --------------------------------------------------------------------------- picklescan

for _proto in (0, 3, 4):
    case(f"picklescan/eval_v{_proto}", f"malicious1_v{_proto}.pkl")(
        lambda p=_proto: call("builtins" if p >= 3 else "__builtin__", "eval",
                              ("print('456')",), p))
    case(f"picklescan/system_v{_proto}", f"malicious2_v{_proto}.pkl")(
        lambda p=_proto: call("posix", "system", ("ls -la",), p))
for _case_id, (_module, _name, _args_) in {
    "https_connection": ("httplib", "HTTPSConnection", ("github.com",)),
    "requests_get": ("requests.api", "get", ("https://github.com",)),
    "aiohttp_session": ("aiohttp.client", "ClientSession", ()),
    "socket_connect": ("socket", "create_connection", (("github.com", 80),)),
    "subprocess_run": ("subprocess", "run", (["ls", "-l"],)),
    "sys_exit": ("sys", "exit", (0,)),
    "pickle_loads": ("_pickle", "loads", (b"I12345\n.",)),
    "runpy": ("runpy", "_run_code", ("print('456')", {})),
    "bdb_run": ("bdb", "Bdb.run", ("print('456')",)),
    "pip_main": ("pip", "main", (["install", "x"],)),
    "inductor_compile_file": ("torch._inductor.codecache", "compile_file", ("", "", ["sh"])),
    "pydoc_pipepager": ("pydoc", "pipepager", ("", "echo pwned")),
    "venv_create": ("venv", "create", ("venv", False)),
    "timeit": ("timeit", "timeit", ("print(1)",)),
    "numpy_runstring": ("numpy.testing._private.utils", "runstring", ("print(1)", {})),
    "bottleneck": ("torch.utils.bottleneck.__main__", "run_cprofile", ("x", {})),
    "dynamo_guard": ("torch._dynamo.guards", "GuardBuilder.get", ("x",)),
    "symbolic_shapes": ("torch.fx.experimental.symbolic_shapes",
                        "ShapeEnv.evaluate_guards_expression", ("x", [])),
    "collect_env": ("torch.utils.collect_env", "run", ("id",)),
    "datapipes_decoder": ("torch.utils.data.datapipes.utils.decoder", "basichandlers",
                          ("pickle", b"")),
    "jit_exec_wrapper": ("torch.jit.unsupported_tensor_ops", "execWrapper", ("x",)),
    "config_module": ("torch.utils._config_module", "ConfigModule.load_config", (b"",)),
    "trace_run": ("trace", "Trace.run", ("print(1)",)),
    "profile_runctx": ("profile", "Profile.runctx", ("print(1)", {}, {})),
    "grammar_loads": ("lib2to3.pgen2.grammar", "Grammar.loads", (b"",)),
    "idle_settext": ("idlelib.debugobj", "ObjectTreeItem.SetText", ("x",)),
    "idle_get_entity": ("idlelib.autocomplete", "AutoComplete.get_entity", ("x",)),
    "code_runcode": ("code", "InteractiveInterpreter.runcode", ("x",)),
    "ensurepip": ("ensurepip", "_run_pip", (["install"],)),
    "doctest_debug": ("doctest", "debug_script", ("print(1)",)),
    "cprofile_run": ("cProfile", "run", ("print(1)",)),
    "asyncio_start": ("asyncio.unix_events", "_UnixSubprocessTransport._start", ("x",)),
    "write_file": ("distutils.file_util", "write_file", ("x", ["y"])),
    "ctypes_cdll": ("ctypes", "CDLL", ("libc.so.6",)),
    "pydoc_locate": ("pydoc", "locate", ("os.system",)),
    "pty_spawn": ("pty", "spawn", ("sh",)),
    "f2py": ("numpy.f2py.crackfortran", "getlincoef", ("x", {})),
    "io_fileio": ("_io", "FileIO", ("/etc/passwd",)),
    "urlopen": ("urllib.request", "urlopen", ("http://example.com",)),
    "file_handler": ("logging", "FileHandler", ("x.log",)),
    "resolve_name": ("pkgutil", "resolve_name", ("os:system",)),
    "code_type": ("types", "CodeType", (0,)),
    "uuid_command": ("uuid", "_get_command_stdout", ("id",)),
    "osx_support": ("_osx_support", "_read_output", ("id",)),
    "aix_support": ("_aix_support", "_read_cmd_output", ("id",)),
    "imaplib_stream": ("imaplib", "IMAP4_stream", ("id",)),
    "pyrepl_pager": ("_pyrepl.pager", "pipe_pager", ("x", "id")),
    "test_support": ("test.support.script_helper", "assert_python_ok", ("-c", "1")),
    "methodcaller": ("_operator", "methodcaller", ("system", "id")),
}.items():
    case(f"picklescan/{_case_id}", f"{_case_id}.pkl")(
        lambda m=_module, n=_name, a=_args_: call(m, n, a))


@case("picklescan/sour_pickles", "malicious0.pkl")
def _sour_pickles() -> bytes:  # the 2011 "Sour Pickles" chain: globals, compile, eval, apply
    return (b"c__builtin__\nglobals\n(tRp1\n0c__builtin__\ncompile\n(S'x=1'\nS''\nS'exec'\n"
            b"tRp2\n0c__builtin__\neval\n(g2\ng1\ntRp3\n0g3\n.")


@case("picklescan/inst_exec", "malicious10.pkl")
def _inst_exec() -> bytes:
    return b"(S'print(1)'\ni__builtin__\nexec\n."


def _memo_stack_global() -> bytes:  # protocol-0 text pushes, names read back from the memo
    return (b"Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n\x93"
            b"(Vcat flag.txt\ntR.")


case("picklescan/memo_stack_global", "malicious11.pkl")(_memo_stack_global)
case("picklescan/invalid_bytes", "malicious-invalid-bytes.pkl")(
    lambda: _memo_stack_global() + b"\xff\xfe junk")
case("picklescan/zip", "malicious1.zip")(lambda: _zip({"data.pkl": EVAL}))
case("picklescan/zip_wrong_ext", "malicious1_wrong_ext.zip")(lambda: _zip({"data.txt": EVAL}))
for _bits in (0x1, 0x20, 0x40):
    case(f"picklescan/zip_flag_{_bits:#x}", f"malicious1_{_bits:#x}.zip")(
        lambda b=_bits: _flag(_zip({"data.pkl": EVAL}), b))
case("picklescan/zip_central_directory", "malicious1_central_directory.zip")(
    lambda: _zip({"data.pkl": EVAL}).replace(b"data.pkl", b"datap.kl", 1))
case("picklescan/zip_crc", "malicious1_crc.zip")(
    lambda: _zip({"data.pkl": EVAL}).replace(b"print('456')", b"print('123')", 1))


@case("picklescan/seven_zip", "malicious1.7z")
def _seven_zip() -> bytes:
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(EVAL, "data.pkl")
    return buffer.getvalue()


@case("picklescan/torch_magic_bypass", "pytorch_magic_bypass.pt")
def _magic_bypass() -> bytes:  # the legacy magic number produced by eval at load time
    return call("__builtin__", "eval", ("0x1950A86A20F9469CFC6C",), 2) + SYSTEM


@case("picklescan/cloudpickle_code", "cloudpickle_codeinjection.pkl")
def _cloudpickle_code() -> bytes:
    return call("cloudpickle.cloudpickle", "_make_function", ("code", {}))


@case("picklescan/npz_object_array", "object_arrays.npz")
def _npz() -> bytes:
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (118 - len(header)) + b"\n"
    return _zip({"a.npy": b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
                 + SYSTEM})


# --------------------------------------------------------------------------- fickling

for _module, _name in (
        ("pty", "spawn"), ("marshal", "loads"), ("types", "FunctionType"), ("runpy", "run_path"),
        ("cProfile", "run"), ("ctypes", "CDLL"), ("pydoc", "locate"),
        ("importlib", "import_module"), ("code", "interact"), ("multiprocessing", "Process"),
        ("builtins", "__import__"), ("builtins", "eval"), ("builtins", "exec"),
        ("builtins", "getattr"), ("operator", "methodcaller"), ("distutils.file_util",
                                                                "write_file"),
        ("io", "FileIO"), ("numpy.f2py", "getlincoef"), ("poplib", "POP3"), ("nntplib", "NNTP"),
        ("smtplib", "SMTP"), ("ftplib", "FTP"), ("telnetlib", "Telnet"), ("imaplib", "IMAP4"),
        ("asyncio", "create_subprocess_shell"), ("uuid", "_get_command_stdout"),
        ("_aix_support", "_read_cmd_output"), ("_osx_support", "_read_output"),
        ("_interpreters", "create"), ("_xxsubinterpreters", "create"),
        ("torch", "compile"), ("torch.jit", "script"), ("torch._dynamo", "optimize"),
        ("torch._inductor", "compile"), ("torch.hub", "load"), ("torch", "load"),
        ("torch.storage", "_load_from_bytes"), ("numpy.distutils.exec_command",
                                                "exec_command"),
        ("numpy.testing._private.utils", "runstring"), ("torch.utils._config_module",
                                                        "ConfigModule"),
        ("fickling.hook", "deactivate_safe_ml_environment"), ("fickling.hook", "remove_hook"),
        ("modelscan.modelscan", "ModelScan"), ("modelaudit.core", "scan_model_directory_or_file"),
        ("_posixsubprocess", "fork_exec"), ("site", "main"), ("inspect", "getmodule"),
        ("gc", "get_objects"), ("unittest.mock", "patch"), ("_imp", "create_dynamic"),
        ("zipimport", "zipimporter"), ("webbrowser", "open"), ("shutil", "rmtree"),
        ("signal", "raise_signal"), ("sys", "modules"), ("functools", "partial")):
    case(f"fickling/{_module}.{_name}", f"{_module}.{_name}.pkl")(
        lambda m=_module, n=_name: call(m, n, ("x",)))

case("fickling/pathlib_os_system", "pathlib_os_system.pkl")(
    lambda: call("pathlib", "os.system", ("id",)))
case("fickling/global_pty_spawn", "global_pty_spawn.pkl")(
    lambda: b"\x80\x02cpty\nspawn\n(X\x02\x00\x00\x00shtR.")
case("fickling/obj_pop_smtplib", "obj_pop.pkl")(
    lambda: b"\x80\x04(\x8c\x07smtplib\x8c\x04SMTP\x93\x8c\t127.0.0.1o0N.")
for _name in ("exec", "eval", "getattr", "__import__"):
    # malformed protocol 0/1: the call runs, then the stream breaks (no STOP, bad opcode)
    case(f"fickling/malformed_{_name}", f"malformed_{_name}.pkl")(
        lambda n=_name: b"c__builtin__\n" + n.encode() + b"\n(S'id'\ntR\xff")
case("fickling/malformed_pty_spawn", "malformed_pty_spawn.pkl")(
    lambda: b"(S'sh'\nipty\nspawn\n")


@case("fickling/frame_boundary", "frame_boundary.pkl")
def _frame_boundary() -> bytes:  # an opcode that reads past the end of its FRAME
    hidden = b"cos\nsystem\nVecho pwned\n\x85R"
    return (b"\x80\x05N(\x95" + struct.pack("<Q", 2) + b"B\x07\x01\x00\x00\x00\x00"
            + (hidden + b"(").ljust(261, b"N") + b"1.")


# --------------------------------------------------------------------------- modelaudit


class _Inner:
    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("nested pickle executed",))


_NESTED = pickle.dumps(_Inner())
case("modelaudit/nested_raw", "nested_pickle_raw.pkl")(
    lambda: pickle.dumps({"legitimate_data": {"weights": [1, 2, 3]}, "hidden": _NESTED}))
case("modelaudit/nested_base64", "nested_pickle_base64.pkl")(
    lambda: pickle.dumps({"model_config": "ResNet50",
                          "encoded_weights": base64.b64encode(_NESTED).decode()}))
case("modelaudit/nested_hex", "nested_pickle_hex.pkl")(
    lambda: pickle.dumps({"architecture": "transformer", "hex_data": _NESTED.hex()}))
case("modelaudit/nested_multistage", "nested_pickle_multistage.pkl")(
    lambda: pickle.dumps({"stage1": base64.b64encode(pickle.dumps({"stage2": _NESTED}))
                          .decode()}))


@case("modelaudit/tf_pyfunc", "saved_model.pb")
def _pyfunc() -> bytes:  # SavedModel{meta_graphs{graph_def{node{Const}, node{PyFunc}}}}
    pf = model_files.proto_field
    nodes = pf(1, pf(1, "Const") + pf(2, "Const")) + pf(1, pf(1, "bad") + pf(2, "PyFunc"))
    return pf(2, pf(2, nodes))


case("modelaudit/skops_schema_only", "model.skops")(
    lambda: _zip({"schema.json": json.dumps({"version": "1.0"}).encode()}))
case("modelaudit/skops_operator", "malicious.skops")(
    lambda: _zip({"OperatorFuncNode_exploit.json": b'{"type": "exploit"}',
                  "schema.json": b'{"version": "1.0"}'}))
case("modelaudit/catboost_pickle", "model.cbm")(lambda: b"CBM1" + SYSTEM)
case("modelaudit/keras_escaped_lambda", "model.keras")(lambda: _keras_escaped())
case("modelaudit/system_pickle", "model.pkl")(lambda: SYSTEM)
case("modelaudit/joblib_zlib", "model.joblib")(
    lambda: __import__("zlib").compress(SYSTEM))


def _keras_escaped() -> bytes:
    path = Path(__import__("tempfile").mkdtemp()) / "model.keras"
    model_files.keras_zip(path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["config.json"] = (b'{"module": "keras", "class_name": "Sequential", "config": '
                              b'{"layers": [{"class_name": "\\u004cambda", "config": '
                              b'{"function": "4wEAAAAAAAAA"}}]}}')
    return _zip(members)


# --------------------------------------------------------------------------- modelscan


@case("modelscan/keras_metadata_lambda", "keras_metadata.pb")
def _keras_metadata() -> bytes:
    """keras_metadata.pb: SavedMetadata{nodes=[SavedObject{node_id, node_path, identifier,
    metadata=Keras layer JSON}]} with one Lambda layer."""
    pf = model_files.proto_field
    layer = json.dumps({"name": "lambda", "class_name": "Lambda",
                        "config": {"function": ["4wEAAAAAAAAA", None, None]}})
    return (pf(1, pf(2, 0) + pf(3, "root") + pf(4, "_tf_keras_network") + pf(5, "{}"))
            + pf(1, pf(2, 1) + pf(3, "root.layer-0") + pf(4, "_tf_keras_layer") + pf(5, layer)))


case("modelscan/pickle_system", "unsafe.pkl")(lambda: SYSTEM)
case("modelscan/pytorch_zip", "model.pt")(
    lambda: _zip({"archive/data.pkl": call("builtins", "exec", ("x",), 2),
                  "archive/version": b"3\n"}))

# --------------------------------------------------------------------------- by hand (issue)

case("hand/proto0_header", "proto0.pkl")(lambda: b"\x80\x00" + call("os", "system", ("id",), 0))
case("hand/proto1_header", "proto1.pkl")(lambda: b"\x80\x01" + call("os", "system", ("id",), 0))
case("hand/no_proto_stack_global", "headless.pkl")(
    lambda: call("os", "system", ("id",), 4)[2:])
case("hand/harmless_first_tuple", "tuple_first.pkl")(
    lambda: b")0" + call("os", "system", ("id",), 0))
case("hand/harmless_first_int", "int_first.pkl")(
    lambda: b"K\x010" + call("os", "system", ("id",), 0))
case("hand/junk_global_after", "junk_global.pkl")(
    lambda: call("os", "system", ("id",), 0)[:-1] + b"c\xff\xfe\n\x00\n")
case("hand/unknown_opcode_after", "unknown_opcode.pkl")(
    lambda: call("os", "system", ("id",), 0)[:-1] + b"\xff")
case("hand/pathlib_os_system", "pathlib.pkl")(lambda: call("pathlib", "os.system", ("id",)))
case("hand/logging_os_system", "logging.pkl")(lambda: call("logging", "os.system", ("id",)))
case("hand/builtins_dict_get", "dict_get.pkl")(
    lambda: call("builtins", "__dict__.get", ("eval",)))
case("hand/catboost_magic", "model.cbm")(lambda: b"CBM1" + call("os", "system", ("id",), 2))
case("hand/df_pkl_tar_gz", "df.pkl.tar.gz")(lambda: model_files.tar_gz({"df.pkl": SYSTEM}))
case("hand/model_tar_gz_joblib", "model.tar.gz")(
    lambda: model_files.tar_gz({"model.joblib": __import__("zlib").compress(SYSTEM),
                     "code/inference.py": b"import joblib\n"}))
case("hand/df_pkl_zst", "df.pkl.zst")(
    lambda: __import__("zstandard").ZstdCompressor().compress(SYSTEM))
case("hand/zip_junk_prefix", "prefixed.zip")(lambda: bytes(64) + _zip({"data.pkl": SYSTEM}))
case("hand/zip_proto0_payload_bin", "payload.zip")(
    lambda: _zip({"payload.bin": call("os", "system", ("id",), 0)}))
case("hand/lz4_joblib", "model.joblib.lz4")(
    lambda: __import__("lz4.frame").frame.compress(SYSTEM))
case("hand/bz2_xz_lzma", "model.pkl.xz")(lambda: __import__("lzma").compress(SYSTEM))
case("hand/gzip_pickle", "model.pkl.gz")(lambda: __import__("gzip").compress(SYSTEM))
case("hand/zip_in_zip", "outer.zip")(lambda: _zip({"inner.zip": _zip({"m.pkl": SYSTEM})}))
case("hand/deflated_zip_data_descriptor", "deflated.zip")(
    lambda: _zip({"archive/data.pkl": SYSTEM}, zipfile.ZIP_DEFLATED))


def write_all(root: Path, prefix: str = "") -> dict[str, Path]:
    """Every case (or those whose id starts with prefix) written under root/<peer>/."""
    written = {}
    for case_id, make in CASES.items():
        if not case_id.startswith(prefix):
            continue
        name, data = make()
        folder = root / case_id.replace("/", "__").replace(".", "_")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        written[case_id] = folder / name
    return written
