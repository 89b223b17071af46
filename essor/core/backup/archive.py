"""The archive and its manifest: the files it holds, its name, writing it and reading it back."""

from __future__ import annotations

import json
import os
import tarfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from essor.core.backup.common import (
    FORMAT,
    MANIFEST,
    BackupError,
    Manifest,
    _is_key_file,
    media_root,
)


def media_files() -> dict[str, Path]:
    """The files under MEDIA_ROOT by their archive name, key files left out."""
    root = media_root()
    files: dict[str, Path] = {}
    if not root.is_dir():
        return files
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file() or _is_key_file(path):
                continue
            files[path.relative_to(root).as_posix()] = path
    return dict(sorted(files.items()))


@dataclass
class Backup:
    manifest: Manifest
    files: list[tuple[str, Path]] = field(default_factory=list)


def taken_on(manifest: Manifest) -> str:
    """When the backup was taken, in local time, for people."""
    created = timezone.localtime(datetime.fromisoformat(manifest["created_at"]))
    return created.strftime("%Y-%m-%d %H:%M:%S %Z")


def archive_name(manifest: Manifest) -> str:
    """``essor-2026-11-25-031500-postgresql.tar.gz``: sorts by date, says the vendor."""
    created = datetime.fromisoformat(manifest["created_at"])
    stamp = timezone.localtime(created).strftime("%Y-%m-%d-%H%M%S")
    return f"essor-{stamp}-{manifest['database']['vendor']}.tar.gz"


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def write_archive(backup: Backup, out: IO[bytes]) -> None:
    """The archive, streamed (``out`` may be a pipe): the manifest first, then the files."""
    text = json.dumps(backup.manifest, indent=2, ensure_ascii=False).encode()
    with tarfile.open(fileobj=out, mode="w|gz") as tar:
        info = _private(tarfile.TarInfo(MANIFEST))
        info.size = len(text)
        info.mtime = int(timezone.now().timestamp())
        tar.addfile(info, _bytes_io(text))
        for name, path in backup.files:
            tar.add(path, arcname=name, recursive=False, filter=_private)


def _bytes_io(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


def _not_a_backup(path: Path | str, why: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a backup made by essor backup: %(why)s.") % {"path": path, "why": why}
    )


def read_manifest(path: Path) -> Manifest:
    """The manifest of an archive, checked to be one that this essor can restore."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise _not_a_backup(path, _("it holds no manifest.json")) from None
            file = tar.extractfile(member)
            if file is None:
                raise _not_a_backup(path, _("its manifest.json is not a file"))
            manifest = json.loads(file.read().decode())
    except (tarfile.TarError, EOFError, OSError) as exc:
        why = _("it is not a readable archive (%(error)s)") % {"error": exc}
        raise _not_a_backup(path, why) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _not_a_backup(path, _("its manifest.json is not JSON")) from exc
    if not isinstance(manifest, dict) or manifest.get("app") != "essor":
        raise _not_a_backup(path, _("its manifest.json is not essor's"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _(
                "This backup has the archive format %(format)s; this essor reads format "
                "%(ours)s. Restore it with the essor version that made it (%(version)s)."
            )
            % {
                "format": manifest.get("format"),
                "ours": FORMAT,
                "version": manifest.get("essor_version", "?"),
            }
        )
    return manifest
