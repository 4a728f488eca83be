"""Documents and fees per procedure, read from ``knowledge/data/procedures.yml``.

The file is the only place these lists and amounts live; this module picks one language and
hands back typed, read-only data. ``amount_pln`` may be ``None``: the amount is uncertain and
the fee's note says why.

Example::

    >>> catalog = default_catalog()
    >>> info = catalog.procedure("work-declaration", "en")
    >>> info.fees[0].amount_pln
    400
    >>> [c.procedure_id for c in catalog.choices("pl")][:1]
    ['temporary-residence-work']
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = [
    "LANGUAGES",
    "DEFAULT_PATH",
    "Fee",
    "ProcedureInfo",
    "ProcedureChoice",
    "UnknownProcedureError",
    "ProcedureCatalog",
    "default_catalog",
    "get_procedure",
    "procedure_choices",
]

LANGUAGES: Final = ("pl", "en", "uk", "ru")
DEFAULT_PATH: Final = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "procedures.yml"


@dataclass(frozen=True)
class Fee:
    """One fee: ``amount_pln`` is ``None`` when the amount is uncertain (``note`` says why)."""

    label: str
    amount_pln: int | None
    note: str | None
    payee: str


@dataclass(frozen=True)
class ProcedureInfo:
    """Documents and fees of one procedure in one language."""

    procedure_id: str
    language: str
    title: str
    entry_id: str
    documents: tuple[str, ...]
    fees: tuple[Fee, ...]
    sources: tuple[str, ...]
    checked: date


@dataclass(frozen=True)
class ProcedureChoice:
    """A procedure id with its title, for a choice button."""

    procedure_id: str
    title: str


class UnknownProcedureError(KeyError):
    """No procedure with this id in the file."""

    def __init__(self, procedure_id: str, known: tuple[str, ...]) -> None:
        self.procedure_id = procedure_id
        super().__init__(f"unknown procedure {procedure_id!r}; known: {', '.join(known)}")

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


class ProcedureCatalog:
    """The procedures of one ``procedures.yml`` file.

    Args:
        data: the parsed file (a mapping with a ``procedures`` key).

    Raises:
        ValueError: the data lacks a language, a title, documents or fees somewhere.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        procedures = data.get("procedures")
        if not isinstance(procedures, dict) or not procedures:
            raise ValueError("procedures.yml has no 'procedures' mapping")
        for procedure_id, raw in procedures.items():
            _check_procedure(procedure_id, raw)
        self._raw: dict[str, dict[str, Any]] = procedures

    @classmethod
    def from_file(cls, path: Path = DEFAULT_PATH) -> "ProcedureCatalog":
        """Read and check a procedures file."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    @property
    def ids(self) -> tuple[str, ...]:
        """Procedure ids in file order."""
        return tuple(self._raw)

    def procedure(self, procedure_id: str, language: str) -> ProcedureInfo:
        """Documents, fees, sources and checked date of ``procedure_id`` in ``language``.

        Raises:
            UnknownProcedureError: no such procedure.
            ValueError: a language other than pl, en, uk, ru.
        """
        _check_language(language)
        raw = self._raw.get(procedure_id)
        if raw is None:
            raise UnknownProcedureError(procedure_id, self.ids)
        return ProcedureInfo(
            procedure_id=procedure_id,
            language=language,
            title=raw["title"][language],
            entry_id=raw["entry"],
            documents=tuple(doc[language] for doc in raw["documents"]),
            fees=tuple(
                Fee(
                    label=fee["label"][language],
                    amount_pln=fee.get("amount_pln"),
                    note=(fee.get("note") or {}).get(language),
                    payee=fee["payee"][language],
                )
                for fee in raw["fees"]
            ),
            sources=tuple(raw.get("sources") or ()),
            checked=_as_date(raw["checked"]),
        )

    def choices(self, language: str) -> list[ProcedureChoice]:
        """Every procedure with its title in ``language``, in file order (for buttons)."""
        _check_language(language)
        return [ProcedureChoice(pid, raw["title"][language]) for pid, raw in self._raw.items()]


@lru_cache(maxsize=1)
def default_catalog() -> ProcedureCatalog:
    """The project's catalog, read once per process."""
    return ProcedureCatalog.from_file(DEFAULT_PATH)


def get_procedure(procedure_id: str, language: str) -> ProcedureInfo:
    """Shortcut for ``default_catalog().procedure(procedure_id, language)``."""
    return default_catalog().procedure(procedure_id, language)


def procedure_choices(language: str) -> list[ProcedureChoice]:
    """Shortcut for ``default_catalog().choices(language)``."""
    return default_catalog().choices(language)


# --- internals ---------------------------------------------------------------------------

def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {', '.join(LANGUAGES)}")


def _four(value: Any, where: str) -> None:
    if not isinstance(value, dict) or any(not value.get(lang) for lang in LANGUAGES):
        raise ValueError(f"{where}: needs a text in each of {', '.join(LANGUAGES)}")


def _check_procedure(procedure_id: str, raw: Any) -> None:
    if not isinstance(raw, dict):
        raise ValueError(f"procedure {procedure_id!r} is not a mapping")
    for key in ("entry", "title", "documents", "fees", "checked"):
        if not raw.get(key):
            raise ValueError(f"procedure {procedure_id!r} has no {key!r}")
    _four(raw["title"], f"{procedure_id}.title")
    for i, doc in enumerate(raw["documents"]):
        _four(doc, f"{procedure_id}.documents[{i}]")
    for i, fee in enumerate(raw["fees"]):
        _four(fee.get("label"), f"{procedure_id}.fees[{i}].label")
        _four(fee.get("payee"), f"{procedure_id}.fees[{i}].payee")
        if fee.get("note") is not None:
            _four(fee["note"], f"{procedure_id}.fees[{i}].note")
        amount = fee.get("amount_pln")
        if amount is None and fee.get("note") is None:
            raise ValueError(f"{procedure_id}.fees[{i}]: an unknown amount needs a note saying why")
        if amount is not None and (not isinstance(amount, int) or amount < 0):
            raise ValueError(f"{procedure_id}.fees[{i}].amount_pln must be a whole number of zł or null")
    _as_date(raw["checked"])


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
