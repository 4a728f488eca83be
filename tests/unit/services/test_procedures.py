"""Documents and fees per procedure, read from knowledge/data/procedures.yml."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.services.procedures import (
    DEFAULT_PATH,
    LANGUAGES,
    ProcedureCatalog,
    UnknownProcedureError,
    default_catalog,
    get_procedure,
    procedure_choices,
)
from connectors.settings import PROJECT_ROOT

CATALOG = default_catalog()
ENTRIES = {p.stem for p in (PROJECT_ROOT / "knowledge" / "entries").glob("*.yml")}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("procedure_id", CATALOG.ids)
def test_every_procedure_has_documents_and_fees_in_each_language(procedure_id, language):
    info = CATALOG.procedure(procedure_id, language)
    assert info.title and info.language == language
    assert info.documents and all(doc.strip() for doc in info.documents)
    assert info.fees
    for fee in info.fees:
        assert fee.label.strip() and fee.payee.strip()
        assert fee.amount_pln is None or fee.amount_pln >= 0
        if fee.amount_pln is None:
            assert fee.note, "an unknown amount must say why"
    assert info.sources and all(s.startswith("http") for s in info.sources)
    assert isinstance(info.checked, date)
    assert info.entry_id in ENTRIES


@pytest.mark.parametrize(
    ("procedure_id", "first_fee"),
    [
        ("temporary-residence-work", 440),
        ("temporary-residence-seasonal-work", 170),
        ("temporary-residence-family", 340),
        ("permanent-residence", 640),
        ("eu-long-term-resident", 640),
        ("power-of-attorney", 17),
        ("national-visa-extension", 406),
        ("work-permit-over-3-months", 400),
        ("work-permit-up-to-3-months", 200),
        ("work-declaration", 400),
    ],
)
def test_known_amounts(procedure_id, first_fee):
    assert get_procedure(procedure_id, "en").fees[0].amount_pln == first_fee


def test_same_shape_in_every_language():
    for procedure_id in CATALOG.ids:
        infos = [CATALOG.procedure(procedure_id, lang) for lang in LANGUAGES]
        assert len({len(i.documents) for i in infos}) == 1
        assert len({tuple(f.amount_pln for f in i.fees) for i in infos}) == 1
        assert len({i.checked for i in infos}) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_choices_list_every_procedure_with_a_title(language):
    choices = procedure_choices(language)
    assert [c.procedure_id for c in choices] == list(CATALOG.ids)
    assert all(c.title for c in choices)
    assert len({c.title for c in choices}) == len(choices)


def test_unknown_procedure_raises_a_clear_error():
    with pytest.raises(UnknownProcedureError) as raised:
        get_procedure("tourist-visa", "pl")
    message = str(raised.value)
    assert "tourist-visa" in message and "temporary-residence-work" in message
    assert isinstance(raised.value, KeyError)


def test_unknown_language():
    with pytest.raises(ValueError, match="language"):
        get_procedure("work-declaration", "de")
    with pytest.raises(ValueError, match="language"):
        procedure_choices("de")


def test_file_missing_a_language_is_refused(tmp_path):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    del data["procedures"]["work-declaration"]["documents"][0]["ru"]
    with pytest.raises(ValueError, match=r"work-declaration\.documents\[0\]"):
        ProcedureCatalog(data)


def test_file_missing_a_title_is_refused():
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    del data["procedures"]["cukr-card"]["title"]
    with pytest.raises(ValueError, match="cukr-card.*title"):
        ProcedureCatalog(data)


def test_unknown_amount_needs_a_note():
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    fee = data["procedures"]["work-declaration"]["fees"][0]
    fee["amount_pln"] = None
    assert ProcedureCatalog(data).procedure("work-declaration", "uk").fees[0].amount_pln is None
    del fee["note"]
    with pytest.raises(ValueError, match="note"):
        ProcedureCatalog(data)
