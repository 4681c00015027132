"""Local folder source: walk order, selection, links, special files, metadata, URIs."""
from __future__ import annotations

import os
import stat
import threading

import pytest

from dataguard.globs import GlobError

from dataguard.sources import SourceOptions, TargetError, open_target, redact_uri
from dataguard.sources.base import FileItem, path_selected
from dataguard.sources.local import LocalSource
from dataguard.types import Chunk, Limits, Problem



def _content(pieces) -> list:
    """An item's pieces without the chunk of its own name."""
    return [p for p in pieces if not (isinstance(p, Chunk) and p.is_name)]

def _tree(root, files):
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())


def _items(target, **opts):
    with open_target(str(target), SourceOptions(**opts)) as src:
        return list(src.items())


def _paths(out):
    return [x.unit.path for x in out if isinstance(x, FileItem)]


def _problems(out, kind=None):
    return [x for x in out if isinstance(x, Problem) and (kind is None or x.kind == kind)]


def test_walk_is_sorted_depth_first_and_includes_hidden(tmp_path):
    _tree(tmp_path, {"b.txt": "b", "a/z.txt": "z", "a/y/x.txt": "x", ".hidden": "h",
                     ".git/config": "c", "c.txt": "c", "A.txt": "A"})
    out = _items(tmp_path)
    assert _paths(out) == [".git/config", ".hidden", "A.txt", "a/y/x.txt", "a/z.txt", "b.txt", "c.txt"]
    assert _problems(out) == []
    # deterministic
    assert _paths(_items(tmp_path)) == _paths(out)


def test_units_and_meta(open_tmp):
    tmp_path = open_tmp
    _tree(tmp_path, {"d/Report.CSV": "name,email\n"})
    f = tmp_path / "d/Report.CSV"
    os.chmod(f, 0o640)
    [item] = _items(tmp_path)
    st = f.stat()
    assert item.unit.target == str(tmp_path)
    assert item.unit.uri == str(f)
    assert item.unit.path == "d/Report.CSV"
    assert item.unit.source == "file" and item.unit.member is None
    assert item.name == "Report.CSV"
    m = item.meta
    assert (m.size, m.mtime, m.identity) == (st.st_size, st.st_mtime, f"{st.st_dev}:{st.st_ino}")
    assert m.extension == "csv"
    assert m.exposure == "restricted"
    assert m.owner  # name (or uid when unknown)
    os.chmod(f, 0o644)
    os.chmod(f.parent, 0o755)
    [item] = _items(tmp_path)
    assert item.meta.exposure == "broad" and "others have read permission" in item.meta.exposure_reason


def test_a_readable_file_in_a_closed_folder_is_restricted(open_tmp):
    _tree(open_tmp, {"closed/inner/a.txt": "x", "open/b.txt": "y"})
    for d in ("closed/inner", "open"):
        os.chmod(open_tmp / d, 0o755)
    os.chmod(open_tmp / "closed", 0o700)
    for f in ("closed/inner/a.txt", "open/b.txt"):
        os.chmod(open_tmp / f, 0o644)
    meta = {i.unit.path: i.meta for i in _items(open_tmp)}
    closed, opened = meta["closed/inner/a.txt"], meta["open/b.txt"]
    assert closed.exposure == "restricted" and f"folder {open_tmp / 'closed'} cannot be entered" in closed.exposure_reason
    assert opened.exposure == "broad"


def _acl(*entries) -> bytes:
    import struct
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in entries)


def test_posix_acl_giving_every_user_read_is_broad(open_tmp):
    import grp
    try:
        users = grp.getgrnam("users").gr_gid
    except KeyError:
        pytest.skip("no 'users' group")
    _tree(open_tmp, {"a.txt": "x", "b.txt": "y"})
    any_id = 0xFFFFFFFF
    for name, gid in (("a.txt", users), ("b.txt", 12345)):
        os.chmod(open_tmp / name, 0o640)
        try:   # user::rw- group::r-- group:<gid>:r-- mask::r-- other::---
            os.setxattr(open_tmp / name, "system.posix_acl_access",
                        _acl((1, 6, any_id), (4, 4, any_id), (8, 4, gid), (0x10, 4, any_id), (0x20, 0, any_id)))
        except OSError:
            pytest.skip("no POSIX ACLs on this file system")
    meta = {i.unit.path: i.meta for i in _items(open_tmp)}
    assert meta["a.txt"].exposure == "broad" and "ACL gives group 'users'" in meta["a.txt"].exposure_reason
    assert meta["b.txt"].exposure == "restricted"


