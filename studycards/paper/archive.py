"""Unpacking arXiv e-prints, which are untrusted input: nothing may land outside the paper's folder.

arXiv serves a tar.gz, a gzipped single ``.tex``, or only a PDF.  Members with
absolute paths or ``..``, links, devices and FIFOs are refused; member sizes,
member counts and the total are bounded, and the bound is checked on the bytes
actually decompressed while streaming, so a gzip bomb stops at the bound.
Everything is unpacked into a temporary folder beside ``dest`` and renamed into
place only when the whole archive passed, so a refused archive leaves nothing.
"""

from __future__ import annotations

import re
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Protocol

from studycards.errors import StudycardsError

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 300 * 1024 * 1024
HEADER_ALLOWANCE = 4096  # bytes of tar headers and padding allowed per member on top of the data
CHUNK = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class _Readable(Protocol):
    """All the unpacking needs of a stream: files, gzip streams, tar members and the wrappers below."""

    def read(self, size: int = -1, /) -> bytes: ...


class _Bounded:
    """A read-only stream that refuses to yield more than ``limit`` bytes (counted after decompression)."""

    def __init__(self, stream: _Readable, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit - self.count + 1
        try:
            data = self.stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise StudycardsError(f"the e-print is damaged: {exc or exc.__class__.__name__}") from None
        self.count += len(data)
        if self.count > self.limit:
            raise StudycardsError(f"refusing the e-print: it unpacks to more than {self.limit} bytes")
        return data


def unpack(
    blob: Path,
    dest: Path,
    *,
    max_members: int = MAX_MEMBERS,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_member_bytes: int = MAX_MEMBER_BYTES,
) -> str:
    """Unpack the e-print ``blob`` into ``dest`` (replacing it); return its kind: ``"tar"``, ``"tex"`` or ``"pdf"``.

    A PDF-only e-print has no source: ``dest`` is removed and ``"pdf"`` returned.
    """
    with blob.open("rb") as raw:
        head = raw.read(512)
    if head.startswith(b"%PDF"):
        _remove(dest)
        return "pdf"
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dest.parent))
    try:
        kind = _unpack_into(blob, head, work, max_members, max_total_bytes, max_member_bytes)
        if kind == "pdf":
            shutil.rmtree(work)
            _remove(dest)
            return kind
        _remove(dest)
        work.rename(dest)
        return kind
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _unpack_into(blob: Path, head: bytes, work: Path, max_members: int, max_total: int, max_member: int) -> str:
    stream_limit = max_total + HEADER_ALLOWANCE * (max_members + 2)
    with blob.open("rb") as raw:
        if head.startswith(GZIP_MAGIC):
            import gzip

            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                reader = _Bounded(unzipped, stream_limit)
                first = reader.read(512)
                if first.startswith(b"%PDF"):
                    return "pdf"
                if _is_tar(first):
                    return _untar(_Prefixed(first, reader), work, max_members, max_total, max_member)
                name = _gzip_name(head) or "main.tex"
                _write(_Prefixed(first, reader), work / name, name, min(max_member, max_total))
                return "tex"
        reader = _Bounded(raw, stream_limit)
        if _is_tar(head):
            return _untar(reader, work, max_members, max_total, max_member)
    if _looks_like_tex(head):
        with blob.open("rb") as raw:
            _write(_Bounded(raw, stream_limit), work / "main.tex", "main.tex", min(max_member, max_total))
        return "tex"
    raise StudycardsError("the e-print is neither a tar archive, a gzipped file nor a PDF; cannot read it")


class _Prefixed:
    """Bytes already read (to sniff the format) followed by the rest of the stream."""

    def __init__(self, prefix: bytes, rest: _Readable) -> None:
        self.prefix = prefix
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if not self.prefix:
            return self.rest.read(size)
        if size is None or size < 0:
            data, self.prefix = self.prefix, b""
            return data + self.rest.read(-1)
        data, self.prefix = self.prefix[:size], self.prefix[size:]
        return data


