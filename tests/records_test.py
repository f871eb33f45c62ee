"""Records behave as the dataclasses they replaced: equality, repr, hashing and replace()."""
from __future__ import annotations

import pickle

import pytest
from gitworthy.engine import Report
from gitworthy.findings import Finding, ScanError, Severity
from gitworthy.pickles import Global


def finding(**changes: object) -> Finding:
    base = Finding("check-pii", "pii-in-data", "data/members.csv", "column 'email' holds e-mail",
                   "drop the column", line=3, key="email")
    return base.replace(**changes)


def test_records_are_equal_by_their_fields_and_replace_changes_only_the_named_ones() -> None:
    changed = finding(severity=Severity.WARNING)
    assert finding() == finding() and changed != finding()
    assert (changed.severity, changed.key, changed.line) == (Severity.WARNING, "email", 3)
    assert finding().details == {} and finding().details is not finding().details


def test_a_record_repr_names_its_fields_as_a_dataclass_did() -> None:
    assert repr(ScanError("a.pkl", "truncated")) == (
        "ScanError(path='a.pkl', message='truncated', blob='')")


def test_a_record_holding_a_list_is_unhashable_and_one_of_strings_is_hashable() -> None:
    assert len({ScanError("a", "b"), ScanError("a", "b")}) == 1
    with pytest.raises(TypeError):
        hash(Report())


def test_records_cross_to_worker_processes_by_pickle() -> None:
    assert pickle.loads(pickle.dumps(finding())) == finding()


def test_a_pickle_global_is_one_import_whether_nested_or_not() -> None:
    assert Global("os", "system", nested=True) == Global("os", "system")
    assert len({Global("os", "system", nested=True), Global("os", "system")}) == 1
    assert str(Global("os", "system")) == "os.system"