def test_file_uri_target_gives_file_uris(tmp_path):
    _tree(tmp_path, {"a/b.txt": "x"})
    with open_target("file://" + str(tmp_path), SourceOptions()) as src:
        assert src.display_uri == "file://" + str(tmp_path)
        assert src.kind == "file"
        [item] = list(src.items())
    assert item.unit.target == "file://" + str(tmp_path)
    assert item.unit.uri == "file://" + str(tmp_path / "a/b.txt")
    assert item.unit.path == "a/b.txt"


def test_relative_target_becomes_absolute(tmp_path, monkeypatch):
    _tree(tmp_path, {"sub/a.txt": "x"})
    monkeypatch.chdir(tmp_path)
    src = open_target("sub/", SourceOptions())
    assert src.display_uri == str(tmp_path / "sub")
    [item] = list(src.items())
    assert item.unit.uri == str(tmp_path / "sub/a.txt") and item.unit.path == "a.txt"


def test_single_file_target(tmp_path):
    _tree(tmp_path, {"one.txt": "hello\n"})
    out = _items(tmp_path / "one.txt")
    [item] = out
    assert item.unit.path == "one.txt"
    assert item.unit.uri == item.unit.target == str(tmp_path / "one.txt")
    pieces = list(item.chunks(Limits()))
    assert pieces[0].text == "one.txt\none" and pieces[0].is_name   # names are data
    chunks = _content(pieces)
    assert [c.text for c in chunks] == ["hello\n"]


def test_missing_target_raises(tmp_path):
    with pytest.raises(TargetError) as ei:
        open_target(str(tmp_path / "nope"), SourceOptions())
    assert "nope" in str(ei.value)
    with pytest.raises(TargetError):
        open_target("file://otherhost/share", SourceOptions())
    with pytest.raises(TargetError):
        open_target("ftp://u:pw@h/x", SourceOptions())


def test_unsupported_scheme_error_has_no_password():
    with pytest.raises(TargetError) as ei:
        open_target("ftp://u:hunter2@h/x", SourceOptions())
    assert "hunter2" not in str(ei.value)


def test_include_exclude(tmp_path):
    _tree(tmp_path, {"a.txt": "", "b.log": "", "logs/c.log": "", "logs/deep/d.txt": "",
                     "node_modules/x/y.js": "", "docs/e.md": "", "docs/sub/f.md": ""})
    out = _items(tmp_path, exclude=("*.log", "node_modules"))
    assert _paths(out) == ["a.txt", "docs/e.md", "docs/sub/f.md", "logs/deep/d.txt"]
    excluded = sorted(p.uri for p in _problems(out, "excluded"))
    assert excluded == [str(tmp_path / "b.log"), str(tmp_path / "logs/c.log")]
    assert all(p.skipped for p in _problems(out))
    # excluded folders are pruned, not listed
    assert not any("node_modules" in p.uri for p in _problems(out))

    out = _items(tmp_path, include=("docs/**",))
    assert _paths(out) == ["docs/e.md", "docs/sub/f.md"]
    assert len(_problems(out, "excluded")) == 5

    out = _items(tmp_path, exclude=("**/deep/**", "docs/*.md"))
    assert _paths(out) == ["a.txt", "b.log", "docs/sub/f.md", "logs/c.log", "node_modules/x/y.js"]
    # like .gitignore, 'docs/*' also prunes the folders directly under docs/
    out = _items(tmp_path, exclude=("docs/*",))
    assert [p for p in _paths(out) if p.startswith("docs")] == []


def test_path_selected_globs():
    assert path_selected("a/b/c.txt", (), ())
    assert path_selected("a/b/c.txt", ("**/*.txt",), ())
    assert path_selected("c.txt", ("**/*.txt",), ())
    assert not path_selected("a/b/c.txt", ("a/*.txt",), ())
    assert path_selected("a/c.txt", ("a/*.txt",), ())
    assert not path_selected("a/b/c.txt", (), ("*.txt",))       # no '/': base name anywhere
    assert not path_selected("a/b/c.txt", (), ("a/**",))
    assert path_selected("ab/c.txt", (), ("a/**",))
    assert path_selected("x/c1.txt", ("**/c[0-9].txt",), ())
    assert not path_selected("x/c1.txt", ("**/c[!0-9].txt",), ())
    with pytest.raises(GlobError):                                 # bad class: a clear error
        path_selected("x/c?.txt", (), ("x/c[z-a].txt",))
    assert not path_selected("A/B.TXT", (), ("a/*.txt",))          # case-insensitive, as on SMB shares
    assert not path_selected("a/b.txt", (), ("./a/b.txt",))
    assert path_selected("a/b", ("a/?",), ()) and not path_selected("a/bc", ("a/?",), ())


