"""A large file goes out in parts, one per worker: each part reads the file up to its end and
analyses its own run of chunks; the parts' results, read in order, are the file's as one
worker would give them (evidence in order, counts, problems once), and a part that fails
costs only its own chunks."""
from __future__ import annotations

import functools
import json
import os
import random
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from dataguard.hashing import Hasher
from dataguard.report import render
from dataguard.scanner import ScanOptions, run_scan
from dataguard.scanner.aggregate import merge_summary
from dataguard.scanner.pipeline import SPLIT_BYTES, split
from dataguard.scanner.remote import ItemRef, in_part, part_of
from dataguard.sources import SourceOptions, open_target
from dataguard.types import Chunk, EntityAgg, Evidence, Limits, Pointer, Problem, Unit, UnitSummary
from tests.fakes import FakeDetector, load_test_pack
from tests.test_scanner import PACK, supervised

ROOT = Path(__file__).resolve().parents[1]
CARDS = ["4111 1111 1111 1111", "5555 5555 5555 4444", "4012 8888 8888 1881", "3782 822463 10005"]


def _text(lines: int, planted: dict, seed: int = 7) -> str:
    """Lines of office prose with numbers that are no card (dates, amounts, order numbers) and
    the ``planted`` values at their line numbers (1-based)."""
    rnd = random.Random(seed)
    out = []
    for n in range(1, lines + 1):
        if n in planted:
            out.append(f"Payment card on file: {planted[n]} (line {n})")
        else:
            out.append(f"Order {rnd.randrange(10**7, 10**8)} of 2024-{rnd.randrange(1, 13):02d}-"
                       f"{rnd.randrange(1, 29):02d} for {rnd.randrange(100, 99999)}.{rnd.randrange(100):02d} "
                       f"EUR, shipped to the field office in crate {rnd.randrange(1000, 9999)}.")
    return "\n".join(out) + "\n"


def _item(path: Path):
    (item,) = [i for i in open_target(str(path), SourceOptions()).items()]
    return item


def _ref(item, part=None) -> ItemRef:
    return ItemRef(target=item.unit.target, options=SourceOptions(), unit=item.unit, meta=item.meta,
                   name=item.name, part=part)


def test_parts_are_contiguous_runs_of_chunks_in_order():
    for chars, chunk_chars, parts in [(10 * 2**20, 64_000, 4), (3 * 2**20, 64_000, 2), (2**20, 10**6, 3)]:
        owners = [part_of(i, parts, chars, chunk_chars) for i in range(400)]
        assert owners == sorted(owners) and owners[0] == 0 and owners[-1] == parts - 1
        assert set(owners) == set(range(parts))
    # a file of more chunks than its head foretold: the rest is the last part's
    assert part_of(10_000, 2, 3 * 2**20, 64_000) == 1


def test_the_parts_of_a_text_file_hold_its_chunks_once_in_order(tmp_path):
    path = tmp_path / "register.txt"
    path.write_text(_text(3000, {10: CARDS[0], 2999: CARDS[1]}))
    limits = Limits(chunk_chars=4000, overlap_chars=100)
    item = _item(path)
    whole = [(c.text, c.keep_start, c.keep_end) for c in item.chunks(limits)]
    assert len(whole) > 40
    for parts in (2, 3, 4):
        pieces = [[(c.text, c.keep_start, c.keep_end) for c in in_part(_ref(item, (k, parts)), item,
                                                                         item.chunks(limits), limits)]
                  for k in range(parts)]
        assert all(pieces) and [p for part in pieces for p in part] == whole


