"""Blocks versioning by file name: `_v2`, `_final`, `_old`, `.bak`, `~`, `Copy of`, ` (1)`,
dated copies, and their combinations (`model_final_v2_FINAL.ipynb`)."""
from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterator, Sequence
from fnmatch import fnmatch
from functools import lru_cache

from gitworthy.findings import Finding, Rule
from gitworthy.hook import run_hook
from gitworthy.sources import Context, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

ID = "check-adhoc-filenames"
OPTIONS: dict[str, Any] = {"allow": [], "extra-patterns": []}

VERSIONED = Rule(
    id="versioned-filename", check=ID,
    summary="A file versioned by its name (`_v2`, `_final`, `_old`, a date, `Copy of`, ` (1)`).",
    what="Flags file names that carry a version, a status or a date as a suffix "
         "(`etl_v2.py`, `model_final.pkl`, `report_old.ipynb`, `clean_2020-01-15.py`, "
         "`analysis (1).ipynb`, `Copy of features.py`), and says when the undecorated sibling "
         "is in the repository too.",
    why="Git already keeps every version, with who changed what and why. A second copy under a "
        "new name forks the code silently: fixes land in one copy and not the other, reviewers "
        "diff the wrong file, and a year later nobody knows whether `train_final.py` or "
        "`train_final_v2.py` made the model in production.",
    example="Bad:  etl.py, etl_v2.py, etl_final.py\n"
            "Good: etl.py, with its history in git (`git log -p etl.py`) and a tag or a branch "
            "for the version that matters: `git tag model-2024-03`",
    fix="Keep one file under its plain name: merge the changes into it and `git rm` the copies "
        "(`git mv etl_v2.py etl.py` when the copy is the one to keep). Mark versions with tags, "
        "branches or a model registry, not names.",
)
BACKUP = Rule(
    id="backup-file", check=ID,
    summary="An editor, merge or notebook leftover (`.bak`, `.orig`, `~`, `.swp`, "
            "`.ipynb_checkpoints/`).",
    what="Flags backup and temporary files that tools leave beside the real one: `*.bak`, "
         "`*.orig` (merge conflicts), `*~` and `#*#` (editors), `.*.swp` (vim), and Jupyter's "
         "`.ipynb_checkpoints/` copies.",
    why="They are stale copies of files that are already in git: they confuse readers and "
        "searches, and a `.orig` or checkpoint copy can hold outputs or secrets that the real "
        "file no longer has.",
    example="Bad:  git add -A   (adds etl.py.orig and .ipynb_checkpoints/eda-checkpoint.ipynb)\n"
            "Good: printf '*.orig\\n*.bak\\n*~\\n.ipynb_checkpoints/\\n' >> .gitignore",
    fix="`git rm --cached` the file and add its pattern to .gitignore.",
)
UNTITLED = Rule(
    id="untitled-file", check=ID,
    summary="A notebook or file still under its editor's default name (`Untitled3.ipynb`).",
    what="Flags files and folders that Jupyter, JupyterLab or VS Code named for the author "
         "(`Untitled.ipynb`, `Untitled3.ipynb`, `Untitled-1.ipynb`, `untitled.txt`, "
         "`Untitled Folder/`).",
    why="Nobody can tell what `Untitled3.ipynb` does without opening it, and the next "
        "`Untitled4.ipynb` lands beside it: scratch work committed by `git add -A`.",
    example="Bad:  notebooks/Untitled3.ipynb\n"
            "Good: notebooks/2024-03-churn-feature-importance.ipynb",
    fix="Rename it for what it does (`git mv Untitled3.ipynb churn-eda.ipynb`), or remove it "
        "if it was scratch work (`git rm --cached PATH`).",
)
RULES = (VERSIONED, BACKUP, UNTITLED)

# Tokens that are a version or status wherever they stand at the end of a name.
CLEAR_TOKEN = re.compile(r"^(?:v|ver|version|rev)\d+$|^(?:final|finalfinal|old|older|bak)$",
                         re.IGNORECASE)
# Tokens that are also ordinary words (`deep_copy.py`, `whats_new.md`): flagged only when the
# undecorated sibling exists.
WEAK_TOKEN = re.compile(r"^(?:new|newer|newest|copy|backup|latest|updated|revised|edited|"
                        r"modified|corrected|draft|\d)$", re.IGNORECASE)
DATE_SUFFIX = re.compile(
    r"[\s_\-.]((?:19|20)\d\d([-_.]?)(?:0[1-9]|1[0-2])\2(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[1-9]|[12]\d|3[01])([-_.])(?:0[1-9]|[12]\d|3[01])\3(?:19|20)\d\d)$")
