"""E-print unpacking at its edges: each limit exactly at and one past, the format sniffing window, gzip headers."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
import threading
import time
import zlib
from pathlib import Path

import pytest

from studycards.errors import StudycardsError
from studycards.paper.archive import unpack

# the documented defaults, written out: a test that read them from the module would follow a changed limit
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 300 * 1024 * 1024
HEADER_ALLOWANCE = 4096  # bytes of tar headers allowed per member, beyond the total

NEITHER = "the e-print is neither a tar archive, a gzipped file nor a PDF; cannot read it"
TEX = b"\\documentclass{article}\\begin{document}x\\end{document}"


def _info(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.type = size, kind
    return info


def _tar_bytes(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _left_beside(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.parent.iterdir()) if dest.parent.exists() else []


# -- the default limits, exactly at and one past ----------------------------------------------


@pytest.mark.parametrize("skipped", [MAX_MEMBERS - 1, MAX_MEMBERS], ids=["at the limit", "one past"])
def test_the_default_member_limit(tmp_path: Path, skipped: int) -> None:
    # one real file and resource-fork entries, which are skipped but still count
    members = [(_info("main.tex", len(TEX)), TEX)] + [(_info(f"__MACOSX/._{i}"), b"") for i in range(skipped)]
    blob = _write(tmp_path / "eprint", gzip.compress(_tar_bytes(members), compresslevel=1))
    dest = tmp_path / "paper" / "src"
    if skipped < MAX_MEMBERS:
        assert unpack(blob, dest) == "tar"
        assert [p.name for p in dest.iterdir()] == ["main.tex"]
    else:
        with pytest.raises(StudycardsError, match=rf"^refusing the e-print: more than {MAX_MEMBERS} members$"):
            unpack(blob, dest)
        assert _left_beside(dest) == []


def test_the_default_member_size_is_checked_from_the_header(tmp_path: Path) -> None:
    # only the header: a member declared one byte over is refused before any of its data is read
    over = _write(tmp_path / "over", _info("big.tex", MAX_MEMBER_BYTES + 1).tobuf(tarfile.GNU_FORMAT))
    dest = tmp_path / "paper" / "src"
    message = (
        f"refusing the e-print: member 'big.tex' is {MAX_MEMBER_BYTES + 1} bytes, over the limit of {MAX_MEMBER_BYTES}"
    )
    with pytest.raises(StudycardsError) as caught:
        unpack(over, dest)
    assert str(caught.value) == message
    # exactly at the limit it is accepted, and then found cut short
    at = _write(tmp_path / "at", _info("big.tex", MAX_MEMBER_BYTES).tobuf(tarfile.GNU_FORMAT))
    with pytest.raises(StudycardsError, match=r"^the e-print is a damaged tar archive"):
        unpack(at, dest)
    assert _left_beside(dest) == []


def test_the_default_total_is_checked_from_the_headers(tmp_path: Path) -> None:
    huge = 10**12  # members may be any size: only the total limit applies
    over = _write(tmp_path / "over", _info("big.tex", MAX_TOTAL_BYTES + 1).tobuf(tarfile.GNU_FORMAT))
    dest = tmp_path / "paper" / "src"
    with pytest.raises(StudycardsError) as caught:
        unpack(over, dest, max_member_bytes=huge)
    assert str(caught.value) == f"refusing the e-print: it unpacks to more than {MAX_TOTAL_BYTES} bytes"
    at = _write(tmp_path / "at", _info("big.tex", MAX_TOTAL_BYTES).tobuf(tarfile.GNU_FORMAT))
    with pytest.raises(StudycardsError, match=r"^the e-print is a damaged tar archive"):
        unpack(at, dest, max_member_bytes=huge)
    assert _left_beside(dest) == []


def test_a_single_file_is_held_to_the_smaller_of_the_member_and_total_limits(tmp_path: Path) -> None:
    tex = b"\\" + b"x" * 99
    dest = tmp_path / "src"
    for compress in (False, True):
        blob = _write(tmp_path / "eprint", gzip.compress(tex) if compress else tex)
        assert unpack(blob, dest, max_member_bytes=100, max_total_bytes=10**9) == "tex"
        assert (dest / "main.tex").read_bytes() == tex
        assert unpack(blob, dest, max_member_bytes=10**9, max_total_bytes=100) == "tex"
        for limits in ({"max_member_bytes": 99}, {"max_member_bytes": 10**9, "max_total_bytes": 99}):
            with pytest.raises(StudycardsError) as caught:
                unpack(blob, tmp_path / "refused", **limits)
            assert str(caught.value) == "refusing the e-print: member 'main.tex' is over the limit of 99 bytes"
    assert not (tmp_path / "refused").exists()


# -- the bound on the whole stream: headers count too --------------------------------------------


def _padded_tar(comment_bytes: int) -> bytes:
    """One one-byte member behind a long pax header, with no end-of-archive blocks: every byte is read."""
    info = tarfile.TarInfo("main.tex")
    info.size = 1
    info.pax_headers = {"comment": "c" * comment_bytes}
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape") + b"\\" + b"\0" * 511


@pytest.mark.parametrize("compress", [False, True], ids=["tar", "tar.gz"])
@pytest.mark.parametrize("members", [1, 3])
def test_the_stream_bound_is_the_total_plus_an_allowance_per_member(
    tmp_path: Path, compress: bool, members: int
) -> None:
    data = _padded_tar(30_000)
    size = len(data)  # what the unpacking reads, decompressed
    blob = _write(tmp_path / "eprint", gzip.compress(data) if compress else data)
    allowance = HEADER_ALLOWANCE * (members + 2)
    dest = tmp_path / "src"
    assert unpack(blob, dest, max_members=members, max_total_bytes=size - allowance) == "tar"
    assert (dest / "main.tex").read_bytes() == b"\\"
    with pytest.raises(StudycardsError) as caught:
        unpack(blob, tmp_path / "refused", max_members=members, max_total_bytes=size - allowance - 1)
    assert str(caught.value) == f"refusing the e-print: it unpacks to more than {size - 1} bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eprint", "src"]


# -- sniffing the format -----------------------------------------------------------------------


def test_something_else_is_refused_with_one_exact_line(tmp_path: Path) -> None:
    for data in (b"hello, world\n", b"\\documentclass\x00\x01\x02 binary", b"", b"\x1f"):
        blob = _write(tmp_path / "eprint", data)
        with pytest.raises(StudycardsError) as caught:
            unpack(blob, tmp_path / "paper" / "src")
        assert str(caught.value) == NEITHER
        assert _left_beside(tmp_path / "paper" / "src") == []


@pytest.mark.parametrize(("prose", "kind"), [(511, "tex"), (512, None)], ids=["within 512 bytes", "past them"])
def test_an_uncompressed_tex_is_recognised_by_a_backslash_in_its_first_512_bytes(
    tmp_path: Path, prose: int, kind: str | None
) -> None:
    data = b"%" * prose + b"\\documentclass{article}\n"
    blob = _write(tmp_path / "eprint", data)
    dest = tmp_path / "src"
    if kind:
        assert unpack(blob, dest) == kind
        assert (dest / "main.tex").read_bytes() == data
    else:
        with pytest.raises(StudycardsError) as caught:
            unpack(blob, dest)
        assert str(caught.value) == NEITHER


def test_a_latin_1_tex_file_is_read_as_tex(tmp_path: Path) -> None:
    data = "\\documentclass{article}\n% étude de l'équation, café\n".encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    for blob in (_write(tmp_path / "plain", data), _write(tmp_path / "gz", gzip.compress(data))):
        dest = tmp_path / "out" / blob.name
        assert unpack(blob, dest) == "tex"
        assert (dest / "main.tex").read_bytes() == data


@pytest.mark.parametrize("compress", [False, True], ids=["tar", "tar.gz"])
def test_a_tar_whose_first_name_is_not_utf_8_is_still_a_tar(tmp_path: Path, compress: bool) -> None:
    name = b"caf\xe9.tex"
    info = tarfile.TarInfo(os.fsdecode(name))
    info.size = len(TEX)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8") as archive:
        archive.addfile(info, io.BytesIO(TEX))
    data = buffer.getvalue()
    assert name in data[:100]
    blob = _write(tmp_path / "eprint", gzip.compress(data) if compress else data)
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tar"
    assert os.listdir(os.fsencode(dest)) == [name]
    assert (dest / os.fsdecode(name)).read_bytes() == TEX


# -- gzip headers: which stored name is used -------------------------------------------------------


def _gzip(data: bytes, *, flags: int, extra: bytes = b"", name: bytes = b"", comment: bytes = b"") -> bytes:
    """A gzip member by hand: FTEXT 0x01, FEXTRA 0x04, FNAME 0x08, FCOMMENT 0x10, each field as flagged."""
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff"
    if flags & 0x04:
        header += len(extra).to_bytes(2, "little") + extra
    if flags & 0x08:
        header += name + b"\0"
    if flags & 0x10:
        header += comment + b"\0"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush()
    return header + body + zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")


@pytest.mark.parametrize(
    ("fields", "unpacked"),
    [
        ({"flags": 0x08, "name": b"paper.tex"}, "paper.tex"),
        ({"flags": 0x01 | 0x08, "name": b"paper.tex"}, "paper.tex"),
        ({"flags": 0x04 | 0x08, "extra": b"AB\x02\x00xy", "name": b"paper.tex"}, "paper.tex"),
        ({"flags": 0x01 | 0x04 | 0x08, "extra": b"", "name": b"paper.tex"}, "paper.tex"),
        ({"flags": 0x10, "comment": b"notes.tex"}, "main.tex"),
        ({"flags": 0x01 | 0x10, "comment": b"notes.tex"}, "main.tex"),
        ({"flags": 0x04 | 0x10, "extra": b"AB\x00\x00", "comment": b"notes.tex"}, "main.tex"),
        ({"flags": 0x01}, "main.tex"),
        ({"flags": 0x08 | 0x10, "name": b"C:\\Users\\me\\paper.tex", "comment": b"notes.tex"}, "paper.tex"),
        ({"flags": 0x08, "name": b"a/b/c/paper"}, "paper.tex"),
    ],
    ids=[
        "name",
        "text flag and name",
        "extra field then name",
        "empty extra field then name",
        "comment only",
        "text flag and comment",
        "extra field and comment",
        "text flag only",
        "windows path and comment",
        "nested path",
    ],
)
def test_only_a_stored_name_names_a_gzipped_file(tmp_path: Path, fields: dict, unpacked: str) -> None:
    blob = _write(tmp_path / "eprint", _gzip(TEX, **fields))
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tex"
    assert [p.name for p in dest.iterdir()] == [unpacked]
    assert (dest / unpacked).read_bytes() == TEX


@pytest.mark.parametrize(("end", "unpacked"), [(511, "paper.tex"), (512, "main.tex")])
def test_a_stored_name_is_read_only_from_the_first_512_bytes(tmp_path: Path, end: int, unpacked: str) -> None:
    name = b"paper.tex"
    extra = b"x" * (end - len(name) - 12)  # the name's terminating zero byte lands at offset `end`
    data = _gzip(TEX, flags=0x04 | 0x08, extra=extra, name=name)
    assert data.index(b"paper.tex\0") + len(name) == end
    blob = _write(tmp_path / "eprint", data)
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tex"
    assert [p.name for p in dest.iterdir()] == [unpacked]


# -- member names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["\\evil.tex", "\\\\server\\share\\x.tex", "C:evil.tex", "c:/x.tex", "Z:\\x.tex"])
def test_windows_absolute_member_names_are_refused(tmp_path: Path, name: str) -> None:
    blob = _write(tmp_path / "eprint", gzip.compress(_tar_bytes([(_info(name, 1), b"x")])))
    dest = tmp_path / "paper" / "src"
    with pytest.raises(StudycardsError) as caught:
        unpack(blob, dest)
    assert str(caught.value) == f"refusing the e-print: member {name!r} has an absolute path"
    assert _left_beside(dest) == []


def test_dot_and_empty_path_parts_are_dropped(tmp_path: Path) -> None:
    members = [
        (_info("./"), b""),  # the root entry, stored as a file
        (_info("."), b""),
        (_info("./__MACOSX/._main.tex", 1), b"x"),  # a resource fork below the root entry
        (_info(".//sec//./a.tex", 1), b"a"),
        (_info("./main.tex", len(TEX)), TEX),
    ]
    blob = _write(tmp_path / "eprint", gzip.compress(_tar_bytes(members)))
    dest = tmp_path / "src"
    assert unpack(blob, dest) == "tar"
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["main.tex", "sec", "sec/a.tex"]


# -- what is replaced ------------------------------------------------------------------------------


@pytest.mark.parametrize("previous", ["file", "dangling link", "link to a folder"])
@pytest.mark.parametrize("data", [TEX, b"%PDF-1.5\n%%EOF\n"], ids=["source", "pdf"])
def test_whatever_stood_at_the_destination_is_replaced(tmp_path: Path, previous: str, data: bytes) -> None:
    dest = tmp_path / "paper" / "src"
    dest.parent.mkdir()
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "x.tex").write_bytes(b"keep me")
    if previous == "file":
        dest.write_bytes(b"old")
    elif previous == "dangling link":
        dest.symlink_to(tmp_path / "nowhere")
    else:
        dest.symlink_to(kept)
    blob = _write(tmp_path / "eprint", gzip.compress(data))
    kind = unpack(blob, dest)
    assert (kept / "x.tex").read_bytes() == b"keep me"
    if kind == "pdf":
        assert not dest.exists() and not dest.is_symlink()
    else:
        assert kind == "tex"
        assert dest.is_dir() and not dest.is_symlink()
        assert (dest / "main.tex").read_bytes() == TEX
    assert _left_beside(dest) == ([] if kind == "pdf" else ["src"])


def test_while_unpacking_only_a_hidden_unpack_folder_stands_beside_the_destination(tmp_path: Path) -> None:
    members = [(_info(f"sec/part{i}.tex", len(TEX)), TEX) for i in range(1500)]
    blob = _write(tmp_path / "eprint", gzip.compress(_tar_bytes(members)))
    dest = tmp_path / "paper" / "src"
    dest.parent.mkdir()
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(os.listdir(dest.parent))
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert unpack(blob, dest) == "tar"
    finally:
        done.set()
        watcher.join(10)
    temporary = seen - {"src"}
    assert temporary, "the unpacking was never seen under way"
    assert all(name.startswith(".unpack-") for name in temporary), temporary
    assert _left_beside(dest) == ["src"]
    assert len(list((dest / "sec").iterdir())) == 1500


def test_a_temporary_folder_replaced_under_the_unpacking_still_gives_one_clear_line(tmp_path: Path) -> None:
    # something else (a cache cleanup, a second program) puts a file where the temporary folder was
    members = [(_info(f"part{i}.tex", len(TEX)), TEX) for i in range(3000)]
    blob = _write(tmp_path / "eprint", gzip.compress(_tar_bytes(members)))
    dest = tmp_path / "paper" / "src"
    dest.parent.mkdir()
    done = threading.Event()

    def replace() -> None:
        while not done.is_set():
            for name in os.listdir(dest.parent):
                if name != "src":
                    shutil.rmtree(dest.parent / name, ignore_errors=True)
                    try:
                        (dest.parent / name).open("x").close()
                    except OSError:
                        continue
                    return
            time.sleep(0.0005)

    intruder = threading.Thread(target=replace, daemon=True)
    intruder.start()
    try:
        with pytest.raises(StudycardsError, match=r"^cannot unpack member 'part\d+\.tex': ") as caught:
            unpack(blob, dest)
    finally:
        done.set()
        intruder.join(10)
    assert "\n" not in str(caught.value)
    assert not dest.exists()