def test_symlinks_skipped_by_default(tmp_path):
    _tree(tmp_path, {"real/a.txt": "a"})
    os.symlink(tmp_path / "real/a.txt", tmp_path / "link.txt")
    os.symlink(tmp_path / "real", tmp_path / "linkdir")
    os.symlink(tmp_path / "missing", tmp_path / "dangling")
    out = _items(tmp_path)
    assert _paths(out) == ["real/a.txt"]
    links = sorted(p.uri for p in _problems(out, "symlink"))
    assert links == sorted(str(tmp_path / n) for n in ("dangling", "link.txt", "linkdir"))
    assert all(p.skipped for p in _problems(out))


def test_follow_symlinks_and_loops_terminate(tmp_path):
    _tree(tmp_path, {"real/a.txt": "a", "real/sub/b.txt": "b"})
    os.symlink(tmp_path / "real", tmp_path / "real/sub/loop")      # loop back up
    os.symlink(tmp_path, tmp_path / "real/root")                   # loop to the target
    os.symlink(tmp_path / "real/a.txt", tmp_path / "z_link.txt")
    os.symlink(tmp_path / "missing", tmp_path / "dangling")

    result = {}

    def run():
        result["out"] = _items(tmp_path, follow_symlinks=True)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(20)
    assert not t.is_alive(), "walk did not terminate"
    out = result["out"]
    assert _paths(out) == ["real/a.txt", "real/sub/b.txt", "z_link.txt"]
    assert len(_problems(out, "symlink")) == 2          # the two loops
    assert [p.uri for p in _problems(out, "unreadable")] == [str(tmp_path / "dangling")]


def test_fifo_and_socket_never_opened(tmp_path):
    import socket
    _tree(tmp_path, {"a.txt": "x"})
    os.mkfifo(tmp_path / "pipe")
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(tmp_path / "sock"))
    try:
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("out", _items(tmp_path)), daemon=True)
        t.start()
        t.join(20)
        assert not t.is_alive(), "blocked on a FIFO"
    finally:
        s.close()
    out = result["out"]
    assert _paths(out) == ["a.txt"]
    assert sorted(p.uri for p in _problems(out, "unsupported")) == [str(tmp_path / "pipe"), str(tmp_path / "sock")]
    # a FIFO as the target itself
    with pytest.raises(TargetError):
        open_target(str(tmp_path / "pipe"), SourceOptions())


def test_unreadable_folder_is_a_problem(tmp_path, monkeypatch):
    _tree(tmp_path, {"ok/a.txt": "a", "locked/b.txt": "b"})
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)
    monkeypatch.setattr("dataguard.sources.local.os.scandir", scandir)
    out = _items(tmp_path)
    assert _paths(out) == ["ok/a.txt"]
    [p] = _problems(out)
    assert (p.uri, p.kind, p.message, p.skipped) == (str(tmp_path / "locked"), "unreadable", "Permission denied", False)


def test_unreadable_root_raises(tmp_path, monkeypatch):
    def scandir(path="."):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr("dataguard.sources.local.os.scandir", scandir)
    with pytest.raises(TargetError) as ei:
        open_target(str(tmp_path), SourceOptions())
    assert "Permission denied" in str(ei.value)


def test_unreadable_file_becomes_problem(tmp_path):
    _tree(tmp_path, {"a.txt": "secret content"})
    [item] = _items(tmp_path)

    def opener():
        raise PermissionError(13, "Permission denied", "/x/secret content")
    bad = FileItem(unit=item.unit, meta=item.meta, opener=opener, name=item.name)
    [p] = _content(bad.chunks(Limits()))
    assert isinstance(p, Problem)
    assert (p.kind, p.message, p.uri, p.skipped) == ("unreadable", "Permission denied", str(tmp_path / "a.txt"), False)


def test_binary_and_empty_files(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256)) * 4
    _tree(tmp_path, {"img.png": png, "prog": elf, "empty.txt": b""})
    items = {i.unit.path: i for i in _items(tmp_path)}
    for name in ("img.png", "prog"):
        [p] = _content(items[name].chunks(Limits()))
        assert isinstance(p, Problem) and p.kind == "binary" and p.skipped
    assert _content(items["empty.txt"].chunks(Limits())) == []


def test_chunks_of_a_walked_file(tmp_path):
    _tree(tmp_path, {"n.txt": "line1\nline2 x@example.org\n"})
    [item] = _items(tmp_path)
    [c] = _content(item.chunks(Limits()))
    assert isinstance(c, Chunk) and c.unit == item.unit
    assert c.pointer_at(c.text.index("x@")).line == 2