SPLIT = re.compile(r"[\s_\-.]+|(?<=[a-z])(?=[A-Z])")
COPY_PREFIX = re.compile(r"^copy[ _]of[ _]", re.IGNORECASE)
COPY_SUFFIX = re.compile(r"(?: - copy(?: \(\d+\))?| copy(?: \d+)?| ?\((?:copy(?: \d+)?|\d+)\)"
                         r"|-copy\d+)$", re.IGNORECASE)  # `-Copy1`: Jupyter's "Duplicate"
PREFIX = re.compile(r"^(old|new|copy|backup|bak|orig|original|tmp|temp)[_\-. ]+(?=.)",
                    re.IGNORECASE)  # `old_etl.py`: flagged only beside `etl.py`
BACKUP_SUFFIX = r"(?:\.(?:bak\d*|backup|orig|old|rej|swp|swo|save(?:\.\d+)?)|~)$"
BACKUP_NAME = re.compile(rf"{BACKUP_SUFFIX}|^#.*#$|^\.#", re.IGNORECASE)
UNTITLED_NAME = re.compile(r"^untitled(?:[-_ ]?\d+)?(?:\.[\w]+)?$|^untitled folder(?: \d+)?$",
                           re.IGNORECASE)
# Document names that merely look versioned.
BUILTIN_ALLOW = ("*whats_new*", "*what_s_new*", "*whatsnew*", "*-checkpoint.py")
# Model architectures whose version is part of their name (`mobilenet_v2.py`): allowed when
# the version is the only decoration.
ARCHITECTURE = re.compile(
    r"^(?:\w*[_\-])?(?:(?:res|wide_?res|mobile|efficient|dense|squeeze|shuffle|reg|ghost|mnas|"
    r"conv|u|v|dark|alex|le|google|se|pnas|nas|hr|mix|fb|rex|csp|point|seg|e|pose|face)"
    r"(?:net|next)|resnext|efficientdet|mobilevit|deeplab|inception|xception|yolo|vgg|bert|"
    r"roberta|gpt|llama|t5|rcnn|mask_?rcnn|vit|swin|detr|wav2vec|whisper|clip)\d*$",
    re.IGNORECASE)
FIGURES = frozenset((".png", ".jpg", ".jpeg", ".svg", ".gif", ".pdf", ".eps", ".tif", ".tiff",
                     ".webp", ".bmp"))


def split_name(name: str) -> tuple[str, str]:
    """'model_v2.tar.gz' -> ('model_v2', '.tar.gz'); dotfiles keep their name as stem."""
    match = re.match(r"^(.+?)((?:\.tar)?\.[A-Za-z0-9]{1,12})?\Z", name, re.DOTALL)
    assert match
    return match.group(1), match.group(2) or ""


def decorations(stem: str) -> tuple[str, list[str], list[str]]:
    """Strip trailing versioning tokens: ('model_final_v2', ...) -> ('model', clear, weak)."""
    clear: list[str] = []
    weak: list[str] = []
    base = stem
    while True:
        if match := COPY_PREFIX.match(base):
            clear.append(match.group(0).strip(" _"))
            base = base[match.end():]
            continue
        if (match := COPY_SUFFIX.search(base)) and match.start() > 0:
            clear.append(match.group(0).strip())
            base = base[: match.start()]
            continue
        if (match := DATE_SUFFIX.search(base)) and match.start() > 0:
            clear.append(match.group(1))
            base = base[: match.start()]
            continue
        tokens = [t for t in SPLIT.split(base) if t]
        if len(tokens) < 2:
            return base, clear, weak
        last = tokens[-1]
        if CLEAR_TOKEN.match(last):
            clear.append(last)
        elif WEAK_TOKEN.match(last):
            weak.append(last)
        else:
            return base, clear, weak
        base = re.sub(rf"[\s_\-.]*{re.escape(last)}$", "", base)


