"""New conventions from a text: paste or upload an announcement, review the drafts, save.

Two steps on one URL. *Read*: the text (or file) is read and each convention it announces is
shown as a draft to review; nothing is saved. *Save*: the drafts the user kept are created with
the fields they kept and edited, all or none. The text travels with the review form, so a
refused save shows the same proposals again with the user's edits and the errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essor.accounts.models import User
from essor.accounts.roles import Cap
from essor.core.forms import form_errors
from essor.core.http import EssorRequest

from .extraction import ExtractionError, extract, match_partners
from .extraction.drafts import draft_save, suggest_reference
from .extraction.forms import DraftReviewForm, ExtractForm
from .extraction.proposal import ConventionProposal
from .extraction.text import clean

SOURCE_CHARS = 3000


def can_extract(user: User) -> bool:
    """Who may create a convention by hand may create one from a text."""
    return bool(user.can(Cap.CONVENTIONS_MANAGE) and user.partner_id)


def _review_forms(proposals: list[ConventionProposal], data: Any = None) -> list[DraftReviewForm]:
    taken: set[str] = set()
    forms = []
    for i, proposal in enumerate(proposals):
        year = proposal.start_year.value if proposal.start_year else None
        region = proposal.regions[0].value if proposal.regions else None
        reference = suggest_reference(proposal.kind, region, year, taken)
        taken.add(reference)
        forms.append(DraftReviewForm(data, proposal=proposal, reference=reference, prefix=f"d{i}"))
    return forms


def _source(text: str, filename: str) -> str:
    body = clean(text)
    if len(body) > SOURCE_CHARS:
        body = body[:SOURCE_CHARS].rsplit(" ", 1)[0] + " […]"
    origin = f"fichier {filename}" if filename else "texte collé"
    day = timezone.localdate().strftime("%d/%m/%Y")
    return f"Brouillon proposé par essor le {day} à partir d'un {origin} :\n{body}"


@login_required
def convention_extract(request: EssorRequest) -> HttpResponse:
    user = request.user
    if not can_extract(user):
        raise Http404
    try:
        step = request.POST.get("step", "") if request.method == "POST" else ""
    except RequestDataTooBig:
        error = _("The text is too long to be sent. Keep only the article or the convention.")
        context = {"form": ExtractForm(), "error": error}
        return render(request, "conventions/extract.html", context, status=400)
    if step == "save":
        return _save(request)
    form = ExtractForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["content"]
        try:
            proposals = extract(text)
        except ExtractionError as error:
            form.add_error(None, error.message)
        else:
            if proposals:
                match_partners(proposals)
                return _review(
                    request, text, form.cleaned_data["filename"], _review_forms(proposals)
                )
            form.add_error(
                None,
                _(
                    "essor found no convention in this text: no convention, agreement or "
                    "programme contract is said to be signed, approved or planned. Check that it "
                    "is the right text, or create the convention by hand."
                ),
            )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "conventions/extract.html", {"form": form}, status=status)


def _review(
    request: EssorRequest,
    text: str,
    filename: str,
    forms: list[DraftReviewForm],
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    context = {"forms": forms, "text": text, "filename": filename, "error": error}
    return render(request, "conventions/extract_review.html", context, status=status)


def _save(request: EssorRequest) -> HttpResponse:
    user = request.user
    owner = user.partner
    if owner is None:  # can_extract() let only users of a partner in
        raise Http404
    text = request.POST.get("text", "")
    filename = request.POST.get("filename", "")[:200]
    try:
        proposals = extract(text)
    except ExtractionError as error:
        form = ExtractForm(initial={"text": text})
        form.add_error(None, error.message)
        return render(request, "conventions/extract.html", {"form": form}, status=400)
    match_partners(proposals)
    forms = _review_forms(proposals, request.POST)
    valid = all(draft.is_valid() for draft in forms)
    kept = [draft for draft in forms if draft.is_valid() and draft.cleaned_data.get("keep")]
    if valid and not kept:
        return _review(
            request,
            text,
            filename,
            forms,
            status=400,
            error=_("Every draft is dropped: nothing to save. Tick “Create this draft” on one."),
        )
    references = [draft.cleaned_data["reference"].strip() for draft in kept]
    for draft in kept:
        if references.count(draft.cleaned_data["reference"].strip()) > 1:
            draft.add_error("reference", _("Two drafts have this reference: change one."))
            valid = False
    if not valid:
        return _review(request, text, filename, forms, status=400)
    source = _source(text, filename)
    created = []
    try:
        with transaction.atomic():
            for draft in kept:
                try:
                    created.append(
                        draft_save(actor=user, owner=owner, draft=draft.accepted(source=source))
                    )
                except ValidationError as error:
                    form_errors(draft, error)
                    raise
    except ValidationError:
        return _review(request, text, filename, forms, status=400)
    messages.success(
        request,
        ngettext(
            "Draft convention %(refs)s created: check it, then complete it.",
            "Draft conventions %(refs)s created: check them, then complete them.",
            len(created),
        )
        % {"refs": ", ".join(c.reference for c in created)},
    )
    if len(created) == 1:
        return redirect("conventions:convention", pk=created[0].pk)
    return redirect("conventions:conventions")
