"""Plain records for the classes every hook run creates (findings, rules, reports, the
scan's context): equality, repr and `replace` by their fields, as a dataclass gives them.

Not dataclasses: importing `dataclasses` (and `inspect` with it) and generating each class's
methods costs a hook about 10 ms of its start-up, more than judging a commit's files.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any, TypeVar

    R = TypeVar("R", bound="Record")


class Record:
    """A class whose fields are its `__init__` parameters, each stored as an attribute."""

    FIELDS: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = getattr(cls.__init__, "__code__", None)  # None: no __init__ of its own yet
        if code is not None:
            cls.FIELDS = code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount]

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:  # a record holding a list or a dict is unhashable, as usual
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"

    def replace(self: R, **changes: Any) -> R:
        """A copy with some fields changed (`dataclasses.replace`)."""
        return type(self)(**{**{name: getattr(self, name) for name in self.FIELDS}, **changes})
