"""Pages of identity resolution: the review queue, a pair side by side, merges and their undo,
runs over the registry, and the "may already exist" hint while a person is typed in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.permissions import require
from essor.accounts.roles import Cap
from essor.core.http import EssorRequest
from essor.registry.forms import PersonForm
from essor.registry.identifiers import clean_cin, clean_phone
from essor.registry.models import Person

from . import lookup, services
from .models import LinkRun, PersonPair, RecordKind, RunStatus
from .permissions import (
    access_merge,
    access_pair,
    can_decide,
    merges_visible_to,
    visible_ids,
)
from .selectors import evidence_of, pair_view, queue_label, review_queue
from .services import not_same_ids, ordered


@login_required
def queue(request: EssorRequest) -> HttpResponse:
    kind = request.GET.get("kind", RecordKind.PERSON)
    if kind not in RecordKind.values:
        kind = RecordKind.PERSON
    pairs = review_queue(actor=request.user, kind=kind)
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    ids = [i for p in page for i in (p.left_id, p.right_id)]
    shown = visible_ids(request.user, kind, ids)
    rows = [
        {
            "pair": p,
            "left": queue_label(p.left, visible=p.left_id in shown),
            "right": queue_label(p.right, visible=p.right_id in shown),
        }
        for p in page
    ]
    return render(
        request,
        "linkage/queue.html",
        {
            "kind": kind,
            "page": page,
            "rows": rows,
            "counts": {
                k: review_queue(actor=request.user, kind=k).count() for k in RecordKind.values
            },
            "last_run": LinkRun.objects.filter(kind=kind).first(),
        },
    )


@login_required
def pair(request: EssorRequest, kind: str, pk: int) -> HttpResponse:
    found = access_pair(request.user, kind, pk)
    decide = can_decide(request.user, kind, [found.left_id, found.right_id])
    if request.method == "POST":
        if not decide:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "not_same":
                services.pair_not_same(actor=request.user, pair=found)
                messages.success(request, _("Noted: these are two different records."))
            elif action == "merge":
                keep_left = request.POST.get("keep", "left") == "left"
                if isinstance(found, PersonPair):
                    kept, other = found.left, found.right
                    if not keep_left:
                        kept, other = other, kept
                    merge = services.merge_persons(
                        actor=request.user, survivor=kept, merged=other, pair=found
                    )
                else:
                    kept_org, other_org = found.left, found.right
                    if not keep_left:
                        kept_org, other_org = other_org, kept_org
                    merge = services.merge_organisations(
                        actor=request.user, survivor=kept_org, merged=other_org, pair=found
                    )
                messages.success(
                    request,
                    _("Merged: record #%(merged)s now lives in #%(kept)s. It can be undone.")
                    % {"merged": merge.merged_id, "kept": merge.survivor_id},
                )
            else:
                messages.error(request, _("Choose “merge” or “not the same”."))
                return redirect("linkage:pair", kind=kind, pk=pk)
        except services.MergeRefused as error:
            messages.error(request, str(error))
            return redirect("linkage:pair", kind=kind, pk=pk)
        return redirect(reverse("linkage:queue") + f"?kind={kind}")
    return render(
        request, "linkage/pair.html", {**pair_view(request.user, found), "can_decide": decide}
    )


@login_required
def merges(request: EssorRequest) -> HttpResponse:
    rows = merges_visible_to(request.user).select_related("actor", "undone_by")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "linkage/merges.html", {"page": page})


@login_required
@require_POST
def merge_undo(request: EssorRequest, pk: int) -> HttpResponse:
    merge = access_merge(request.user, pk)
    if not can_decide(request.user, merge.kind, [merge.survivor_id, merge.merged_id]):
        raise Http404
    try:
        services.merge_undo(actor=request.user, merge=merge)
        messages.success(
            request,
            _("Merge undone: records #%(a)s and #%(b)s are separate again.")
            % {"a": merge.survivor_id, "b": merge.merged_id},
        )
    except services.MergeRefused as error:
        messages.error(request, str(error))
    return redirect("linkage:merges")


@login_required
def runs(request: EssorRequest) -> HttpResponse:
    require(request.user, Cap.REGISTRY_MERGE)
    if request.method == "POST":
        from .runs import organisation_run
        from .tasks import link_registry

        dry_run = request.POST.get("dry_run") == "1"
        if request.POST.get("kind") == RecordKind.ORGANISATION:
            run = organisation_run(actor=request.user, dry_run=dry_run)
            messages.success(
                request,
                _("%(n)s pairs of organisations to review were found.") % {"n": run.review_pairs},
            )
        elif LinkRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
            messages.error(request, _("A run is already under way: wait for it to finish."))
        else:
            run = LinkRun.objects.create(
                kind=RecordKind.PERSON, dry_run=dry_run, started_by=request.user
            )
            link_registry.enqueue(run.pk, request.user.pk)
            messages.success(request, _("The run has started; this page follows it."))
        return redirect("linkage:runs")
    recent = LinkRun.objects.select_related("started_by")[:20]
    busy = any(r.status in (RunStatus.QUEUED, RunStatus.RUNNING) for r in recent)
    template = "linkage/partials/_runs.html" if request.htmx else "linkage/runs.html"
    return render(request, template, {"runs": recent, "busy": busy})


@login_required
def similar(request: EssorRequest) -> HttpResponse:
    """While a person is typed in: the registry's records that may be the same person."""
    require(request.user, Cap.PERSONAL_CHANGE)
    form = PersonForm(request.GET)
    form.is_valid()  # partial input: keep what parses, ignore the rest
    values: dict[str, Any] = {
        name: form.cleaned_data.get(name) or ""
        for name in ("first_name", "last_name", "first_name_ar", "last_name_ar")
    }
    for name, clean in (("phone", clean_phone), ("cin", clean_cin)):
        try:  # as the registry stores them (+2126…, AB123456)
            values[name] = clean(request.GET.get(name, ""))
        except ValidationError:
            values[name] = ""
    values["birth_date"] = form.cleaned_data.get("birth_date")
    commune = form.cleaned_data.get("commune")
    values["commune_id"] = commune.pk if commune else None
    values["sex"] = form.cleaned_data.get("sex") or ""
    exclude = [int(request.GET["exclude"])] if request.GET.get("exclude", "").isdigit() else []
    matches = (
        lookup.match_one(values, exclude=exclude, threshold=lookup.HINT_THRESHOLD)
        if any(values.values())
        else []
    )
    if exclude:  # editing a person: not those already judged someone else
        judged = not_same_ids(RecordKind.PERSON, exclude)
        matches = [m for m in matches if ordered(exclude[0], m.person_id) not in judged]
    shown = visible_ids(request.user, RecordKind.PERSON, [m.person_id for m in matches])
    persons = Person.objects.in_bulk([m.person_id for m in matches])
    rows = [
        {
            "person": persons[m.person_id],
            "visible": m.person_id in shown,
            "probability": m.scored.probability,
            # Another partner's person: no field's verdict, or typing would reveal their data.
            "evidence": (
                [e for e in evidence_of(m.scored.levels) if e.tone != "missing"]
                if m.person_id in shown
                else []
            ),
        }
        for m in matches
        if m.person_id in persons
    ]
    return render(request, "linkage/partials/_similar.html", {"rows": rows})
