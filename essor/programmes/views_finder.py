"""The public finder page: no sign-in, nothing stored (law 09-08).

The answers travel in the query string of a GET form and are evaluated in memory; the response
is not cached anywhere on the way, since its URL carries them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .finder import FinderForm, match, open_programmes, subject_from


@require_GET
@never_cache
def finder(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    programmes = open_programmes(today)
    form = FinderForm(request.GET or None, programmes=programmes)
    result = None
    if form.is_bound and form.is_valid():
        result = match(
            programmes,
            subject_from(form),
            today,
            needs=form.cleaned_data.get("needs") or (),
            labels=form.labels,
        )
    return render(request, "programmes/finder.html", {"form": form, "result": result})
