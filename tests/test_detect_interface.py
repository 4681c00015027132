"""The detector's interfaces: the fake detector in step with the real one, DetectorConfig,
the entity-traits table against Presidio, and no import cycle inside dataguard.detect."""
from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

import dataguard.detect as detect_pkg
from dataguard.detect import Detector, DetectorConfig, known_entities
from dataguard.detect.entities import NER_ENTITIES, TABLE, traits
from dataguard.types import RecognizerSpec
from tests.fakes import FakeDetector


@pytest.fixture(scope="module")
def patterns_only():
    return Detector(ner=False)


def _public(cls) -> dict:
    out = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(inspect.getattr_static(cls, name), property):
            out[name] = "property"
        elif callable(member):
            # the parameters (names, kinds, defaults, annotations); a constructor returns its own class
            out[name] = str(inspect.signature(member).replace(return_annotation=inspect.Signature.empty))
    return out


def test_fake_detector_has_the_real_detectors_interface():
    assert _public(FakeDetector) == _public(Detector)


def test_fake_detector_holds_the_same_instance_attributes(patterns_only):
    fake = FakeDetector(ner=False)
    public = lambda obj: {k for k in vars(obj) if not k.startswith("_")}   # noqa: E731
    assert public(fake) == public(patterns_only)
    assert fake.config == patterns_only.config


def test_config_and_keywords_build_the_same_detector(patterns_only):
    custom = (RecognizerSpec(entity="DONOR", deny_list=("ECHO",)),)
    by_kwargs = Detector(ner=False, entities={"EMAIL_ADDRESS", "DONOR"}, custom=list(custom), phone_regions=["KE"])
    by_config = Detector(config=DetectorConfig(ner=False, entities=frozenset({"EMAIL_ADDRESS", "DONOR"}),
                                               custom=custom, phone_regions=("KE",)))
    assert by_kwargs.config == by_config.config
    assert by_kwargs.fingerprint() == by_config.fingerprint() != patterns_only.fingerprint()
    assert Detector.from_kwargs(ner=False).fingerprint() == patterns_only.fingerprint()


def test_config_is_frozen_and_checked():
    cfg = DetectorConfig(entities={"EMAIL_ADDRESS"}, phone_regions=["KE"])
    assert cfg.entities == frozenset({"EMAIL_ADDRESS"}) and cfg.phone_regions == ("KE",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.ner = False
    with pytest.raises(TypeError, match="unknown detector settings: nr"):
        DetectorConfig.from_kwargs(nr=False)
    with pytest.raises(TypeError):
        Detector(config=cfg, ner=False)


def test_entity_table_names_presidios_recognizers():
    """Each predefined Presidio recognizer of the table exists and reports its entity."""
    from presidio_analyzer import predefined_recognizers as pr
    for t in TABLE.values():
        if t.presidio is not None:
            assert getattr(pr, t.presidio)().supported_entities == [t.name], t.name
    assert NER_ENTITIES == {"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"}
    assert NER_ENTITIES < known_entities() and "AU_ABN" not in known_entities()


def test_unlisted_entities_get_traits_by_prefix():
    assert traits("SECRET_VAULT").secret and traits("SECRET_VAULT").protected
    assert traits("CLASSIFICATION_RESTRICTED").keyword
    plain = traits("CASE_NUMBER")
    assert not (plain.secret or plain.keyword or plain.ner or plain.identifier) and plain.trigger is None


def _imports(path: Path, package: str) -> set:
    """Modules of ``package`` that the module at ``path`` imports (at any level)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == package:
                out.update(f"{package}.{a.name}" for a in node.names)
            elif node.module.startswith(package + "."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith(package + "."))
    return out


def test_no_import_cycle_inside_detect():
    root = Path(detect_pkg.__file__).parent
    graph = {f"dataguard.detect.{p.stem}": _imports(p, "dataguard.detect") for p in root.glob("*.py")
             if p.stem != "__init__"}
    graph = {m: {d for d in deps if d in graph} for m, deps in graph.items()}
    state: dict = {}

    def visit(m, path):
        if state.get(m) == "done":
            return
        assert state.get(m) != "open", " -> ".join(path + [m])
        state[m] = "open"
        for d in sorted(graph[m]):
            visit(d, path + [m])
        state[m] = "done"
    for m in sorted(graph):
        visit(m, [])
    assert "dataguard.detect.engine" in graph and len(graph) >= 10
