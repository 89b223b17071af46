"""Background work of identity resolution (run by the django-tasks worker)."""

from __future__ import annotations

from django_tasks import task

from essor.accounts.models import User

from .models import LinkRun
from .runs import person_run


@task()
def link_registry(run_id: int, actor_id: int | None) -> int:
    """Link the registry's persons; returns the number of records merged."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    run = LinkRun.objects.get(pk=run_id)
    return person_run(actor=actor, dry_run=run.dry_run, run=run).merged
