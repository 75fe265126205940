"""Unpacking e-prints: real arXiv archives work, hostile ones are refused and leave nothing behind."""

from __future__ import annotations

import gzip
import io
import tarfile
import tracemalloc
import zlib
from pathlib import Path

import pytest

from studycards.errors import StudycardsError
from studycards.paper.archive import unpack

# -- real e-prints from the corpus -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "files"),
    [
        ("0903.0359.tar.gz", "tar", ["DeltaEMs.bbl", "DeltaEMs.tex"]),
        ("0903.0179.single-tex.gz", "tex", ["hepth_desitterv3.tex"]),  # named as in the gzip header
        # macOS '._*' resource forks beside every file are left out
        (
            "1801.03879.tar.gz",
            "tar",
            [
                "accessibilityMeta.sty",
                "cc-by.pdf",
                "defective-fpt.bbl",
                "defective-fpt.tex",
                "lipics-logo-bw.pdf",
                "lipics-v2016.cls",
            ],
        ),
    ],
)
def test_real_eprints_unpack(corpus: Path, tmp_path: Path, name: str, kind: str, files: list[str]) -> None:
    dest = tmp_path / "paper" / "src"
    assert unpack(corpus / "eprints" / name, dest) == kind
    assert sorted(p.name for p in dest.rglob("*")) == files