def _is_tar(block: bytes) -> bool:
    if len(block) < 512:
        return False
    try:
        tarfile.TarInfo.frombuf(block[:512], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _looks_like_tex(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    return "\\" in text and "\x00" not in text


def _gzip_name(head: bytes) -> str | None:
    """The original file name stored in a gzip header, if it is a plain, safe one (given a ``.tex`` suffix)."""
    if len(head) < 10 or not head[3] & 0x08:
        return None
    pos = 10
    if head[3] & 0x04:
        pos += 2 + int.from_bytes(head[10:12], "little")
    end = head.find(b"\x00", pos)
    if end < 0:
        return None
    name = head[pos:end].decode("latin-1").replace("\\", "/").rsplit("/", 1)[-1]
    if not re.fullmatch(r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,100}", name):
        return None
    return name if name.lower().endswith(".tex") else name + ".tex"


def _member_path(name: str) -> PurePosixPath | None:
    """The member's path inside the folder, ``None`` for entries to skip; refuses any way out."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        raise StudycardsError(f"refusing the e-print: member {name!r} has an absolute path")
    parts = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    if ".." in parts:
        raise StudycardsError(f"refusing the e-print: member {name!r} points outside its folder ('..')")
    if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None  # the archive's root entry, or macOS resource forks
    return PurePosixPath(*parts)


def _untar(stream: _Readable, work: Path, max_members: int, max_total: int, max_member: int) -> str:
    total = 0
    # stream mode only ever calls read(), though the stub asks for a seekable, writable file
    with _damage_reported(), tarfile.open(fileobj=stream, mode="r|") as archive:  # type: ignore[call-overload]
        for count, member in enumerate(archive, start=1):
            if count > max_members:
                raise StudycardsError(f"refusing the e-print: more than {max_members} members")
            kind = _refused_kind(member)
            if kind:
                raise StudycardsError(f"refusing the e-print: member {member.name!r} is {kind}")
            path = _member_path(member.name)
            if path is None:
                continue
            target = work.joinpath(path)
            if member.isdir():
                _mkdir(target, member.name)
                continue
            if member.size > max_member:
                raise StudycardsError(
                    f"refusing the e-print: member {member.name!r} is {member.size} bytes, "
                    f"over the limit of {max_member}"
                )
            total += member.size
            if total > max_total:
                raise StudycardsError(f"refusing the e-print: it unpacks to more than {max_total} bytes")
            source = archive.extractfile(member)
            if source is None:
                raise StudycardsError(f"refusing the e-print: cannot read member {member.name!r}")
            _mkdir(target.parent, member.name)
            _write(source, target, member.name, max_member)
    return "tar"


@contextmanager
def _damage_reported() -> Iterator[None]:
    """A tar archive that breaks off anywhere (a header, a member's data, its end) is one clear error."""
    try:
        yield
    except tarfile.TarError as exc:
        raise StudycardsError(f"the e-print is a damaged tar archive: {exc}") from None


def _refused_kind(member: tarfile.TarInfo) -> str | None:
    if member.issym():
        return "a symbolic link"
    if member.islnk():
        return "a hard link"
    if member.ischr() or member.isblk():
        return "a device"
    if member.isfifo():
        return "a FIFO"
    if not (member.isreg() or member.isdir()):
        return "of an unsupported type"
    return None


def _mkdir(path: Path, name: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudycardsError(f"cannot unpack member {name!r}: {exc.strerror}") from None


def _write(source: _Readable, target: Path, name: str, limit: int) -> None:
    """Copy at most ``limit`` bytes; a member that turns out longer is refused."""
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise StudycardsError(f"refusing the e-print: member {name!r} is over the limit of {limit} bytes")
                out.write(chunk)
    except OSError as exc:
        raise StudycardsError(f"cannot unpack member {name!r}: {exc.strerror or exc}") from None
