"""Large regular expressions compiled once per machine, not once per process.

A few of the detector's regexes are slow to compile: the rule packs' salutation and
sign-off patterns (the ``regex`` module parses and optimises in Python: 0.12 s for one of
5,000 characters) and the phone gate's union of every region's number shapes (``re``:
about 0.1 s). Each worker of each scan paid them again, about 0.4 CPU s a worker. What
compiling gives is kept in the cache folder (``dataguard.cachefiles``: a file per regex,
trusted only when no one else can write it; ``cachefiles.seal``'s format): the ``regex`` module's compiled form is what it
pickles a pattern as, ``re``'s the code its compiler hands ``_sre``. A regex whose compile
took less than ``WORTH_S`` of this thread's CPU is not kept (reading a file would cost about as
much), nor is anything when there is no trusted folder to keep it in.

A file is named and keyed by the SHA-256 of the compiler, its version and Python's, the
flags and the source (a ``str``: a ``bytes`` source is compiled, never kept), and holds that
key and a digest of its content: a file for another version, a damaged or foreign one reads
as no file, and the regex is compiled as before. The source itself is not in the file (the
caller has it); its compiled form, which spells out its literal characters and group names,
is (as the Hyperscan databases spell out the triggers). Neither engine checks the code it is
handed beyond a few bounds (``_RegexForm.load``, ``_ReForm.load``): a file planted with a
matching digest by someone who can write the cache folder can crash a worker, hang it or
make a regex miss, which is why the folder is trusted only when no one else can write it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
import unicodedata
from typing import Callable, Optional

from dataguard import cachefiles

PREFIX = "compiled-"
KEEP = 512                  # the newest files kept
MAX_BYTES = 16 * 1024**2    # a larger file is not read
WORTH_S = 0.0005            # a regex compiled faster than this is not kept (reading a file: 30-70 µs)
_MAGIC = b"dataguard compiled regex 1\n"


def regex_compile(source: str, flags: int = 0):
    """``regex.compile(source, flags=flags)``, loaded from the cache folder when it was kept."""
    import regex
    if type(source) is not str:
        return regex.compile(source, flags=flags)
    # (the regex module's compiler reads Python's Unicode names and case rules too)
    key = _key("regex", f"{regex.__version__}\0{regex.DEFAULT_VERSION}\0{sys.version}", source, flags)
    return _cached(key, lambda: regex.compile(source, flags=flags), _RegexForm(source))


def re_compile(source: str, flags: int = 0):
    """``re.compile(source, flags)``, loaded from the cache folder when it was kept."""
    import re

    import _sre
    if type(source) is not str:
        return re.compile(source, flags)
    key = _key("re", f"{_sre.MAGIC}\0{sys.version}", source, flags)
    return _cached(key, lambda: _ReForm.compile(source, flags), _ReForm(source, flags))


def _key(compiler: str, version: str, source: str, flags: int) -> str:
    text = f"{compiler}\0{version}\0{unicodedata.unidata_version}\0{int(flags)}\0{source}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _cached(key: str, compile_: Callable, form):
    payload = cachefiles.unseal(_MAGIC, key, cachefiles.read(PREFIX + key, MAX_BYTES))
    if payload is not None:
        pattern = _load(payload, form)
        if pattern is not None:
            return pattern
    started = time.thread_time()        # (CPU: on a busy machine a quick compile is no slower)
    pattern = compile_()
    if time.thread_time() - started >= WORTH_S and cachefiles.trusted_folder(create=True) is not None:
        _keep(key, form.dump(pattern))
    return pattern


def _load(payload: bytes, form):
    try:
        return form.load(json.loads(payload))
    except Exception:  # noqa: BLE001 - malformed payload, or a compiler refusing the code
        return None


def _keep(key: str, payload) -> None:
    if payload is None:
        return
    data = cachefiles.seal(_MAGIC, key, json.dumps(payload, ensure_ascii=True).encode("ascii"))
    if len(data) <= MAX_BYTES and cachefiles.write(PREFIX + key, data):
        cachefiles.keep_newest(PREFIX, KEEP)


def _ints(value, low: int, high: int) -> bool:
    return isinstance(value, list) and all(type(v) is int and low <= v <= high for v in value)


def _names(value, groups: int) -> bool:
    """A JSON list of [group name, group number] pairs, each number a group's (1 to ``groups``)."""
    return isinstance(value, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 and type(p[0]) is str
                                           and type(p[1]) is int and 1 <= p[1] <= groups for p in value)


class _RegexForm:
    """The ``regex`` module's compiled pattern as JSON: what it pickles a pattern as (the
    arguments of ``_regex.compile``) without the source, kept only without named lists."""

    def __init__(self, source: str):
        self.source = source

    def dump(self, pattern) -> Optional[list]:
        try:
            (source, flags, code, group_index, _, named_lists, named_list_indexes,
             req_offset, req_chars, req_flags, group_count) = pattern._pickled_data
        except (AttributeError, TypeError, ValueError):     # another release's form: nothing is kept
            return None
        if source != self.source or named_lists or named_list_indexes or not isinstance(code, bytes):
            return None
        # (the groups in the order of the pattern's groupindex, which groupdict() follows)
        return [flags, base64.b64encode(code).decode("ascii"), list(group_index.items()),
                req_offset, None if req_chars is None else list(req_chars), req_flags, group_count]

    def load(self, payload: list):
        from regex import _regex
        flags, code, groups, req_offset, req_chars, req_flags, group_count = payload
        code = base64.b64decode(code, validate=True) if type(code) is str else b""
        # (a required string's offset is -1 where the pattern has none at a fixed place)
        if not (code and all(type(v) is int and v >= 0 for v in (flags, req_flags, group_count))
                and type(req_offset) is int and req_offset >= -1
                and group_count <= len(code) and _names(groups, group_count)
                and (req_chars is None or _ints(req_chars, 0, sys.maxunicode))):
            return None
        return _regex.compile(self.source, flags, code, dict(groups), {n: name for name, n in groups}, {}, [],
                              req_offset, None if req_chars is None else tuple(req_chars), req_flags, group_count)


class _ReForm:
    """``re``'s compiled pattern as JSON: the final flags, the code and the groups its compiler
    hands ``_sre.compile`` (``re._compiler.compile``, whose steps ``dump`` takes one by one
    to keep the code)."""

    def __init__(self, source: str, flags: int):
        self.source, self.flags = source, flags

    @staticmethod
    def compile(source: str, flags: int):
        import re
        return re.compile(source, flags)

    def dump(self, pattern) -> Optional[list]:
        import re

        from dataguard.regex_tree import compiler, parser
        try:
            parsed = parser.parse(self.source, self.flags)
            code = [int(op) for op in compiler._code(parsed, self.flags)]     # (opcodes: named ints)
            final = int(self.flags | parsed.state.flags)
            payload = [final, code, parsed.state.groups, list(parsed.state.groupdict.items())]
            same = self.load(payload)
        except Exception:  # noqa: BLE001 - another Python's compiler: nothing is kept
            return None
        # (patterns compare by flags and code: only a form that gives the pattern itself is kept)
        return payload if isinstance(pattern, re.Pattern) and same == pattern else None

    def load(self, payload: list):
        import _sre
        flags, code, groups, names = payload
        if not (type(flags) is int and flags >= 0 and _ints(code, 0, 2**32 - 1) and code
                and type(groups) is int and 1 <= groups <= len(code) and _names(names, groups - 1)):
            return None
        index = [None] * groups
        for name, n in names:
            index[n] = name
        return _sre.compile(self.source, flags, code, groups - 1, dict(names), tuple(index))
