"""Country selection: country-specific recognizers run only for the configured countries (plus
the documented default set when none is configured); phone regions follow the countries."""
from __future__ import annotations

import pytest

from dataguard import defaults
from dataguard.types import Chunk, RecognizerSpec, Unit

# an English server log with numbers of other countries, each after its context word (a number
# that passes a check digit by chance needs one)
LOG = ("2025-03-14 09:12:01 order 48291736Q accepted (ES NIF shape)\n"
       "2025-03-14 09:12:02 medicare 2123456700 shipped (AU Medicare shape)\n"
       "2025-03-14 09:12:03 nhs 943 476 5919 billed (UK NHS shape)\n"
       "2025-03-14 09:12:04 tax file number 123 456 782 archived (AU TFN shape)\n")
COUNTRY_ENTITIES = {"ES_NIF": "ES", "AU_MEDICARE": "AU", "UK_NHS": "GB", "AU_TFN": "AU"}


def _entities(countries, text=LOG, custom=()):
    from dataguard.detect import Detector
    det = Detector(ner=False, entities=set(COUNTRY_ENTITIES) | {c.entity for c in custom}, countries=countries,
                   custom=custom)
    chunk = Chunk(Unit("/t", "/t/log.txt", "log.txt"), text)
    return {m.entity_type for _, ms in det.analyze([chunk]) for m in ms}


def test_no_country_recognizer_fires_for_a_country_not_configured():
    assert _entities(("SS", "KE")) == set()


@pytest.mark.parametrize("entity, country", sorted(COUNTRY_ENTITIES.items()))
def test_a_configured_country_runs_its_recognizers(entity, country):
    assert entity in _entities((country,))


def test_default_countries_are_headquarters():
    from dataguard.detect import DetectorConfig
    assert DetectorConfig().countries == defaults.COUNTRIES
    assert "GB" in defaults.COUNTRIES and "ES" not in defaults.COUNTRIES and "AU" not in defaults.COUNTRIES


def test_pack_recognizer_with_countries():
    spec = RecognizerSpec(entity="TR_NATIONAL_ID", pack="t", countries=("TR",), validator="stdnum:tr.tckimlik",
                          patterns=(__import__("dataguard.types", fromlist=["PatternSpec"]).PatternSpec(
                              "tr", r"\b[1-9]\d{10}\b", 0.6),))
    text = "kimlik 17291716060\n"
    assert "TR_NATIONAL_ID" in _entities(("TR",), text, (spec,))
    assert "TR_NATIONAL_ID" not in _entities(("JO",), text, (spec,))


def test_config_countries_drive_phone_regions_and_detector(tmp_path):
    from dataguard.config import load_config
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text("countries: [ml, CO]\nphone_regions: [SN]\n")
    c = load_config(cfg)
    assert c.countries == ["ML", "CO"] and c.phone_regions == ["SN"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("countries: [MALI]\n")
    from dataguard.config import ConfigError
    with pytest.raises(ConfigError) as ei:
        load_config(bad)
    assert "countries" in str(ei.value)
