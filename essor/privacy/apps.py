from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schedule_retention(**kwargs: Any) -> None:
    from .tasks import ensure_scheduled

    ensure_scheduled()


class PrivacyConfig(AppConfig):
    name = "essor.privacy"
    verbose_name = _("Personal data (law 09-08)")

    def ready(self) -> None:
        # After every migrate (``make run`` migrates first), the nightly retention run is
        # queued if none is (essor/privacy/tasks.py).
        post_migrate.connect(_schedule_retention, sender=self, dispatch_uid="privacy-retention")
