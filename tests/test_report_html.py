"""The HTML dashboard: self-contained, hostile names inert, no raw value; rendered in headless
Chromium (charts drawn, the filter works, nothing blocked by its Content-Security-Policy)."""
from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser

import pytest

from dataguard.report import render
from tests.report_data import RAW_VALUES, SCRIPT_NAME, hostile_scan

URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "srcset", "xlink:href", "background", "ping",
             "manifest", "cite", "longdesc", "codebase", "archive", "icon", "profile", "lowsrc", "dynsrc"}


class _Page(HTMLParser):
    """Tags, resource-carrying attributes and <script>/<style> texts of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.urls, self.handlers, self.blocks, self._in = [], [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in URL_ATTRS:
                self.urls.append((tag, name, value or ""))
            if name.startswith("on"):
                self.handlers.append((tag, name))
        self._in = tag if tag in ("script", "style") else None

    def handle_data(self, data):
        if self._in:
            self.blocks.append((self._in, data))

    def handle_endtag(self, tag):
        self._in = None


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


@pytest.fixture
def scan(tmp_path):
    return hostile_scan(tmp_path)


@pytest.fixture
def page(scan) -> str:
    return render(scan, "html")


def test_the_page_loads_nothing_from_outside(page):
    p = _parse(page)
    assert not {"link", "iframe", "object", "embed", "base", "frame", "audio", "video", "source"} & set(p.tags)
    assert p.urls and all(v.startswith("data:image/svg+xml;base64,") for _, _, v in p.urls), p.urls
    assert not re.search(r"https?://", page)                  # not even as text: the charts are base64 images
    for tag, text in p.blocks:
        assert "url(" not in text and "@import" not in text and "fetch(" not in text and "XMLHttpRequest" not in text
    for _, _, uri in p.urls:                                   # the charts load nothing either
        svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
        assert "<svg" in svg and not re.search(r"""(href|src)\s*=\s*["'](?!#)""", svg)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "img-src data:" in csp and "unsafe-inline" not in csp


def test_hostile_names_are_escaped_and_no_raw_value_is_shown(page, scan):
    p = _parse(page)
    assert p.tags.count("script") == 1 and not p.handlers      # only the page's own script, no event handler
    assert SCRIPT_NAME not in page and "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;.docx" in page     # the errors list
    assert "\\x1b[31mred" in page and "\x1b" not in page       # control characters shown, not passed on
    assert not any(v in page for v in RAW_VALUES)
    assert "4111********1111" in page or "****" in page       # masked evidence is shown
    for text in ("Card numbers", "Encrypt the file", "CM-ENCRYPT", "Kabul &lt;field&gt; office", "photo.png",
                 scan.scan_id, scan.started_at, scan.key_id or "not recorded"):
        assert text in page, text


