"""Blocks serialized models of any size, recognized by content (not by name).

Pickles (plain, joblib, inside PyTorch zips) are walked without being loaded; those that import
callables able to run code get their own rule, unsafe-pickle.
"""
from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence

from gitworthy.filetypes import human_size, is_binary, is_lfs_pointer
from gitworthy.findings import Finding, Rule, Severity
from gitworthy.hook import run_hook
from gitworthy.sources import Context, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

ID = "check-serialized-models"

MODEL = Rule(
    id="serialized-model",
    check=ID,
    summary="A serialized model (or pickled object) is committed to git.",
    what="""\
Finds serialized models of any size by their content: pickles (protocols 0-5, with or
without an extension), joblib (plain and zlib/gzip/bz2/xz/lzma/lz4-compressed), cloudpickle and
dill, PyTorch checkpoints (zip and legacy), TorchScript, ONNX, TensorFlow SavedModel and TFLite,
Keras (.keras and HDF5 with model_config/keras_version), safetensors, GGUF/GGML, Core ML,
PMML, XGBoost (binary, JSON, UBJSON), LightGBM text models, CatBoost, skops, R .rds/.RData,
NumPy files holding pickled objects, and model folders (an MLflow `MLmodel` folder, a
SavedModel directory with `variables/`, a Hugging Face folder with `config.json` and weights,
a Core ML `.mlpackage`). A model renamed `weights.dat` is still found; `model.py` or
`model_config.json` are not models. A folder is reported once, under the folder's path, for
its files other than code, notebooks and docs (`.py`, `.ipynb`, `.md`...), which belong in git.""",
    why="""\
A model is the output of training code, not source. In git it cannot be diffed or reviewed, it
bloats every clone forever (even after deletion), and it drifts from the code and data that
made it: the next person cannot tell which commit, data set and parameters produced
`model_final.pkl`. Deployments that load it from git have no version, lineage or stage. And
pickled models run code when loaded, so a model in the repository is also a supply-chain risk.""",
    example="""\
Bad:   git add models/churn.joblib
Good:  mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
       # keep train.py and its config in git; load with models:/churn/3""",
    fix="""\
Log the model to a model registry (`mlflow.<flavor>.log_model`, e.g. `mlflow.sklearn.log_model`)
or upload it to object storage, and reference it by URI and version. Keep the training code and
its configuration in git. If the team has decided to version models in git, track them with
Git LFS (`git lfs track "models/**"`) so only pointers are committed.""",
    severity=Severity.ERROR,
)

UNSAFE = Rule(
    id="unsafe-pickle",
    check=ID,
    summary="A pickle imports a callable that can run code when it is loaded.",
    what="""\
Walks the opcodes of every pickle (plain files, joblib streams after decompression, pickles
inside PyTorch/TorchScript zips, .npz object arrays) without executing them, and reports each
imported callable that can run commands, evaluate code, open files or sockets, or load another
pickle: os/posix/nt.system, subprocess, builtins eval/exec/compile/getattr/__import__/open,
runpy, socket, shutil, sys, pty, importlib, webbrowser, marshal, types.CodeType, functools.partial,
operator.attrgetter, cloudpickle/dill code rebuilders and more (the list in
hooks/gitworthy/pickles.py explains every entry; it is a superset of picklescan's and
modelscan's). An import whose name is computed at load time is reported as
`<unknown>.<unknown>`.""",
    why="""\
`pickle.load`, `joblib.load` and `torch.load(weights_only=False)` execute whatever the pickle
imports and calls. Whoever clones the repository and loads the file runs that code with their
own credentials: on a laptop with cloud keys, in CI with deploy tokens, in production. This is
the most common way malicious models spread.""",
    example="""\
Bad:   a model.pkl whose __reduce__ returns (os.system, ("curl ... | sh",))
Good:  weights in safetensors or ONNX, loaded without code execution""",
    fix="""\
Do not load the file. Delete it from the commit (`git rm --cached <file>`), find out where it
came from, and rebuild the model from its training code. Prefer formats that cannot carry code
(safetensors, ONNX, skops with trusted types), and keep models in a registry.""",
    severity=Severity.CRITICAL,
)

