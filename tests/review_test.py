"""The reviewer's view of a pull request, on real repositories: the allow pragmas it adds,
and the review's round trip through the comment artifact."""
from __future__ import annotations

from gitworthy.findings import Finding
from gitworthy.review import Pragma, Review, added_pragmas, sections

from tests.conftest import Repo

SCRIPT = "".join(f"step_{i} = {i} * 0.5\n" for i in range(40))


def test_only_added_pragma_lines_are_listed_with_their_new_line_numbers(repo: Repo) -> None:
    repo.write("etl.py", SCRIPT + "OLD = '/Users/ann/x'  # gitworthy: allow\n")
    repo.write("notes.md", "# notes\n")
    repo.add()
    base = repo.commit("base")
    lines = SCRIPT.splitlines(keepends=True)
    lines.insert(2, "ROOT = '/Users/ann/data'  # gitworthy: allow check-local-paths\n")
    lines.insert(30, "KEY = load()  # gitworthy: allow check-secrets, hardcoded-secret\n")
    repo.write("etl.py", "".join(lines))  # the old pragma line is deleted: not listed
    repo.write("notes.md", "# notes\nwrite `gitworthy: allow` on the line to allow it\n")
    repo.add()
    repo.commit("allow")
    assert added_pragmas(repo.root, f"{base}..HEAD") == [
        Pragma("etl.py", 3, "check-local-paths"),
        Pragma("etl.py", 31, "check-secrets, hardcoded-secret"),
        Pragma("notes.md", 2, ""),
    ]


def test_a_renamed_file_lists_only_its_new_pragma_under_its_new_path(repo: Repo) -> None:
    repo.write("train.py", "OLD = '/Users/ann/x'  # gitworthy: allow\n" + SCRIPT)
    repo.add()
    base = repo.commit("base")
    (repo.root / "src").mkdir()
    repo.git("mv", "train.py", "src/train.py")
    repo.write("src/train.py", "OLD = '/Users/ann/x'  # gitworthy: allow\n" + SCRIPT
               + "W = '/home/ann/w.pkl'  # gitworthy: allow\n")
    repo.add()
    repo.commit("move and allow")
    assert added_pragmas(repo.root, f"{base}..HEAD") == [Pragma("src/train.py", 42, "")]


def test_a_pragma_in_a_file_name_git_quotes_is_listed(repo: Repo) -> None:
    repo.write("README.md", "# churn\n")
    repo.add()
    base = repo.commit("base")
    repo.write('odd\t"name".py', "P = '/Users/ann/p'  # gitworthy: allow\n")
    repo.add()
    repo.commit("odd name")
    assert added_pragmas(repo.root, f"{base}..HEAD") == [Pragma('odd\t"name".py', 1, "")]


def test_review_survives_the_artifact_round_trip_and_rejects_wrong_types() -> None:
    review = Review("base", "the base commit's policy", [".gitworthyignore"],
                    [Finding("check-pii", "pii-in-data", "data/members.csv", "m", "h")],
                    pragmas=[Pragma("etl.py", 3, "check-secrets")])
    again = Review.from_json(review.to_json())
    assert sections(again) == sections(review)
    hostile = Review.from_json({"policy_changed": [3, "a.toml"], "pragmas": [{"line": "x"}],
                                "silenced": ["nope"], "policy_note": {"x": 1}})
    assert hostile.policy_changed == ["a.toml"] and hostile.pragmas == [Pragma("", 0, "")]
    assert hostile.silenced == [] and hostile.policy_note == ""


def test_sections_escape_what_the_pull_request_wrote() -> None:
    review = Review("base", "note", ["<img src=x onerror=alert(1)>.toml"],
                    pragmas=[Pragma("a`b.py", 1, "@team <b>all</b>")])
    text = "\n".join(sections(review))
    assert "<img" not in text.replace("`<img src=x onerror=alert(1)>.toml`", "")
    assert "@team" not in text and "<b>" not in text
