"""Background work of the monitoring app (run by the django-tasks worker)."""

from __future__ import annotations

from django_tasks import task

from .facts import refresh


@task()
def refresh_facts() -> int:
    """Rebuild the figures from the records; returns the number of analytics rows."""
    return refresh().rows
