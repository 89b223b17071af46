from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from essor.core.backup import BackupError, Manifest, backup_to, prepare_backup, write_archive


class Command(BaseCommand):
    help = (
        "Write a backup archive: the database, the uploaded files, a manifest to check them.\n"
        "Every table's row count and checksum are in the manifest. SECRET_KEY and the field key "
        "are not in the archive: keep them apart (docs/how-to/backup-and-restore.md)."
    )
    verbosity = 1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            help=(
                "The archive to write, or a folder for a dated name in it (default: "
                "ESSOR_BACKUP_DIR, var/backups). '-' writes it to standard output, e.g. to "
                "encrypt it with gpg on the way."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        self.verbosity = options["verbosity"]
        try:
            if output == "-":
                with prepare_backup() as backup:
                    write_archive(backup, sys.stdout.buffer)
                    sys.stdout.buffer.flush()
                self._summary(backup.manifest, _("standard output"), err=True)
                return
            target = Path(output) if output else Path(settings.ESSOR_BACKUP_DIR)
            if not output:
                target.mkdir(parents=True, exist_ok=True)
            path, manifest = backup_to(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(manifest, str(path))

    def _summary(self, manifest: Manifest, where: str, err: bool = False) -> None:
        if self.verbosity < 1:
            return  # -v 0: silent when all went well (cron)
        stream = self.stderr if err else self.stdout
        rows = sum(table["rows"] for table in manifest["tables"].values())
        stream.write(
            _(
                "Backup written to %(where)s: %(vendor)s database, %(tables)s tables, %(rows)s "
                "rows, %(files)s uploaded files."
            )
            % {
                "where": where,
                "vendor": manifest["database"]["vendor"],
                "tables": len(manifest["tables"]),
                "rows": rows,
                "files": len(manifest["media"]),
            },
            style_func=self.style.SUCCESS,
        )
        stream.write(
            _(
                "It holds personal data: store it encrypted. Keep SECRET_KEY and the field key "
                "(ESSOR_FIELD_KEY or var/field_key) apart from it: a restore needs the same keys."
            )
        )
