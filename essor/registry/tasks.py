"""Background work of the registry: checking and loading imports."""

from __future__ import annotations

from django_tasks import task

from essor.accounts.models import User

from .importing.jobs import import_job_load, import_job_plan
from .models import ImportJob


@task()
def plan_import(job_id: int) -> None:
    import_job_plan(ImportJob.objects.select_related("partner").get(pk=job_id))


@task()
def load_import(job_id: int, actor_id: int | None) -> None:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    import_job_load(ImportJob.objects.select_related("partner").get(pk=job_id), actor=actor)