UNINSPECTABLE = Rule(
    id="pickle-not-inspectable",
    check=ID,
    summary="A pickle is truncated, malformed or too large to walk completely.",
    what="""\
Reports a pickle whose opcodes could not be walked to their end: truncated, malformed, an
unknown opcode, or larger than the scan limit (`max-scan-mb`). The imports found before the
point where it stopped are still checked by unsafe-pickle.""",
    why="""\
An unreadable pickle cannot be shown to be safe: a loader may still execute everything up to
the broken byte, and malformed streams are a known way to hide imports from scanners.""",
    example="""\
Bad:   a model.pkl cut off by an interrupted upload or copy
Good:  the complete model, stored in a registry rather than git""",
    fix="""\
Remove the file from the commit (`git rm --cached <file>`). Regenerate the model from its
training code and log it to a registry; raise `--max-scan-mb` if the pickle is just large.""",
    severity=Severity.ERROR,
)

CODE = Rule(
    id="unsafe-model-code",
    check=ID,
    summary="A model carries code that runs when it is loaded (Keras Lambda, TF file ops).",
    what="""\
Reports models that carry executable code outside pickles: Keras Lambda layers (their Python
bytecode is stored in the HDF5 `model_config` or the `.keras` config.json) and TensorFlow
SavedModel graphs using the ReadFile/WriteFile ops (modelscan's checks for these formats).""",
    why="""\
Loading a Keras 2 model with a Lambda layer, or a Keras 3 model with safe_mode=False, runs its
stored bytecode; a graph with file ops reads or writes files when it is served. Whoever loads
the model from the repository runs that code with their own access.""",
    example="""\
Bad:   keras.layers.Lambda(lambda x: x * 2) saved into model.h5 and committed
Good:  a custom layer class in the package's source, registered and reviewed; the model in a
       registry""",
    fix="""\
Replace Lambda layers with registered custom layer classes kept in git, re-save the model, and
log it to a model registry instead of committing it.""",
    severity=Severity.CRITICAL,
)

MODEL_UNINSPECTABLE = Rule(
    id="model-not-inspectable",
    check=ID,
    summary="A model, or an archive that holds one, could not be opened to look inside.",
    what="""\
Reports a model or archive whose content could not all be read: an encrypted member under a
model's name, a 7z archive whose members cannot be unpacked, a skops schema that is not
skops's, members or nested archives past the scan limit (`max-scan-mb`), an archive that is
corrupt after its first members. What was read is still judged by the other rules.""",
    why="""\
What cannot be read cannot be shown safe: archives are the usual way to hide a pickle from a
scanner, and the loader that unpacks them later does not care that the scanner gave up.""",
    example="""\
Bad:   models.7z holding model.pkl, committed to the repository
Good:  the model in a registry; archives of data in object storage or DVC""",
    fix="""\
Remove the file from the commit (`git rm --cached <file>`), unpack it where you can look at
it, and store models in a registry; raise `--max-scan-mb` if the archive is only large.""",
    severity=Severity.ERROR,
)

NOT_ALLOWED = Rule(
    id="pickle-import-not-allowed",
    check=ID,
    summary="A pickle imports something outside the list known safe in ML pickles "
            "(strict mode).",
    what="""\
With `pickle-policy = "allowlist"` (`--pickle-policy allowlist`), reports every import of a
pickle that is not on the list of globals known to be safe in ML pickles: NumPy arrays and
dtypes, scikit-learn, pandas, SciPy sparse, XGBoost, LightGBM, CatBoost, statsmodels,
PyTorch storages, tensors and nn modules, joblib's array wrapper, collections, datetime and
plain builtins (hooks/gitworthy/pickles.py, `SAFE`). The default policy (`blocklist`)
reports only imports known to be dangerous, with unsafe-pickle.""",
    why="""\
A blocklist names the callables known to run code; an attacker's next trick is the one it
does not name yet. An allowlist turns that around: anything unexpected in a model file
blocks the commit until someone looks at it.""",
    example="""\
Bad:   a model.pkl importing mytools.helpers.run_job (unknown: reported in strict mode)
Good:  a scikit-learn Pipeline pickle importing only sklearn.*, numpy and builtins""",
    fix="""\
Look at what the import is. If it is your own class, save the model in a format that does
not pickle code (skops with trusted types, ONNX, safetensors) or keep it out of git; if the
default policy is what the team wants, set `pickle-policy = "blocklist"`.""",
    severity=Severity.ERROR,
)