def test_a_pdf_only_eprint_has_no_source(tmp_path: Path) -> None:
    blob = tmp_path / "eprint"
    blob.write_bytes(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "pdf"
    assert not dest.exists()


def test_a_plain_tar_and_an_uncompressed_tex_are_read_too(tmp_path: Path) -> None:
    tex = b"\\documentclass{article}\n\\begin{document}\n$$x$$\n\\end{document}\n"
    blob = _tar(tmp_path / "plain.tar", [_file("paper.tex", tex)], compress=False)
    assert unpack(blob, tmp_path / "a") == "tar"
    assert (tmp_path / "a" / "paper.tex").read_bytes() == tex
    single = tmp_path / "single"
    single.write_bytes(tex)
    assert unpack(single, tmp_path / "b") == "tex"
    assert (tmp_path / "b" / "main.tex").read_bytes() == tex


def _gzip_with_name(path: Path, name: bytes | None, data: bytes, extra: bytes | None = None) -> Path:
    """A gzip member written by hand, so its header can hold any name (Python's writer keeps only a basename)."""
    flags = (0x04 if extra is not None else 0) | (0x08 if name is not None else 0)
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff"
    if extra is not None:
        header += len(extra).to_bytes(2, "little") + extra
    if name is not None:
        header += name + b"\0"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush()
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")
    path.write_bytes(header + body + trailer)
    return path


@pytest.mark.parametrize(
    ("name", "extra", "unpacked"),
    [
        (b"paper.tex", None, "paper.tex"),
        (b"paper", None, "paper.tex"),
        (b"Paper.TEX", None, "Paper.TEX"),
        (b"../../evil.tex", None, "evil.tex"),
        (b"/etc/evil.tex", None, "evil.tex"),
        (b"dir\\x.tex", None, "x.tex"),
        (b"paper.tex", b"some extra field", "paper.tex"),
        (b"x" * 101, None, "x" * 101 + ".tex"),
        (b"x" * 102, None, "main.tex"),
        (b".hidden.tex", None, "main.tex"),
        (b"a b.tex", None, "main.tex"),
        (b"", None, "main.tex"),
        (None, None, "main.tex"),
    ],
    ids=[
        "plain",
        "no suffix",
        "upper-case suffix",
        "dot-dot",
        "absolute",
        "backslash",
        "after an extra field",
        "longest name",
        "too long",
        "hidden",
        "space",
        "empty",
        "no name",
    ],
)
def test_a_gzipped_single_file_keeps_its_stored_name_only_when_plain(
    tmp_path: Path, name: bytes | None, extra: bytes | None, unpacked: str
) -> None:
    tex = b"\\documentclass{article}\\begin{document}x\\end{document}"
    blob = _gzip_with_name(tmp_path / "eprint", name, tex, extra)
    dest = tmp_path / "paper" / "src"
    assert unpack(blob, dest) == "tex"
    assert [p.name for p in dest.iterdir()] == [unpacked]
    assert (dest / unpacked).read_bytes() == tex
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eprint", "paper"]


def test_nested_folders_and_the_dot_root_entry(tmp_path: Path) -> None:
    root = tarfile.TarInfo("./")
    root.type = tarfile.DIRTYPE
    blob = _tar(
        tmp_path / "e.tar.gz",
        [(root, None), _file("./sec/intro.tex", b"hi"), _file("./main.tex", b"\\documentclass{x}\\begin{document}")],
    )
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tar"
    assert (dest / "sec" / "intro.tex").read_bytes() == b"hi"
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["main.tex", "sec", "sec/intro.tex"]


def test_a_refreshed_source_replaces_the_old_one(tmp_path: Path) -> None:
    dest = tmp_path / "src"
    unpack(_tar(tmp_path / "one.tar.gz", [_file("old.tex", b"old")]), dest)
    unpack(_tar(tmp_path / "two.tar.gz", [_file("new.tex", b"new")]), dest)
    assert [p.name for p in dest.iterdir()] == ["new.tex"]


def _folder(name: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info, None


def test_folder_entries_make_folders_even_empty_ones(tmp_path: Path) -> None:
    blob = _tar(
        tmp_path / "e.tar.gz",
        [_folder("figs"), _folder("sec/"), _file("sec/intro.tex", b"hi"), _folder("sec/empty/"), _folder("figs")],
    )
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tar"
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == [
        "figs",
        "sec",
        "sec/empty",
        "sec/intro.tex",
    ]
    assert (dest / "sec" / "empty").is_dir() and not any((dest / "sec" / "empty").iterdir())


def test_a_file_entry_below_a_folder_that_was_never_listed(tmp_path: Path) -> None:
    blob = _tar(tmp_path / "e.tar", [_file("a/b/c.tex", b"deep")], compress=False)
    assert unpack(blob, tmp_path / "src") == "tar"
    assert (tmp_path / "src" / "a" / "b" / "c.tex").read_bytes() == b"deep"


def test_macos_resource_forks_are_left_out(tmp_path: Path) -> None:
    blob = _tar(
        tmp_path / "e.tar.gz",
        [
            _file("main.tex", b"main"),
            _folder("__MACOSX"),
            _file("__MACOSX/._main.tex", b"fork"),
            _file("__MACOSX/sec/notes.tex", b"fork"),
            _file("sec/._intro.tex", b"fork"),
            _file("sec/intro.tex", b"intro"),
            _file("sec/x._y.tex", b"kept"),
        ],
    )
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tar"
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == [
        "main.tex",
        "sec",
        "sec/intro.tex",
        "sec/x._y.tex",
    ]


@pytest.mark.parametrize("previous", [False, True], ids=["first fetch", "replacing a source"])
def test_a_gzipped_pdf_has_no_source_either(tmp_path: Path, previous: bool) -> None:
    dest = tmp_path / "paper" / "src"
    if previous:
        unpack(_tar(tmp_path / "old.tar.gz", [_file("old.tex", b"old")]), dest)
    blob = tmp_path / "paper" / "eprint"
    blob.parent.mkdir(exist_ok=True)
    blob.write_bytes(gzip.compress(b"%PDF-1.5\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
    assert unpack(blob, dest) == "pdf"
    assert sorted(p.name for p in (tmp_path / "paper").iterdir()) == ["eprint"]  # no src, no temporary folder


# -- hostile archives ------------------------------------------------------------------


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _symlink(name: str, target: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info, None


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.devmajor, info.devminor = kind, linkname, 1, 3
    return info, None


HOSTILE = [
    ("path traversal", [_file("main.tex", b"ok"), _file("../evil.txt", b"pwned")], "points outside its folder"),
    ("deep traversal", [_file("a/../../evil.txt", b"pwned")], "points outside its folder"),
    ("absolute path", [_file("/tmp/studycards-evil.txt", b"pwned")], "has an absolute path"),
    ("symlink", [_symlink("link.tex", "/etc/passwd")], "is a symbolic link"),
    ("symlink then write through it", [_symlink("d", ".."), _file("d/evil.txt", b"x")], "is a symbolic link"),
    ("hard link", [_file("a.tex", b"x"), _special("b.tex", tarfile.LNKTYPE, "a.tex")], "is a hard link"),
    ("hard link outside", [_special("passwd", tarfile.LNKTYPE, "/etc/passwd")], "is a hard link"),
    ("character device", [_special("null", tarfile.CHRTYPE)], "is a device"),
    ("block device", [_special("sda", tarfile.BLKTYPE)], "is a device"),
    ("fifo", [_special("pipe", tarfile.FIFOTYPE)], "is a FIFO"),
    ("oversized member", [_file("big.tex", b"x" * 5000)], "'big.tex' is 5000 bytes, over the limit of 4096"),
    ("too many members", [_file(f"f{i}.tex", b"x") for i in range(11)], "more than 10 members"),
    ("over the total", [_file(f"f{i}.tex", b"x" * 4000) for i in range(6)], "unpacks to more than 20000 bytes"),
]


@pytest.mark.parametrize(("members", "message"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_archives_are_refused_and_nothing_is_written(tmp_path: Path, members: list, message: str) -> None:
    blob = _tar(tmp_path / "incoming" / "eprint", members)
    cache = tmp_path / "cache" / "paper"
    before = _tree(tmp_path)
    with pytest.raises(StudycardsError, match=message) as caught:
        unpack(blob, cache / "src", max_members=10, max_total_bytes=20_000, max_member_bytes=4096)
    assert "\n" not in str(caught.value)
    assert _tree(tmp_path) == before | {"cache", "cache/paper"}  # no src, no temporary folder, nothing outside
    assert not Path("/tmp/studycards-evil.txt").exists()


@pytest.mark.parametrize(
    ("members", "accepted"),
    [
        ([_file("a.tex", b"a"), _folder("sec"), _file("sec/b.tex", b"b")], True),
        ([_file("a.tex", b"a"), _folder("sec"), _file("sec/b.tex", b"b"), _folder("figs")], False),
        ([_file("a.tex", b"a"), _folder("__MACOSX"), _file("__MACOSX/._a.tex", b"x"), _file("b.tex", b"b")], False),
    ],
    ids=["exactly the limit", "one more, a folder", "one more, a skipped fork"],
)
def test_the_member_limit_counts_every_entry(tmp_path: Path, members: list, accepted: bool) -> None:
    blob = _tar(tmp_path / "eprint", members)
    dest = tmp_path / "src"
    if accepted:
        assert unpack(blob, dest, max_members=3) == "tar"
        assert (dest / "sec" / "b.tex").read_bytes() == b"b"
    else:
        with pytest.raises(StudycardsError, match=r"^refusing the e-print: more than 3 members$"):
            unpack(blob, dest, max_members=3)
        assert not dest.exists()


def test_a_member_of_an_unknown_type_is_refused(tmp_path: Path) -> None:
    odd = tarfile.TarInfo("odd.tex")
    odd.type, odd.size = b"Z", 3
    with pytest.raises(StudycardsError, match=r"^refusing the e-print: member 'odd\.tex' is of an unsupported type$"):
        unpack(_tar(tmp_path / "eprint", [(odd, b"abc")]), tmp_path / "src")
    assert not (tmp_path / "src").exists()


def test_a_member_or_a_total_exactly_at_its_limit_is_accepted(tmp_path: Path) -> None:
    members = [_file("a.tex", b"x" * 4096), _file("b.tex", b"y" * 4096)]
    dest = tmp_path / "src"
    assert unpack(_tar(tmp_path / "eprint", members), dest, max_total_bytes=8192, max_member_bytes=4096) == "tar"
    assert sorted(p.stat().st_size for p in dest.iterdir()) == [4096, 4096]
    with pytest.raises(StudycardsError, match=r"^refusing the e-print: it unpacks to more than 8191 bytes$"):
        unpack(_tar(tmp_path / "eprint", members), dest, max_total_bytes=8191, max_member_bytes=4096)
    with pytest.raises(StudycardsError, match=r"^refusing the e-print: member 'a\.tex' is 4096 bytes, over the limit"):
        unpack(_tar(tmp_path / "eprint", members), dest, max_total_bytes=8192, max_member_bytes=4095)


def test_a_refused_archive_keeps_the_previous_source(tmp_path: Path) -> None:
    dest = tmp_path / "src"
    unpack(_tar(tmp_path / "good.tar.gz", [_file("main.tex", b"good")]), dest)
    with pytest.raises(StudycardsError):
        unpack(_tar(tmp_path / "bad.tar.gz", [_file("../evil", b"x")]), dest)
    assert (dest / "main.tex").read_bytes() == b"good"
    assert not (tmp_path / "evil").exists()


def test_a_gzip_bomb_is_stopped_by_the_bound_not_by_memory(tmp_path: Path) -> None:
    blob = tmp_path / "eprint"
    with gzip.open(blob, "wb", compresslevel=9) as out:  # 64 MiB of zeros in ~64 KiB
        chunk = b"\0" * (1 << 20)
        for _ in range(64):
            out.write(chunk)
    assert blob.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(StudycardsError, match="over the limit of 1048576 bytes"):
            unpack(blob, tmp_path / "src", max_total_bytes=1 << 20, max_member_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eprint"]


def test_a_tar_bomb_member_is_refused_from_its_header(tmp_path: Path) -> None:
    blob = tmp_path / "eprint"
    info = tarfile.TarInfo("zeros.tex")
    info.size = 64 << 20
    with gzip.open(blob, "wb") as zipped, tarfile.open(fileobj=zipped, mode="w") as archive:
        archive.addfile(info, _Zeros(info.size))
    with pytest.raises(StudycardsError, match=r"'zeros\.tex' is 67108864 bytes, over the limit"):
        unpack(blob, tmp_path / "src", max_member_bytes=1 << 20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eprint"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "neither a tar archive"),
        (b"\x00\x01\x02 binary junk", "neither a tar archive"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", "the e-print is damaged"),
    ],
    ids=["empty", "junk", "broken gzip"],
)
def test_unreadable_eprints_give_one_clear_line(tmp_path: Path, data: bytes, message: str) -> None:
    blob = tmp_path / "eprint"
    blob.write_bytes(data)
    with pytest.raises(StudycardsError, match=message):
        unpack(blob, tmp_path / "src")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eprint"]


def test_a_truncated_tar_is_reported_as_damaged(tmp_path: Path) -> None:
    good = _tar(tmp_path / "good.tar", [_file("main.tex", b"x" * 3000)], compress=False).read_bytes()
    blob = tmp_path / "eprint"
    blob.write_bytes(good[:1500])
    with pytest.raises(StudycardsError, match="damaged"):
        unpack(blob, tmp_path / "src")
    assert not (tmp_path / "src").exists()


# -- helpers -----------------------------------------------------------------------------


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], compress: bool = True) -> Path:
    """An archive written member by member, exactly as given: tarfile itself does not sanitise names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    path.write_bytes(gzip.compress(buffer.getvalue()) if compress else buffer.getvalue())
    return path


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.left)
        buffer[:n] = b"\0" * n
        self.left -= n
        return n