@pytest.mark.parametrize("uri,expected", [
    ("postgresql://u:secret@h/db", "postgresql://u@h/db"),
    ("postgresql+psycopg://u:secret@h:5432/db?sslmode=require", "postgresql+psycopg://u@h:5432/db?sslmode=require"),
    ("smb://u:p@h/s", "smb://u@h/s"),
    ("smb://DOM;u:p@h/s/dir", "smb://DOM;u@h/s/dir"),
    ("smb://u@h/s", "smb://u@h/s"),
    ("smb://h/s", "smb://h/s"),
    ("smb://h:445/share/a@b.txt", "smb://h:445/share/a@b.txt"),
    ("mysql+pymysql://u:p@ss@h/db", "mysql+pymysql://u@h/db"),
    ("mysql+pymysql://u:pa/ss@h/db", "mysql+pymysql://u@h/db"),
    ("mysql+pymysql://u:pa:ss@h/db", "mysql+pymysql://u@h/db"),
    ("postgresql://bob:Pg@Pw_Secret@host/db", "postgresql://bob@host/db"),
    ("postgresql://h/db?user=u&password=secret&sslmode=disable", "postgresql://h/db?user=u&sslmode=disable"),
    ("postgresql://:secret@h/db", "postgresql://@h/db"),
    ("sqlite:///var/x.db", "sqlite:///var/x.db"),
    ("/srv/share", "/srv/share"),
    ("file:///srv/share", "file:///srv/share"),
])
def test_redact_uri(uri, expected):
    assert redact_uri(uri) == expected
    for secret in ("secret", "Secret", "p@ss", "pa/ss", "pa:ss", "Pg", "Pw_"):
        if secret in uri:
            assert secret not in redact_uri(uri)


@pytest.mark.parametrize("swap", ["fifo", "device"])
def test_a_file_swapped_for_a_fifo_or_device_after_the_walk_is_unreadable(tmp_path, swap):
    _tree(tmp_path, {"a.txt": "x"})
    [item] = [i for i in _items(tmp_path) if isinstance(i, FileItem)]
    os.unlink(tmp_path / "a.txt")
    if swap == "fifo":
        os.mkfifo(tmp_path / "a.txt")       # no writer: opening it for reading would wait forever
    else:
        os.symlink("/dev/zero", tmp_path / "a.txt")
    with pytest.raises(OSError) as err:
        item.opener()
    assert err.value.strerror == "not a regular file"


def test_a_file_uri_of_another_host_is_refused_without_its_password():
    with pytest.raises(TargetError) as ei:
        open_target("file://alice:Pw0rdS3cretXYZ@otherhost/x", SourceOptions())
    assert "Pw0rdS3cretXYZ" not in str(ei.value) and "file://alice@otherhost/x" in str(ei.value)


@pytest.mark.parametrize("how", ["moved", "unmounted"])
def test_a_folder_target_gone_during_the_walk_ends_it_as_unreachable(tmp_path, how):
    """'mv target target.moved' (or an unmount: another folder at its path) between two items:
    the walk ends with one 'unreachable' error and the target is incomplete, instead of one
    'unreadable' error per item left and a target that looks scanned."""
    root = tmp_path / "t"
    _tree(root, {"a.txt": "a", "b.txt": "b", "c/d.txt": "d"})
    out = []
    with open_target(str(root), SourceOptions()) as src:
        for entry in src.items():
            out.append(entry)
            if len(out) == 1:
                root.rename(tmp_path / "t.moved")
                if how == "unmounted":
                    root.mkdir()
        info = dict(src.info)
    assert _paths(out) == ["a.txt"]
    assert [(p.uri, p.kind) for p in _problems(out)] == [(str(root / "b.txt"), "unreachable")]
    assert info["incomplete"] and info["incomplete_reason"] == "target folder moved, deleted or unmounted during the scan"


def test_an_item_gone_from_a_target_still_there_is_only_unreadable(tmp_path):
    root = tmp_path / "t"
    _tree(root, {"a.txt": "a", "b.txt": "b", "c.txt": "c"})
    out = []
    with open_target(str(root), SourceOptions()) as src:
        for entry in src.items():
            out.append(entry)
            if len(out) == 1:
                (root / "b.txt").unlink()
        assert not src.target_lost() and "incomplete" not in src.info
    assert _paths(out) == ["a.txt", "c.txt"] and [p.kind for p in _problems(out)] == ["unreadable"]


def test_a_file_target_deleted_is_lost(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    with open_target(str(tmp_path / "a.txt"), SourceOptions()) as src:
        assert not src.target_lost()
        (tmp_path / "a.txt").unlink()
        assert src.target_lost() and src.info["incomplete_reason"].startswith("target file moved")