# Extensions only models use: a file so named that no format recognizes is reported.
MODEL_SUFFIXES = frozenset({".pkl", ".pickle", ".joblib", ".dill", ".cloudpickle", ".pck",
                            ".pt", ".pth", ".safetensors", ".onnx", ".keras", ".gguf", ".ggml",
                            ".cbm", ".skops", ".tflite", ".mlmodel", ".pmml"})

RULES = (MODEL, UNSAFE, UNINSPECTABLE, CODE, MODEL_UNINSPECTABLE, NOT_ALLOWED)
OPTIONS: dict[str, Any] = {"max-scan-mb": 1024, "pickle-policy": "blocklist"}
CHOICES: dict[str, tuple[str, ...]] = {"pickle-policy": ("blocklist", "allowlist")}

HF_WEIGHTS = re.compile(
    r"(?:pytorch_model|model|tf_model|flax_model|adapter_model|diffusion_pytorch_model)"
    r"(?:-\d+-of-\d+)?\.(?:bin|safetensors|h5|msgpack|onnx|ckpt)$|\.safetensors$|\.gguf$")
FOLDER_FLAVOR = {"MLflow model folder": "pyfunc", "TensorFlow SavedModel directory":
                 "tensorflow", "Hugging Face model folder": "transformers",
                 "Core ML package": "pyfunc"}
_folder_cache: tuple[Context, dict[str, tuple[str, str, int]]] | None = None


def model_folders(paths: frozenset[str]) -> dict[str, tuple[str, str, int]]:
    """{folder: (kind, how recognized, file count)} for every model folder among the paths."""
    children: dict[str, set[str]] = {}
    for path in paths:
        parent, _, name = path.rpartition("/")
        children.setdefault(parent, set()).add(name)
        grand, _, sub = parent.rpartition("/")
        if parent:
            children.setdefault(grand, set()).add(sub + "/")
    found: dict[str, tuple[str, str]] = {}
    for folder, names in children.items():
        if "MLmodel" in names:
            found[folder] = ("MLflow model folder", "its MLmodel file")
        elif names & {"saved_model.pb", "saved_model.pbtxt"} and "variables/" in names:
            found[folder] = ("TensorFlow SavedModel directory", "saved_model.pb and variables/")
        elif "config.json" in names and any(HF_WEIGHTS.search(n) for n in names):
            weights = min(n for n in names if HF_WEIGHTS.search(n))
            found[folder] = ("Hugging Face model folder", f"config.json and {weights}")
        elif folder.endswith(".mlpackage") and "Manifest.json" in names:
            found[folder] = ("Core ML package", "an .mlpackage with Manifest.json")
    counts = dict.fromkeys(found, 0)
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder in counts:
                counts[folder] += 1
    return {folder: (*info, counts[folder]) for folder, info in found.items()}


def _folders(context: Context) -> dict[str, tuple[str, str, int]]:
    global _folder_cache
    if _folder_cache is None or _folder_cache[0] is not context:
        _folder_cache = (context, model_folders(context.paths))
    return _folder_cache[1]


def folder_of(path: str, context: Context) -> tuple[str, str, str, int] | None:
    """(folder, kind, how, file count) of the outermost model folder holding `path`, or None."""
    folders = _folders(context)
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder in folders:
            return (folder, *folders[folder])
    return None


# Files that stay in git even inside a model folder: code, notebooks, docs, git metadata.
SOURCE_SUFFIXES = frozenset({".py", ".ipynb", ".r", ".sql", ".sh", ".js", ".ts", ".java",
                             ".scala", ".md", ".rst"})


def _is_source(file: File) -> bool:
    return file.suffix in SOURCE_SUFFIXES or file.name.startswith(".git")


