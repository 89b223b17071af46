from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "essor.accounts"
    label = "accounts"
    verbose_name = _("Accounts and partners")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_started

        # Django's own sign-in signal (not a domain signal): every way of signing in starts
        # the session's clocks, the absolute lifetime and the idle timeout.
        user_logged_in.connect(session_started, dispatch_uid="essor.accounts.session_started")


class EssorAdminConfig(admin_apps.AdminConfig):
    """The Django admin, signed in through essor's sign-in page and its second step."""

    default = False
    default_site = "essor.accounts.admin_site.EssorAdminSite"
