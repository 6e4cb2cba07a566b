"""Every registered setting is documented, and the environment overrides defaults."""

from __future__ import annotations

from pathlib import Path

from sanctionwatch import settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_settings_doc_is_current():
    assert DOC.read_text() == settings.markdown(), "regenerate: python -m sanctionwatch.settings > docs/settings.md"


def test_env_overrides_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SANCTIONWATCH_STORE", raising=False)
    assert settings.store_path() == Path("./sw-store")
    monkeypatch.setenv("SANCTIONWATCH_STORE", str(tmp_path))
    assert settings.store_path() == tmp_path
    assert settings.store_path("explicit") == Path("explicit")
