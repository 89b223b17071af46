"""The public pages: apply to a programme without an account, and follow the application.

No login. The form states who holds the data and why (law 09-08) and records consent. A form
sent twice gives back the same receipt (a hidden submission key); a bot fills the hidden
``website`` field and is turned away; an address sending too many forms is slowed down
(django-ratelimit, ``ESSOR_PUBLIC_FORM_RATE``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from essor.core.forms import form_errors

from . import applications
from .forms_public import FollowForm, PublicApplicationForm
from .models import Application, Programme


def open_programme(pk: int) -> Programme:
    try:
        programme = Programme.objects.select_related("operator").get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    today = timezone.localdate()
    if (programme.opens_on and programme.opens_on > today) or (
        programme.closes_on and programme.closes_on < today
    ):
        raise Http404
    return programme


def information_text(programme: Programme) -> str:
    """The 09-08 notice shown above the form, kept word for word with the consent."""
    return render_to_string(
        "programmes/partials/_notice_0908.txt", {"programme": programme}
    ).strip()


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "programmes/public_slow_down.html", status=429)


@never_cache
@ratelimit(key="ip", rate=lambda group, request: settings.ESSOR_PUBLIC_FORM_RATE, method="POST")
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    programme = open_programme(pk)
    form = PublicApplicationForm(request.POST or None)
    notice = information_text(programme)
    if request.method == "POST":
        if request.POST.get("website"):  # the honeypot: a person never sees this field
            return render(request, "programmes/public_slow_down.html", status=400)
        if form.is_valid():
            try:
                application, _created = applications.public_apply(
                    programme=programme,
                    person_data=form.person_data(),
                    application_data=form.application_data(),
                    submission_key=form.cleaned_data["submission_key"],
                    information_text=notice,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                request.session["receipt"] = application.receipt
                return redirect("programmes:applied", pk=programme.pk)
    return render(
        request,
        "programmes/public_apply.html",
        {"programme": programme, "form": form, "notice": notice},
        status=400 if form.errors else 200,
    )


@never_cache
def applied(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = request.session.get("receipt")
    application = Application.objects.filter(receipt=receipt, programme_id=pk).first()
    if application is None:
        return redirect("programmes:apply", pk=pk)
    return render(request, "programmes/public_applied.html", {"application": application})


@never_cache
@ratelimit(key="ip", rate=lambda group, request: settings.ESSOR_PUBLIC_FORM_RATE, method="POST")
def follow(request: HttpRequest) -> HttpResponse:
    """Posted, not in the address: a CIN must not end in logs, history or referrers."""
    if request.method == "POST":
        form = FollowForm(request.POST)
    else:
        form = FollowForm(initial={"receipt": request.GET.get("receipt", "")[:20]})
    application = None
    if form.is_bound and form.is_valid():
        application = applications.follow(form.cleaned_data["receipt"], form.cleaned_data["cin"])
        if application is None:
            form.add_error(
                None,
                _("No application matches this receipt number and CIN. Check both and try again."),
            )
    return render(
        request, "programmes/public_follow.html", {"form": form, "application": application}
    )
