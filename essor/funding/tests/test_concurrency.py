"""Fifty managers commit on one line at the same moment: it is never overspent, nothing is lost.

Each commitment runs in its own thread, hence its own database connection and transaction,
as fifty gunicorn workers would. The line holds 33 commitments of 30 000 DH (990 000 of
1 000 000 DH): exactly 33 must be accepted, 17 refused, and every accepted one must be in the
database. Runs on PostgreSQL only (SQLite serialises writers with a file lock, not row locks).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding import services
from essor.funding.models import Commitment
from essor.funding.selectors import reserved_on_lines
from essor.registry.tests.factories import make_person

WORKERS = 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_commitments_never_overspend_a_line(
    require_postgres: None, personas: Personas
) -> None:
    convention = make_convention(personas.own, envelope="5000000")
    line = make_line(convention, personas.own, "1000000")
    programme = make_programme(personas.own, line, threshold="1000000")
    manager = personas.user("programme_manager")
    people = [make_person(personas.own, first_name=f"P{i}") for i in range(WORKERS)]

    barrier = threading.Barrier(WORKERS)
    accepted: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            commitment = services.commitment_create(
                actor=manager,
                budget_line=line,
                programme=programme,
                person=people[index],
                amount=Decimal("30000"),
            )
            with guard:
                accepted.append(commitment.pk)
        except ValidationError as error:
            with guard:
                refused.append(error.message_dict["amount"][0])
        except BaseException as error:  # any other failure is a defect the test reports
            with guard:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert (len(accepted), len(refused)) == (33, 17)
    stored = set(Commitment.objects.filter(budget_line=line).values_list("pk", flat=True))
    assert stored == set(accepted)  # no accepted commitment is lost, none appears unasked
    assert reserved_on_lines(line.convention.budget_lines.all()) == Decimal("990000.00")