def _hint(flavor: str, path: str) -> str:
    return (f"log it to a model registry (mlflow.{flavor}.log_model) or object storage and "
            "keep the training code and config in git; if the team versions models in git, "
            f"use Git LFS: `git lfs track {shlex.quote(path)}`")


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Judge one file: a model (or a file of a model folder), unsafe imports, broken pickles."""
    from gitworthy import modelformats
    from gitworthy.pickles import allowed, dangerous

    if file.is_symlink or file.size == 0 or is_lfs_pointer(file.head(1024)):
        return
    limit = int(options["max-scan-mb"]) << 20
    strict = options.get("pickle-policy", "blocklist") == "allowlist"
    detection = modelformats.detect(file, limit)
    size = human_size(file.size)
    folder = folder_of(file.path, context) if not _is_source(file) else None
    if folder is not None:
        where, kind, how, count = folder
        yield MODEL.finding(
            where, f"serialized model: {kind} {where}/ ({count} files), recognized by {how}",
            _hint(FOLDER_FLAVOR[kind], where + "/**"), key="folder",
            details={"format": kind, "recognized_by": how, "files": count})
    elif detection is not None and detection.how:
        yield MODEL.finding(
            file.path, f"serialized model: {detection.format} ({size}), recognized by "
                       f"{detection.how}",
            _hint(detection.flavor, file.path), key="model",
            details={"format": detection.format, "recognized_by": detection.how,
                     "size": file.size})
    if detection is None:
        path_config = file.suffix == ".pth" and not is_binary(file.head(8000))  # site's .pth
        if file.suffix in MODEL_SUFFIXES and file.size and not path_config:
            yield MODEL_UNINSPECTABLE.finding(
                file.path, f"named as a model ({file.suffix}) but its bytes are not a model "
                           f"gitworthy can read: truncated, corrupt or another format ({size})",
                f"look at what it is; if it is a model, remove it (git rm --cached "
                f"{shlex.quote(file.path)}) and keep it in a registry", key="unreadable")
        return
    for what, why in detection.code:
        yield CODE.finding(
            file.path, f"model code: {what} ({why}); {detection.format}, {size}",
            "do not load it with code execution enabled; replace the code with reviewed "
            "source in git and log the model to a registry", key=what,
            details={"code": what})
    for where, why in detection.errors:
        inside = f" {where}" if where else ""
        yield MODEL_UNINSPECTABLE.finding(
            file.path, f"{detection.format or 'archive'}{inside} could not be looked into: "
                       f"{why} ({size})",
            f"remove it (git rm --cached -- {shlex.quote(file.path)}), unpack it and look at what "
            "it holds; keep models in a registry", key=f"{where}:unreadable",
            details={"error": why, "member": where})
    for where, scan in detection.pickles:
        inside = f" in {where}" if where else ""
        for item in scan.globals:
            reason = dangerous(item)
            if reason:
                yield UNSAFE.finding(
                    file.path, f"unsafe pickle{inside}: imports {item} ({reason}); loading "
                               f"this file runs it ({size})",
                    f"do not load it; remove it (git rm --cached -- {shlex.quote(file.path)}), "
                    "rebuild the model from its training code, and prefer safetensors/ONNX/skops",
                    key=f"{where}:{item}", details={"callable": str(item), "member": where})
            elif strict and not allowed(item):
                yield NOT_ALLOWED.finding(
                    file.path, f"pickle{inside} imports {item}, which is not on the list of "
                               f"imports known safe in ML pickles ({size})",
                    "check what it is before anyone loads the file; save the model without "
                    "pickled code (skops, ONNX, safetensors), or use pickle-policy = "
                    "\"blocklist\"", key=f"{where}:{item}:not-allowed",
                    details={"callable": str(item), "member": where})
        if scan.error:
            yield UNINSPECTABLE.finding(
                file.path, f"pickle{inside} could not be walked to its end: {scan.error} "
                           f"({size}); its imports are not all known",
                f"remove it (git rm --cached -- {shlex.quote(file.path)}) and regenerate it from "
                "the training code; raise --max-scan-mb if it is only large",
                key=f"{where}:error", details={"error": scan.error, "member": where})


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(ID, argv)


if __name__ == "__main__":
    raise SystemExit(main())
