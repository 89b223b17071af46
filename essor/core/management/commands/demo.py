from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from essor.core.demo import load_demo


class Command(BaseCommand):
    help = "(Re)load the demo data: the Tanger-Tétouan-Al Hoceima region, its partners and users."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        self.stdout.write(f"  {'user name':<20}{'password':<18}{'partner':<12}roles")
        for demo, password in logins:
            roles = ", ".join(demo.roles) or "platform operator (superuser)"
            self.stdout.write(
                f"  {demo.username:<20}{password:<18}{demo.partner or '—':<12}{roles}"
            )
