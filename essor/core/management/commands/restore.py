from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essor.core.backup import (
    VENDOR_NAMES,
    BackupError,
    Manifest,
    check_restorable,
    read_manifest,
    restore_from,
    taken_on,
    work_dir,
)


class Command(BaseCommand):
    help = (
        "Restore a backup archive, then check every table against its manifest.\n"
        "The database and the uploaded files are replaced by the archive's; an archive that was "
        "altered, is of another database or needs another field key is refused first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The archive (.tar.gz), or '-' for standard input.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (for scripts and restore drills).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["archive"]
        with tempfile.TemporaryDirectory(dir=work_dir()) as work:
            if source == "-":
                path = Path(work) / "stdin.tar.gz"
                with path.open("wb") as out:
                    shutil.copyfileobj(sys.stdin.buffer, out)
            else:
                path = Path(source)
                if not path.is_file():
                    raise CommandError(
                        _(
                            "%(path)s: no such file. Give the path of an archive made by "
                            "essor backup."
                        )
                        % {"path": source}
                    )
            try:
                manifest = read_manifest(path)
                check_restorable(manifest)
                if options["interactive"] and not self._confirmed(manifest):
                    self.stdout.write(_("Restore cancelled: nothing changed."))
                    return
                restored = restore_from(path, manifest)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            _(
                "Restored the backup of %(date)s: %(tables)s tables and %(rows)s rows checked "
                "against its manifest, %(files)s uploaded files."
            )
            % {
                "date": taken_on(manifest),
                "tables": len(manifest["tables"]) - len(restored.counted_only),
                "rows": rows,
                "files": len(manifest["media"]),
            },
            style_func=self.style.SUCCESS,
        )
        if restored.dropped_tables:
            self.stdout.write(
                _("Tables that the backup did not have were dropped: %(tables)s.")
                % {"tables": ", ".join(restored.dropped_tables)}
            )
        if restored.counted_only:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Counted but not checksummed (their columns differ in this version of "
                        "essor): %(tables)s. To check them too, restore with the version that "
                        "made the backup (commit %(commit)s)."
                    )
                    % {
                        "tables": ", ".join(restored.counted_only),
                        "commit": manifest.get("git_commit") or "?",
                    }
                )
            )
        if restored.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    ngettext(
                        "The backup predates this version of essor: %(count)s migration to "
                        "apply. Run: essor migrate",
                        "The backup predates this version of essor: %(count)s migrations to "
                        "apply. Run: essor migrate",
                        restored.pending_migrations,
                    )
                    % {"count": restored.pending_migrations}
                )
            )

    def _confirmed(self, manifest: Manifest) -> bool:
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            _(
                "This replaces the %(vendor)s database %(database)s and the files under "
                "%(media)s with the backup of %(date)s (essor %(version)s, %(rows)s rows, "
                "%(files)s files). Everything written since that backup is lost; stop essor's "
                "web server and worker first."
            )
            % {
                "vendor": VENDOR_NAMES[connection.vendor],
                "database": connection.settings_dict["NAME"],
                "media": settings.MEDIA_ROOT,
                "date": taken_on(manifest),
                "version": manifest.get("essor_version", "?"),
                "rows": rows,
                "files": len(manifest["media"]),
            }
        )
        answer = input(_("Type 'yes' to restore: "))
        return answer.strip().lower() in {"yes", _("yes")}
