"""Presidio's packages imported name by name (dataguard.detect.lazy_presidio) are the same
packages: every public name of each resolves to the same object as with Presidio's own
``__init__`` modules, and the modules a name needs are loaded only when it is asked for."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])

# the public names of every package of presidio_analyzer, each as "module.qualname" of its value
_NAMES = """
import importlib, json, pkgutil, sys, types


def ident(v):
    if v is None or isinstance(v, (str, int, float, bool)):
        return repr(v)
    if isinstance(v, (list, tuple, set, frozenset)):
        return [type(v).__name__, *sorted(map(json.dumps, map(ident, v)))]
    if isinstance(v, dict):
        return {str(k): ident(x) for k, x in v.items()}
    if isinstance(v, types.ModuleType):
        return "module " + v.__name__
    if hasattr(v, "__qualname__"):
        return "%s.%s" % (v.__module__, v.__qualname__)
    return "a %s.%s" % (type(v).__module__, type(v).__qualname__)


lazy = sys.argv[1] == "lazy"
if lazy:
    import dataguard.detect.lazy_presidio as lp
    lp.install()
import presidio_analyzer
packages = ["presidio_analyzer"] + sorted(
    m.name for m in pkgutil.walk_packages(presidio_analyzer.__path__, "presidio_analyzer.") if m.ispkg)
names = json.loads(sys.argv[2]) if lazy else None
out = {}
for p in packages:
    m = importlib.import_module(p)
    wanted = names[p] if lazy else sorted(set(getattr(m, "__all__", ())) | {n for n in dir(m) if not n.startswith("_")})
    out[p] = {n: ident(getattr(m, n)) for n in wanted}
print(json.dumps(out))
"""


def _run(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", _NAMES, *args], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_public_name_of_every_presidio_package_is_the_same_object():
    eager = _run("eager")
    lazy = _run("lazy", json.dumps({p: sorted(names) for p, names in eager.items()}))
    assert lazy == eager
    assert len(eager) > 20 and sum(map(len, eager.values())) > 300
    # names the __init__ modules assign from imported ones, and their logging set-up
    assert eager["presidio_analyzer.predefined_recognizers"]["NLP_RECOGNIZERS"]["spacy"].endswith(
        ".spacy_recognizer.SpacyRecognizer")
    assert eager["presidio_analyzer"]["AnalyzerEngine"] == "presidio_analyzer.analyzer_engine.AnalyzerEngine"


_USE = """
import json, logging, sys
import dataguard.detect
from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import UsSsnRecognizer
loaded = sorted(m for m in sys.modules if m.startswith(("presidio_analyzer", "spacy")))
from presidio_analyzer.predefined_recognizers import NLP_RECOGNIZERS
import presidio_analyzer.predefined_recognizers.generic as generic
print(json.dumps({"loaded": loaded, "nlp": sorted(NLP_RECOGNIZERS), "email": generic.email_recognizer.__name__,
                  "handlers": [type(h).__name__ for h in logging.getLogger("presidio-analyzer").handlers]}))
"""


def test_a_name_loads_only_the_modules_it_needs():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", _USE], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    loaded = {m.rsplit(".", 1)[-1] for m in out["loaded"]}
    assert {"recognizer_result", "us_ssn_recognizer", "pattern_recognizer"} <= loaded
    assert not loaded & {"spacy", "nlp_engine", "url_recognizer", "iban_recognizer", "analyzer_engine",
                         "recognizer_registry", "credit_card_recognizer"}
    # an assignment reading imported names runs when asked for; submodules are attributes
    assert "spacy" in out["nlp"]
    assert out["email"] == "presidio_analyzer.predefined_recognizers.generic.email_recognizer"
    assert out["handlers"] == ["NullHandler"]          # the package's own logging set-up ran


_EDGES = """
import json, sys, threading, importlib.resources
import dataguard.detect
# a submodule imported before its package's name of the same name: the name is still the object
from presidio_analyzer.nlp_engine.device_detector import device_detector as direct
import presidio_analyzer.nlp_engine as ne
import presidio_analyzer as pa
out = {"device_detector": type(ne.device_detector).__name__, "same": ne.device_detector is direct,
       "dir": "AnalyzerEngine" in dir(pa) and "PatternRecognizer" in dir(pa),
       "resources": importlib.resources.files("presidio_analyzer").joinpath("conf").is_dir(),
       "conf_attribute": hasattr(pa, "conf"), "missing": hasattr(pa, "NoSuchName")}
# first uses from many threads at once: one object per name
import presidio_analyzer.predefined_recognizers as pr
got = []
threads = [threading.Thread(target=lambda: got.append((pr.UsSsnRecognizer, pr.NhsRecognizer, pa.RecognizerResult)))
           for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out["threads"] = len(set(got))
print(json.dumps(out))
"""


def test_lazy_packages_behave_as_eager_ones_at_their_edges():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", _EDGES], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out == {"device_detector": "DeviceDetector", "same": True, "dir": True, "resources": True,
                   "conf_attribute": False, "missing": False, "threads": 1}


_REGISTRY = """
import json
from dataguard.detect import Detector
Detector(ner=False)          # dataguard's own e-mail and IBAN recognizers are defined now
from presidio_analyzer import RecognizerRegistry
registry = RecognizerRegistry(supported_languages=["en"])
registry.load_predefined_recognizers(languages=["en"])
print(json.dumps(sorted([type(r).__module__, type(r).__name__] for r in registry.recognizers)))
"""


def test_presidios_own_registry_finds_its_own_predefined_recognizers():
    """Presidio's registry (an AnalyzerEngine's) finds predefined recognizers by class name among
    the classes imported: it gets all of them, and never dataguard's recognizers of the same name."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", _REGISTRY], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert all(module.startswith("presidio_analyzer.") for module, _ in loaded)
    assert {"CreditCardRecognizer", "EmailRecognizer", "IbanRecognizer", "PhoneRecognizer"} <= {c for _, c in loaded}
