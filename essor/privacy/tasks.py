"""Retention, every night: a task that does its day's work and queues its next run.

django-tasks has no scheduler, so the task re-enqueues itself (``run_after`` the next night,
:func:`ensure_scheduled`) whatever happens to its run, and :func:`ensure_scheduled` also runs
after every ``migrate`` (``make run`` migrates before it starts the worker): a fresh set-up,
or one whose queue was emptied, gets its next run without anyone thinking of it. Only the
database backend can wait (``supports_defer``); with another backend (the tests' immediate
one) nothing is scheduled. ``ESSOR_RETENTION_SCHEDULE=0`` turns it off.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

# Local time of the nightly run: after the day's work, before the next morning's.
RUN_AT = time(2, 30)


def schedule_enabled() -> bool:
    value = getattr(settings, "ESSOR_RETENTION_SCHEDULE", None)
    if value is None:
        value = os.environ.get("ESSOR_RETENTION_SCHEDULE", "1")
    return str(value).lower() not in {"0", "false", "no", "off", ""}


def next_run(now: datetime | None = None) -> datetime:
    """The next RUN_AT, local time (tomorrow's when today's has passed)."""
    now = timezone.localtime(now)
    day = now.date() if now.time() < RUN_AT else now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, RUN_AT))


@task()
def retention_nightly() -> int:
    """Anonymise every person whose data expired; returns how many. Queues tomorrow's run."""
    from .models import AnonymisationTrigger
    from .retention import retention_apply

    try:
        return len(retention_apply(actor=None, trigger=AnonymisationTrigger.SCHEDULE))
    finally:
        ensure_scheduled()


def ensure_scheduled() -> bool:
    """Queue the next nightly run unless one is already waiting; True when one was queued."""
    if not schedule_enabled() or not default_task_backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=retention_nightly.module_path, status="READY"
    ).exists()
    if waiting:
        return False
    retention_nightly.using(run_after=next_run()).enqueue()
    return True