def test_a_problem_is_reported_by_the_part_of_the_chunk_after_it(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("x\n" * 1000)
    item = _item(path)
    limits = Limits(chunk_chars=100)
    unit = item.unit

    def pieces():
        for i in range(20):
            yield Problem(unit.uri, "corrupt", f"before chunk {i}")
            yield Chunk(unit=unit, text=f"chunk {i}", anchors=())
        yield Problem(unit.uri, "corrupt", "at the end")

    got = [[p.message if isinstance(p, Problem) else p.text for p in in_part(_ref(item, (k, 2)), item, pieces(),
                                                                             limits)] for k in range(2)]
    whole = [p.message if isinstance(p, Problem) else p.text for p in pieces()]
    assert got[0] + got[1] == whole
    second = next(i for i in range(20) if part_of(i, 2, 2000, 100) == 1)
    assert got[0][0] == "before chunk 0" and got[1][0] == f"before chunk {second}" and got[1][-1] == "at the end"


def test_a_part_whose_reading_stops_before_its_chunks_says_why(tmp_path):
    """A read error past the first part's chunks, which the first part read without one, stops
    the second part's reading before its own chunks: the second part reports it (else its chunks
    would be lost without an error, and the item kept as scanned whole)."""
    path = tmp_path / "log.txt"
    path.write_text("x\n" * 1000)
    item = _item(path)
    ref = replace(_ref(item, (1, 2)), meta=replace(item.meta, size=10_000))
    limits = Limits(chunk_chars=100)
    unit = item.unit
    broken = [Chunk(unit=unit, text="chunk 0", anchors=()), Problem(unit.uri, "unreadable", "read failed")]
    assert [p.kind for p in in_part(ref, item, iter(broken), limits)] == ["unreadable"]
    assert [getattr(p, "text", None) for p in in_part(_ref(item, (0, 2)), item, iter(broken[:1]), limits)] == ["chunk 0"]


def test_parts_of_utf16_text_are_balanced(tmp_path):
    """Two bytes a character: the parts' shares are counted in characters."""
    path = tmp_path / "export.txt"
    path.write_text(_text(12000, {}), encoding="utf-16")
    item = _item(path)
    counts = [sum(1 for c in in_part(_ref(item, (k, 2)), item, item.chunks(Limits()), Limits()) if not c.is_name)
              for k in range(2)]
    assert abs(counts[0] - counts[1]) <= 1 and sum(counts) > 10


def test_an_item_parsed_whole_is_its_first_parts_alone(tmp_path):
    """A document or an archive is not split: every part would parse it again."""
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", f"card {CARDS[0]}\n" * 50)
    item = _item(path)
    limits = Limits(chunk_chars=100)
    whole = [getattr(c, "text", c) for c in item.chunks(limits)]
    first = [getattr(c, "text", c) for c in in_part(_ref(item, (0, 2)), item, item.chunks(limits), limits)]
    assert first == whole and whole
    assert list(in_part(_ref(item, (1, 2)), item, item.chunks(limits), limits)) == []


def _evidence(line: int) -> Evidence:
    return Evidence(entity_type="CREDIT_CARD", score=1.0, pointer=Pointer(line=line), masked="4111********1111",
                    value_hash=f"h{line}")


def test_merged_summaries_read_like_one_aggregator():
    unit = Unit(target="t", uri="t/f.txt", path="f.txt")
    first = UnitSummary(unit=unit, meta=None, entities={"CREDIT_CARD": EntityAgg(
        scores={1.0: 2}, evidence=[_evidence(1), _evidence(2)], hashes={"h1", "h2"}, reasons={"value"})})
    second = UnitSummary(unit=unit, meta=None, entities={
        "CREDIT_CARD": EntityAgg(scores={1.0: 2, 0.8: 1}, evidence=[_evidence(7), _evidence(8), _evidence(9)],
                                 hashes={"h7", "h8", "h9"}, reasons={"context"}),
        "EMAIL_ADDRESS": EntityAgg(scores={0.9: 1}, evidence=[], hashes={"e"}, reasons={"value"})})
    summaries: dict = {}
    merge_summary(summaries, first, 3)
    merge_summary(summaries, second, 3)
    card = summaries[unit.key].entities["CREDIT_CARD"]
    assert card.scores == {1.0: 4, 0.8: 1} and card.reasons == {"value", "context"}
    assert [e.pointer.line for e in card.evidence] == [1, 2, 7]         # the first three, in order
    assert card.hashes == {"h1", "h2", "h7", "h8", "h9"}
    assert summaries[unit.key].entities["EMAIL_ADDRESS"].count() == 1


LINES = (5, 12700, 12900, 24990)        # in the first and last parts, and each side of where they meet (12,809)


def _share(tmp_path, cards) -> Path:
    """A share with one text file of about 2.2 MB, the cards planted at ``LINES``, and a small
    file beside it."""
    root = tmp_path / "share"
    root.mkdir()
    (root / "big.txt").write_text(_text(25000, dict(zip(LINES, cards))))
    (root / "small.txt").write_text(f"card {CARDS[0]}\n")
    assert os.path.getsize(root / "big.txt") >= 2 * SPLIT_BYTES
    return root


@pytest.fixture
def large(tmp_path):
    return _share(tmp_path, [CARDS[0]] * len(LINES))         # (the fake detector's one card)


class Records(FakeDetector):
    """Notes in ``folder`` which process analysed chunks of ``big.txt``; ends its process on a
    chunk holding ``poison``."""

    def __init__(self, folder: str, poison: str = "\0"):
        super().__init__()
        self.folder, self.poison = folder, poison

    def analyze(self, chunks):
        for chunk in chunks:
            if chunk.unit.path == "big.txt":
                Path(self.folder, str(os.getpid())).touch()
                if self.poison in chunk.text[chunk.keep_start:chunk.keep_end]:
                    os._exit(1)
            yield from super().analyze([chunk])


def _lines(res, path: str) -> list:
    return sorted(e.pointer.line for f in res.findings if f.unit.path == path for e in f.evidence)


def test_a_large_file_in_parts_gives_the_findings_of_one_worker(large, tmp_path):
    root = large
    assert split(_item(root / "big.txt"), 2) == 2 and split(_item(root / "small.txt"), 2) == 1
    packs = load_test_pack(tmp_path, PACK)
    for cap in (None, 2):
        seen = tmp_path / f"pids-{cap}"
        seen.mkdir()
        opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, workers=2, max_evidence=cap)
        parts = run_scan(opts, Hasher(b"k" * 32), executor=supervised(2, functools.partial(Records, str(seen))))
        one = run_scan(ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, max_evidence=cap),
                       Hasher(b"k" * 32), detector=FakeDetector())
        assert render(parts, "json").split('"findings"')[1] == render(one, "json").split('"findings"')[1]
        assert _lines(parts, "big.txt") == (list(LINES) if cap is None else [5, 12700])
        assert len(list(seen.iterdir())) == 2           # both workers read the large file