@lru_cache(maxsize=8)
def _spec(patterns: tuple[str, ...]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _sibling(directory: str, base: str, extension: str, paths: frozenset[str]) -> str | None:
    candidates = [f"{directory}{base}{extension}"]
    candidates += [p for p in (f"{directory}{base}",) if extension == ""]
    return next((c for c in candidates if c in paths), None)


def _folder_copy(path: str, context: Context) -> Iterator[Finding]:
    """A folder copied by hand (`notebooks_v1/` beside `notebooks/`): flagged when the
    undecorated folder holds the same file, the evidence the file rule asks of weak words."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        name = unicodedata.normalize("NFKC", part)
        base, clear, weak = decorations(name)
        if not (clear or weak) or base == name or not base:
            continue
        if ARCHITECTURE.match(base) and not weak and len(clear) == 1:
            continue
        sibling = "/".join([*parts[:i], base])
        if "/".join([sibling, *parts[i + 1:]]) not in context.paths:
            continue
        folder = "/".join(parts[: i + 1])
        tokens = ", ".join(f"`{t}`" for t in reversed(clear + weak))
        yield VERSIONED.finding(
            folder, f"folder versioned by name ({tokens}): a copy of {sibling}/ holding the "
                    "same files",
            f"merge what differs into {shlex.quote(sibling)}, then `git rm -r "
            f"{shlex.quote(folder)}`; mark releases with `git tag`", key=f"folder {sibling}",
            details={"tokens": clear + weak, "sibling": sibling})


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Judge one file by its path only; no content is read."""
    raw_name = file.name
    name = unicodedata.normalize("NFKC", raw_name)  # `ｒｅｐｏｒｔ＿ｖ２` is `report_v2`
    directory = file.path[: len(file.path) - len(raw_name)]
    if any(fnmatch(name.lower(), pattern) for pattern in BUILTIN_ALLOW) or (
            options["allow"] and _spec(tuple(options["allow"])).match_file(file.path)):
        return
    if "/" in file.path:
        yield from _folder_copy(file.path, context)
    quoted = shlex.quote(file.path)
    if "/.ipynb_checkpoints/" in f"/{file.path}" or BACKUP_NAME.search(name):
        original = re.sub(BACKUP_SUFFIX, "", name, flags=re.IGNORECASE).strip("#").lstrip(".")
        beside = f" (the original {directory}{original} is in the repository)" if (
            f"{directory}{original}" in context.paths and original != name) else ""
        yield BACKUP.finding(file.path, f"backup or editor leftover{beside}",
                             f"`git rm --cached {quoted}` and add its pattern to .gitignore")
        return
    parts = file.path.split("/")
    untitled = next((i for i, part in enumerate(parts)
                     if UNTITLED_NAME.match(unicodedata.normalize("NFKC", part))), None)
    if untitled is not None:
        source = "/".join(parts[: untitled + 1])
        _, extension = split_name(parts[untitled]) if untitled == len(parts) - 1 else ("", "")
        target = "/".join([*parts[:untitled], f"NAME{extension}"])
        yield UNTITLED.finding(
            source, f"still under the editor's default name ({parts[untitled]})",
            f"name it for what it holds: `git mv {shlex.quote(source)} {shlex.quote(target)}` "
            f"(NAME: what it does), or `git rm -r --cached {shlex.quote(source)}` if it was "
            "scratch work")
        return
    stem, extension = split_name(name)
    base, clear, weak = decorations(stem)
    if extension.lower() in FIGURES:
        weak = [t for t in weak if not t.isdigit()]  # `bias-variance-2.png`: figure numbering
    if clear and not weak and len(clear) == 1 and ARCHITECTURE.match(base) and (
            CLEAR_TOKEN.match(clear[0]) and clear[0][0].lower() in "vr"):
        return  # `mobilenet_v2.py`: the version is the architecture's name
    sibling = _sibling(directory, base, extension, context.paths) if clear or weak else None
    if not (clear or weak) and (prefix := PREFIX.match(stem)):
        rest = stem[prefix.end():]
        sibling = _sibling(directory, rest, extension, context.paths)
        if sibling:
            base, weak = rest, [prefix.group(1)]
    if clear or (weak and sibling):
        tokens = ", ".join(f"`{t}`" for t in reversed(clear + weak))
        where = (f"; the undecorated {sibling} is in the repository too" if sibling
                 else "")
        target = sibling or f"{directory}{base}{extension}"
        yield VERSIONED.finding(
            file.path, f"versioned by name ({tokens}){where}",
            f"keep one {target} and let git hold its versions: merge the changes, then "
            f"`git rm {quoted}` (or `git mv {quoted} {shlex.quote(target)}`); "
            "mark releases with `git tag`", details={"tokens": clear + weak,
                                                     "sibling": sibling})
        return
    if options["extra-patterns"] and _spec(tuple(options["extra-patterns"])).match_file(
            file.path):
        yield VERSIONED.finding(
            file.path, "matches a versioned-name pattern configured for this repository",
            "keep one file under its plain name and let git hold its versions",
            key="extra-patterns")


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(ID, argv)


if __name__ == "__main__":
    raise SystemExit(main())
