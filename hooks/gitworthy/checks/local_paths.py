"""Blocks hard-coded paths that tie a project to one person's machine or one environment:
home folders (`/Users/…`, `/home/…`, `C:\\Users\\…`), mapped drives and network shares
(`Z:\\…`, `\\\\server\\share`), personal cloud-drive folders (OneDrive, Dropbox, Google Drive,
iCloud), in code, configuration and notebooks (sources and outputs).

Documentation (Markdown, reST, plain text, `docs/` folders) is not judged: its paths are
examples. Nor are paths built at run time (`Path.home()`, `os.path.expanduser("~")`,
`$HOME`, `%USERPROFILE%`, `{user}`), nor `/tmp`, nor prefixes allowed in the configuration.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from gitworthy.findings import Finding, Rule
from gitworthy.hook import run_hook
from gitworthy.records import Record
from gitworthy.sources import Context, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

ID = "check-local-paths"
OPTIONS: dict[str, Any] = {"allow-prefixes": [], "max-kb": 2048}

_WHY = ("The code runs on one machine only: the next person who clones the repository, the CI "
        "runner and the production job all fail on a path that does not exist there, and the "
        "path itself tells every reader a colleague's user name or the company's file server.")
_FIX = ("Read the location from a config file (`config.yaml`, `.env` that is not committed), an "
        "environment variable (`os.environ[\"DATA_DIR\"]`) or a command-line argument "
        "(`--data-dir`), with a default relative to the repository (`Path(__file__).parent / "
        "\"data\"`) or built from `Path.home()`. In notebooks, put it in a parameter cell. "
        "Allow a path every environment shares with `allow-prefixes`.")

HOME_PATH = Rule(
    id="home-directory-path", check=ID,
    summary="A hard-coded path into one person's home folder (`/Users/…`, `/home/…`, "
            "`C:\\Users\\…`).",
    what="Flags absolute paths into a user's home folder on macOS, Linux and Windows (WSL "
         "`/mnt/c/Users/…` too) in code, configuration, notebook sources and notebook outputs "
         "(a traceback or a printed path that shows where the author ran it).",
    why=_WHY,
    example="Bad:  df = pd.read_csv(\"/Users/jane/Desktop/churn.csv\")\n"
            "Good: df = pd.read_csv(Path(os.environ.get(\"DATA_DIR\", \"data\")) / \"churn.csv\")",
    fix=_FIX,
)
SHARE_PATH = Rule(
    id="network-share-path", check=ID,
    summary="A hard-coded mapped drive or network share (`Z:\\…`, `\\\\server\\share\\…`).",
    what="Flags paths on mapped drive letters other than `C:` and UNC paths to a file server "
         "(`\\\\fileserver\\analytics\\…`).",
    why=_WHY + " A share is mapped to a different letter, or not at all, on every other "
               "machine and in every container.",
    example="Bad:  SOURCE = r\"\\\\fs01\\finance\\claims\\2024.xlsx\"\n"
            "Good: SOURCE = os.environ[\"CLAIMS_SOURCE\"]   # set per machine, documented "
            "in the README",
    fix=_FIX,
)
CLOUD_PATH = Rule(
    id="cloud-drive-path", check=ID,
    summary="A hard-coded path into a personal cloud-drive folder (OneDrive, Dropbox, "
            "Google Drive, iCloud).",
    what="Flags paths through a synced personal folder: `OneDrive`, `Dropbox`, `Google Drive`, "
         "`My Drive` (Colab's `/content/drive/MyDrive` too), iCloud's `Library/Mobile "
         "Documents` and macOS's `Library/CloudStorage`, including `~/Dropbox/…`.",
    why=_WHY + " The data lives in one person's account: when they leave, it goes with them.",
    example="Bad:  MODEL_DIR = \"~/Dropbox/projects/churn/models\"\n"
            "Good: MODEL_DIR = os.environ[\"MODEL_DIR\"]   # or a model registry",
    fix=_FIX,
)
RULES = (HOME_PATH, SHARE_PATH, CLOUD_PATH)

# What a check judges: code, configuration and notebooks, by extension or by name.
CODE_SUFFIXES = frozenset((
    ".py", ".pyi", ".pyx", ".ipynb", ".r", ".rmd", ".qmd", ".jl", ".sh", ".bash", ".zsh", ".fish",
    ".ps1", ".psm1", ".bat", ".cmd", ".sql", ".scala", ".java", ".kt", ".js", ".mjs", ".cjs",
    ".ts", ".go", ".rs", ".c", ".cc", ".cpp", ".h", ".hpp", ".m", ".do", ".sas", ".swift", ".pl",
    ".rb", ".lua", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".json", ".env",
    ".properties", ".mk", ".dockerfile", ".tf", ".hcl", ".nf", ".smk", ".wdl", ".cwl", ".service"))
CODE_NAMES = frozenset(("dockerfile", "makefile", "snakefile", "jenkinsfile", "procfile",
                        "vagrantfile", "pipfile", ".env", ".envrc", ".bashrc", ".profile"))
DOC_FOLDERS = frozenset(("docs", "doc", "documentation", "man"))

NAME = r"[A-Za-z0-9][\w.\-]*"
SEP = r"(?:\\{1,2}|/)"  # a Windows separator as written, escaped in a string literal or not
HOME = re.compile(
    rf"(?:(?<=file://)|(?<![\w.:/~$%{{}}\\\-]))(?P<prefix>(?:/mnt/[a-z])?/(?:Users|home))/"
    rf"(?P<name>{NAME})"
    rf"|(?<![\w\\])(?P<wprefix>[A-Za-z]:{SEP}(?:[Uu]sers|Documents and Settings)){SEP}"
    rf"(?P<wname>{NAME})")
DRIVE = re.compile(rf"(?<![\w\\/$%-])(?P<drive>[D-Z]):{SEP}(?P<first>[A-Za-z_][\w .\-]*)")
# `\\server\share` as written, or escaped in a string literal (`"\\\\server\\share"`).
UNC = re.compile(r"(?<![\w\\.:/])"
                 r"(?:\\\\(?P<server>[A-Za-z][\w.\-]+)\\(?P<share>[A-Za-z_$][\w.$\-]*)"
                 r"|\\\\\\\\(?P<eserver>[A-Za-z][\w.\-]+)\\\\(?P<eshare>[A-Za-z_$][\w.$\-]*))")
CLOUD = re.compile(r"[/\\](?P<cloud>OneDrive(?: - [^/\\\"'\n]{1,60})?"
                   r"|Dropbox(?: \([^)\n]{1,60}\))?"
                   r"|Google ?Drive|My ?Drive|iCloud ?Drive|Library/Mobile Documents"
                   r"|Library/CloudStorage)(?=[/\\\"'`\s]|$)")
QUOTES = re.compile(r"[\"'`]")
URL = re.compile(r"\b[a-zA-Z][\w+.\-]*://\S*")
REGISTRY = re.compile(r"\b(?:HKEY_[A-Z_]+|HK(?:LM|CU|CR|U|CC)):?\\\S*")
ESCAPE_LIKE = re.compile(r"^(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N)$|^[ntrbfav]$")
# Names that stand for "your user name" in instructions, not anybody's.
PLACEHOLDERS = frozenset(("user", "username", "user-name", "user_name", "yourname", "your-name",
                          "your_name", "yourusername", "you", "me", "name", "someone", "foo",
                          "bar", "example", "xxx", "xxxx", "johndoe", "jdoe", "janedoe",
                          "myuser", "myname", "myusername", "youruser", "someuser", "testuser",
                          "user1", "user2", "<user>", "public", "default", "all users",
                          "shared", "default user"))
PLACEHOLDER_HOSTS = frozenset(("server", "servername", "server-name", "server_name", "sever",
                               "host", "hostname", "computer", "computername", "machine",
                               "example", "domain", "myserver", "localhost", "127.0.0.1", "?",
                               "wsl$", "wsl.localhost"))
# Home folders of shared environments: flagged, but the name identifies no person.
SERVICE_USERS = frozenset(("root", "ubuntu", "jovyan", "runner", "vagrant", "ec2-user",
                           "centos", "admin", "debian", "ubuntu-user", "docker", "node",
                           "docs", "app", "appuser", "jupyter", "runneradmin"))


class Hit(Record):
    """One local path found in a text: its rule, a masked form safe to print, its line."""

    def __init__(self, rule: Rule, shown: str, line: int) -> None:
        self.rule = rule
        self.shown = shown
        self.line = line


def mask(name: str) -> str:
    """A user or server name as findings show it: the first letter only."""
    if name.lower() in SERVICE_USERS:
        return name
    return f"{name[0]}***"


def _excluded_spans(line: str) -> list[tuple[int, int]]:
    """Parts of a line that are not local paths: URLs (other than file://) and registry keys."""
    spans = [m.span() for m in URL.finditer(line) if not m.group(0).lower().startswith("file:")]
    return spans + [m.span() for m in REGISTRY.finditer(line)]


def find_paths(line: str, number: int, allow: Sequence[str], homes: bool = True
               ) -> Iterator[Hit]:
    """The local paths in one line of text (`homes=False`: not home folders, as in a
    Dockerfile, whose `/home/app` is inside the image it builds)."""
    if not any(c in line for c in "/\\") or not line.strip() or "allow-prefixes" in line:
        return  # the configuration's own allowed prefixes are not findings
    excluded = _excluded_spans(line)

    def usable(match: re.Match[str]) -> bool:
        start = match.start()
        if any(a <= start < b for a, b in excluded):
            return False
        rest = re.sub(r"\\\\", r"\\", line[start:]).lower()
        return not any(rest.startswith(prefix.lower()) for prefix in allow)

    clouds = [m for m in CLOUD.finditer(line) if usable(m)]
    for match in HOME.finditer(line):
        name = match.group("name") or match.group("wname")
        prefix = match.group("prefix") or match.group("wprefix")
        if name.lower() in PLACEHOLDERS or len(name) < 2 or not usable(match) or not homes:
            continue
        if any(c.start() > match.start() and not QUOTES.search(line, match.start(), c.start())
               for c in clouds):
            continue  # the same path goes through a cloud drive: reported once, below
        sep = "\\" if "\\" in match.group(0) else "/"
        prefix = re.sub(r"\\+", r"\\", prefix)
        yield Hit(HOME_PATH, f"{prefix}{sep}{mask(name)}{sep}…", number)
    for match in clouds:
        folder = re.sub(r" - .*| \(.*", "", match.group("cloud"))  # `OneDrive - Contoso`: a tenant
        yield Hit(CLOUD_PATH, f"…/{folder}/…", number)
    for match in DRIVE.finditer(line):
        if usable(match):
            yield Hit(SHARE_PATH, f"{match.group('drive')}:\\…", number)
    for match in UNC.finditer(line):
        server = match.group("server") or match.group("eserver")
        share = match.group("share") or match.group("eshare")
        if ESCAPE_LIKE.match(server) or ESCAPE_LIKE.match(share) or not usable(match) or (
                server.lower() in PLACEHOLDER_HOSTS):
            continue
        yield Hit(SHARE_PATH, f"\\\\{mask(server)}\\…", number)


def judged(path: str) -> bool:
    """Whether a path is code, configuration or a notebook outside documentation folders."""
    parts = path.lower().split("/")
    name = parts[-1]
    if any(part in DOC_FOLDERS for part in parts[:-1]):
        return False
    if name in CODE_NAMES or name.startswith((".env", "requirements", "constraints")) and (
            name.endswith((".txt", ".in")) or name.startswith(".env")):
        return True
    dot = name.rfind(".")
    return dot > 0 and name[dot:] in CODE_SUFFIXES or name.startswith("dockerfile")


def _text_lines(file: File, limit: int) -> Iterator[tuple[int, str]]:
    """Numbered lines of a text file, up to `limit` bytes; binary files give none."""
    if b"\0" in file.head(8000):
        return
    read = 0
    with file.open() as stream:
        number = 0
        while read < limit:
            chunk = stream.readline(64 * 1024)
            if not chunk:
                return
            read += len(chunk)
            number += 1
            yield number, chunk.decode("utf-8", "replace")


def _notebook_hits(file: File, allow: Sequence[str]) -> Iterator[tuple[str, Hit]]:
    """(where, hit) for code-cell sources and outputs; markdown cells are documentation."""
    from gitworthy import notebooks

    for cell in notebooks.iter_cells(file):
        if cell.kind == "code":
            for number, line in enumerate(cell.source.splitlines(), 1):
                for hit in find_paths(line, number, allow):
                    yield f"cell {cell.index}", hit
        for out in cell.outputs:
            for number, line in enumerate(out.text.splitlines(), 1):
                for hit in find_paths(line, number, allow):
                    yield f"output of cell {cell.index}", hit


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """One finding per distinct masked path and rule in a file, at its first line."""
    if file.is_symlink or not judged(file.path):
        return
    allow = options["allow-prefixes"]
    found: dict[tuple[str, str, bool], list[str]] = {}
    firsts: dict[tuple[str, str, bool], tuple[Hit, str]] = {}
    if file.suffix == ".ipynb":
        if file.size > options["max-kb"] * 1024 * 32:
            return  # a notebook this size is check-notebook-outputs' finding
        from gitworthy.filetypes import is_lfs_pointer

        if is_lfs_pointer(file.head(1024)):
            return
        hits: Iterator[tuple[str, Hit]] = _notebook_hits(file, allow)
    else:
        homes = not (file.name.lower().startswith(("dockerfile", "containerfile"))
                     or file.suffix == ".dockerfile")
        hits = ((f"line {n}", hit) for n, line in _text_lines(file, options["max-kb"] * 1024)
                for hit in find_paths(line, n, allow, homes))
    for where, hit in hits:
        key = (hit.rule.id, hit.shown, where.startswith("output"))
        found.setdefault(key, []).append(where)
        firsts.setdefault(key, (hit, where))
    for key, places in found.items():
        hit, where = firsts[key]
        more = f" and {len(places) - 1} more place(s)" if len(places) > 1 else ""
        in_output = where.startswith("output")
        what = {"home-directory-path": "one person's home folder",
                "network-share-path": "a mapped drive or network share",
                "cloud-drive-path": "a personal cloud-drive folder"}[hit.rule.id]
        if file.suffix == ".ipynb":
            message = (f"{where}: {'an output shows' if in_output else 'hard-coded'} a path "
                       f"into {what} ({hit.shown}){more}")
            hint = ("strip the outputs (`check-notebook-outputs --fix`) and read the location "
                    "from a parameter cell, an environment variable or a config file"
                    if in_output else
                    "read the location from an environment variable, a config file or a "
                    "parameter cell instead (e.g. `Path(os.environ[\"DATA_DIR\"])`)")
        else:
            message = f"hard-coded path into {what} ({hit.shown}){more}"
            hint = ("read the location from an environment variable, a config file or a "
                    "command-line argument instead (e.g. `Path(os.environ[\"DATA_DIR\"])`), "
                    "or a path relative to the repository")
        yield hit.rule.finding(
            file.path, message, hint, line=None if file.suffix == ".ipynb" else hit.line,
            key=f"{hit.shown}|{'output' if in_output else 'source'}",
            details={"places": len(places), "where": where})


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(ID, argv)


if __name__ == "__main__":
    raise SystemExit(main())