def test_a_part_whose_worker_dies_costs_its_own_chunks_only(tmp_path):
    """The last part's worker dies on it (and again when it runs alone): one error for the file,
    and what the other part found is reported."""
    root = _share(tmp_path, [CARDS[0]] * (len(LINES) - 1) + [f"{CARDS[0]} POISON"])
    seen = tmp_path / "pids"
    seen.mkdir()
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=load_test_pack(tmp_path, PACK), workers=2,
                       max_evidence=None)
    res = run_scan(opts, Hasher(b"k" * 32),
                   executor=supervised(2, functools.partial(Records, str(seen), poison="POISON")))
    assert [(e.uri.rsplit("/", 1)[1], e.kind) for e in res.errors] == [("big.txt", "corrupt")]
    assert _lines(res, "big.txt") == [line for line in LINES if line < _second_part(root / "big.txt")] == [5, 12700]
    assert _lines(res, "small.txt") == [1]


def _second_part(path: Path) -> int:
    """The line where the second of two parts of the file begins."""
    item = _item(path)
    first = next(iter(in_part(_ref(item, (1, 2)), item, item.chunks(Limits()), Limits())))
    return first.first_line + first.text[:first.keep_start].count("\n")


def _cli_scan(root: Path, workers: int) -> list:
    out = subprocess.run([sys.executable, "-m", "dataguard", "scan", str(root), "--no-ner", "--workers", str(workers),
                          "--format", "json", "--show-data", "--max-evidence", "all", "-q"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 1, out.stderr
    return json.loads(out.stdout)["findings"]


def test_the_real_detector_finds_the_same_in_parts(tmp_path):
    """The default packs and the real detector (no NER), by the CLI: one worker, then two (the
    large file in two parts): the same findings, value for value."""
    root = _share(tmp_path, CARDS)
    one, two = _cli_scan(root, 1), _cli_scan(root, 2)
    assert one == two
    cards = {(e["line"], e["value"]) for f in two if f["location"]["path"] == "big.txt"
             for e in f["evidence"] if e["entity_type"] == "CREDIT_CARD"}
    assert cards == set(zip(LINES, CARDS))


def _summary(unit: Unit, lines: list) -> UnitSummary:
    return UnitSummary(unit=unit, meta=None, entities={"CREDIT_CARD": EntityAgg(
        scores={1.0: len(lines)}, evidence=[_evidence(n) for n in lines], hashes={f"h{n}" for n in lines})})


def test_a_worker_that_reads_items_whole_is_counted_once(tmp_path):
    """On a cluster mixing versions, a worker that does not read parts gives the whole item for
    the part it was handed (its outcome names no part): that outcome alone is the item's; the
    outcomes of workers reading parts are merged in order."""
    from dataguard.scanner.pipeline import InFlightItem, ItemPipeline
    from dataguard.scanner.remote import ItemOutcome
    path = tmp_path / "big.txt"
    path.write_text("x\n")
    item = _item(path)
    pipeline = ItemPipeline(None, None, None, lambda entry: None, lambda info: None, evidence_cap=None)
    for parts, want in (
            ([ItemOutcome([_summary(item.unit, [1, 2])], part=(0, 2)),
              ItemOutcome([_summary(item.unit, [7])], part=(1, 2))], [1, 2, 7]),
            ([ItemOutcome([_summary(item.unit, [1, 2])], part=(0, 2)),
              ItemOutcome([_summary(item.unit, [1, 2, 7])])], [1, 2, 7]),         # an older worker's, whole
            ([ItemOutcome([_summary(item.unit, [1, 2, 7])]), ItemOutcome([_summary(item.unit, [1, 2, 7])])],
             [1, 2, 7])):
        entry = InFlightItem(item, read=True)
        for k, outcome in enumerate(parts):
            pipeline._absorb(entry, _ref(item, (k, 2)), outcome)
        pipeline._finished(entry)
        card = entry.summaries[item.unit.key].entities["CREDIT_CARD"]
        assert [e.pointer.line for e in card.evidence] == want and card.count() == len(want)


def test_a_shares_file_is_not_split():
    """Each part would fetch the file from the share again."""
    from dataguard.types import ItemMeta

    class Share:
        unit = Unit(target="smb://fs/share", uri="smb://fs/share/big.log", path="big.log")
        meta = ItemMeta(size=50 * SPLIT_BYTES)
    assert split(Share(), 4) == 1
    Share.unit = Unit(target="/srv/share", uri="/srv/share/big.log", path="big.log")
    assert split(Share(), 4) == 4 and split(Share(), 2) == 2
