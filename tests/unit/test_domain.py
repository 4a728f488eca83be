"""Every bot text exists in all four languages."""
import yaml

from connectors.i18n import catalogue
from connectors.settings import PROJECT_ROOT

LANGS = {"pl", "en", "uk", "ru"}


def _language_of(variation: dict) -> str:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return condition["value"]
    return "en"  # the unconditioned variation is the English default


def test_every_response_exists_in_every_language():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    missing = {}
    for name, variations in domain["responses"].items():
        langs = {_language_of(v) for v in variations}
        if langs != LANGS:
            missing[name] = sorted(LANGS - langs)
        assert sum(1 for v in variations if not v.get("condition")) == 1, f"{name}: one English default expected"
    assert missing == {}


def test_every_app_message_exists_in_every_language():
    for key, texts in catalogue().items():
        assert set(texts) == LANGS, key
        assert all(t.strip() for t in texts.values()), key