def test_the_key_id_is_shown_when_the_report_has_one_and_raw_values_never(tmp_path, run_cli):
    doc = json.loads(render(hostile_scan(tmp_path, show_data=True), "json", show_data=True))
    assert any(e.get("value") for f in doc["findings"] for e in f["evidence"])
    doc["key_id"] = "k-2026-04"
    src = tmp_path / "r.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "page.html"
    assert run_cli("report", "html", src, "-o", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "k-2026-04" in page and not any(v in page for v in RAW_VALUES)


def test_report_html_over_several_sites(tmp_path, run_cli):
    reports = []
    for site in ("Kabul", "Geneva HQ"):
        res = hostile_scan(tmp_path / site, site=site)
        path = tmp_path / f"{site}.json"
        path.write_text(render(res, "json" if site == "Kabul" else "jsonl"), encoding="utf-8")
        reports.append(path)
    out = tmp_path / "all.html"
    res = run_cli("report", "html", *reports, "-o", out)
    assert res.exit_code == 0, res.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="scan">') == 2 and page.count("<tr data-severity=") == 10
    assert '<option value="Kabul">' in page and '<option value="Geneva HQ">' in page
    assert page.count('<img class="chart"') == 4


def test_evidence_found_by_a_column_name_says_so():
    from dataguard.report.dashboard import write_html_docs
    from tests.test_report_outputs import _db_doc
    doc = _db_doc()
    doc.findings[0]["evidence"][0]["reason"] = "column_name"
    out = io.StringIO()
    write_html_docs([doc], out)
    assert "row 17</span> <span class=\"small\">(found by its column&#39;s name)</span>" in out.getvalue()


def test_report_html_refuses_what_is_not_a_report(tmp_path, run_cli):
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    res = run_cli("report", "html", bad, "-o", tmp_path / "x.html")
    assert res.exit_code == 2 and "not a dataguard JSON or JSONL report" in res.stderr
    assert not (tmp_path / "x.html").exists()
    res = run_cli("report", "html", tmp_path / "missing.json", "-o", tmp_path / "x.html")
    assert res.exit_code == 2 and "cannot read report" in res.stderr


@pytest.mark.parametrize("spoil", ["deep", "stats", "line"])
def test_report_html_refuses_a_report_that_breaks_the_schema(tmp_path, run_cli, spoil):
    """A report edited by hand: nested past the JSON reader's depth, a field of the wrong type,
    a raw value where a line number goes. Exit 2 with the field named, no page, no value shown."""
    doc = json.loads(render(hostile_scan(tmp_path), "json"))
    path = tmp_path / "edited.json"
    if spoil == "deep":
        path.write_text('{"scan": ' + "[" * 100_000 + "]" * 100_000 + "}")
    else:
        if spoil == "stats":
            doc["scan"]["stats"] = "x"
        else:
            doc["findings"][0]["evidence"][0]["line"] = "4111 1111 1111 1111"
        path.write_text(json.dumps(doc))
    res = run_cli("report", "html", path, "-o", tmp_path / "x.html")
    assert res.exit_code == 2 and "Traceback" not in res.stderr, res.stderr
    assert "4111" not in res.stderr and not (tmp_path / "x.html").exists()
    if spoil != "deep":
        assert "does not match the report schema" in res.stderr


# ---------------------------------------------------------------- rendered in Chromium
def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (scripts/test installs it)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _browse(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=10000", "--window-size=1280,1600", *args, url]
    # the timeout only ends a hung browser: the test asserts on the page, not on time
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)


def _console(proc) -> list:
    return [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]


def test_rendered_in_chromium_charts_filter_and_inert_names(page, tmp_path):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    proc = _browse(tmp_path, html.as_uri() + "#severity=high&path=script", "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert 'data-charts="4"' in body                          # the four charts were decoded and drawn
    assert 'data-shown="1"' in body                           # the filter from the address was applied
    rows = re.findall(r"<tr data-severity=[^>]*>", dom)
    visible = [r for r in rows if 'hidden=""' not in r]
    assert len(rows) == 5 and len(visible) == 1 and "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in visible[0]
    assert len(re.findall(r"<script\b", dom)) == 1             # the hostile name did not become an element
    assert "onerror" not in re.sub(r"&lt;img src=x onerror=alert\(2\)&gt;", "", dom)
    assert _console(proc) == []                               # nothing refused by the CSP, no script error

    shot = tmp_path / "report.png"
    proc = _browse(tmp_path, html.as_uri(), f"--screenshot={shot}")
    assert proc.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"HTML report screenshot: {shot}")


def test_chromium_filters_by_measure_and_sorts_from_the_address(page, tmp_path):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    proc = _browse(tmp_path, html.as_uri() + "#measure=CM-ENCRYPT&sort=location:asc", "--dump-dom")
    rows = re.findall(r"<tr data-severity=[^>]*>", proc.stdout)
    visible = [r for r in rows if 'hidden=""' not in r]
    assert len(visible) == 4 and all('data-measure="CM-ENCRYPT"' in r for r in visible)
    paths = [re.search(r'data-path="([^"]*)"', r).group(1) for r in rows]
    assert paths == sorted(paths, key=str.lower) and 'data-shown="4"' in proc.stdout
    assert _console(proc) == []


def test_accepted_and_expired_findings_say_so_and_site_controls_are_escaped():
    """With a baseline an accepted critical finding looked exactly like an open one; a site name's
    bidi override was written raw."""
    from dataguard.report.dashboard import write_html_docs
    from tests.test_report_outputs import _db_doc
    doc = _db_doc()
    doc.findings[0]["status"] = "accepted"
    doc.findings[0]["acceptance"] = {"reason": "legal hold", "owner": "HR", "reviewer": "DPO Kabul",
                                     "expires": "2027-06-30"}
    doc.scan["site"] = "Kabul\u202eLAH"
    out = io.StringIO()
    write_html_docs([doc], out)
    page = out.getvalue()
    assert '<span class="status status-accepted">accepted</span>' in page
    assert "until 2027-06-30, by DPO Kabul: legal hold" in page
    assert "\u202e" not in page and "Kabul\\u202eLAH" in page
