"""Every rule of the default pack, against its must-match and must-not-match examples
(fixtures/rules/<RULE_ID>/{match,nomatch}, metadata from meta.yaml), with the real model."""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES

pytestmark = pytest.mark.model

RULES_DIR = FIXTURES / "rules"
CASES = [(d.name, side) for d in sorted(RULES_DIR.iterdir()) if d.is_dir() for side in ("match", "nomatch")]


def _meta(rule_dir: Path, side: str) -> dict:
    p = rule_dir / "meta.yaml"
    if not p.exists():
        return {}
    raw = yaml.safe_load(p.read_text()) or {}
    meta = {k: v for k, v in raw.items() if k not in ("match", "nomatch")}
    meta.update(raw.get(side) or {})
    return meta


def _prepare(rule_id: str, side: str, tmp: Path) -> tuple:
    rule_dir = RULES_DIR / rule_id
    meta = _meta(rule_dir, side)
    tree = tmp / side
    shutil.copytree(rule_dir / side, tree)
    mode = 0o644 if meta.get("exposure") == "broad" else 0o600
    files = [p for p in tree.rglob("*") if p.is_file()]
    for p in files:
        p.chmod(mode)
        if "mtime_days_ago" in meta:
            t = time.time() - float(meta["mtime_days_ago"]) * 86400
            os.utime(p, (t, t))
    args = []
    site = meta.get("site") or {}
    if site.get("name"):
        args += ["--site", site["name"]]
    if site.get("kind"):
        args += ["--site-kind", site["kind"]]
    target = str(tree)
    if meta.get("source") == "database":
        db = tmp / f"{side}.db"
        con = sqlite3.connect(db)
        for csv_path in sorted(tree.rglob("*.csv")):
            with open(csv_path, newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            cols = ", ".join(f'"{c}" TEXT' for c in rows[0])
            con.execute(f'CREATE TABLE "{csv_path.stem}" ({cols})')
            con.executemany(f'INSERT INTO "{csv_path.stem}" VALUES ({", ".join("?" * len(rows[0]))})', rows[1:])
        con.commit()
        con.close()
        target = f"sqlite:///{db}"
    return target, args


@pytest.mark.parametrize("rule_id,side", CASES, ids=[f"{r}-{s}" for r, s in CASES])
def test_rule_example(rule_id, side, open_tmp, run_cli):
    tmp_path = open_tmp          # exposure follows the files' modes: others can reach the folder
    if rule_id == "DG-028" and side == "match":
        pytest.importorskip("dataguard.extract.mail", reason="mail extractor (mbox) not available")
    target, args = _prepare(rule_id, side, tmp_path)
    res = run_cli("scan", target, "--workers", "1", "--format", "json", "--fail-on", "never", *args)
    assert res.exit_code == 0, res.stderr
    fired = sorted({f["rule_id"] for f in res.report["findings"]})
    if side == "match":
        assert rule_id in fired, f"{rule_id} did not fire on its example; fired: {fired}"
    else:
        assert rule_id not in fired, f"{rule_id} fired on its must-not-match example"


def test_every_default_rule_has_examples():
    from dataguard.detect import known_entities
    from dataguard.rules import load_packs
    ids = {r.id for p in load_packs(None, known_entities()) for r in p.rules}
    have = {d.name for d in RULES_DIR.iterdir() if (d / "match").is_dir() and (d / "nomatch").is_dir()}
    assert ids <= have, sorted(ids - have)
