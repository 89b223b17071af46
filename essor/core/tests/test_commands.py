"""The ``essor`` command line and the demo data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from essor.accounts.models import Partner, SharingRule, User

ESSOR = Path(sys.executable).parent / "essor"


def test_essor_help_lists_essors_commands() -> None:
    result = subprocess.run([str(ESSOR), "--help"], capture_output=True, text=True, check=True)
    assert "essor's commands:" in result.stdout
    assert "  demo " in result.stdout


@pytest.mark.django_db
def test_demo_loads_the_tta_partners_and_a_user_per_role_and_can_be_reloaded(capsys) -> None:
    call_command("demo")
    call_command("demo")
    out = capsys.readouterr().out
    assert "counsellor.ccis" in out
    assert "essor-demo-2026" in out
    codes = set(Partner.objects.values_list("code", flat=True))
    assert {"cr-tta", "wilaya-tta", "ccis-tta", "indh-tta", "irfd-tta", "mtaess", "aecid"} <= codes
    region = Partner.objects.get(code="cr-tta").region
    assert region is not None
    assert region.code == "01"
    assert User.objects.filter(username__in=["admin.region", "counsellor.ccis"]).count() == 2
    roles = {role for user in User.objects.all() for role in user.roles}
    assert roles == {
        "admin",
        "programme_manager",
        "counsellor",
        "data_clerk",
        "committee_member",
        "evaluator",
    }
    assert SharingRule.objects.count() == 1
    assert User.objects.get(username="clerk.indh").check_password("essor-demo-2026")
