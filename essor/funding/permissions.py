"""Guards of commitments: personal data, seen within the partner scope, acted on by the holder."""

from __future__ import annotations

from typing import Literal

from django.http import Http404

from essor.accounts.models import User
from essor.accounts.roles import Cap

from .models import Commitment, Disbursement

CommitmentAction = Literal["view", "disburse", "approve"]


def can_act(actor: User, commitment: Commitment, capability: str) -> bool:
    if not actor.can(capability):
        return False
    return actor.is_superuser or commitment.holder_id == actor.partner_id


def access_commitment(actor: User, pk: int, *, action: CommitmentAction = "view") -> Commitment:
    if not actor.is_authenticated:
        raise Http404
    try:
        commitment = (
            Commitment.objects.visible_to(actor)
            .select_related(
                "person",
                "organisation",
                "programme",
                "budget_line__partner",
                "budget_line__convention",
                "author",
                "approver",
            )
            .get(pk=pk)
        )
    except (Commitment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    capability = {"disburse": Cap.FUNDING_COMMIT, "approve": Cap.FUNDING_APPROVE}.get(action)
    if capability and not can_act(actor, commitment, capability):
        raise Http404
    return commitment


def access_disbursement(actor: User, pk: int) -> Disbursement:
    """A disbursement to approve or reject."""
    try:
        disbursement = Disbursement.objects.select_related("commitment").get(pk=pk)
    except (Disbursement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access_commitment(actor, disbursement.commitment_id, action="approve")
    return disbursement
