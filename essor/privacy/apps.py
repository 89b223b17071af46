from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "essor.privacy"
    verbose_name = _("Personal data (law 09-08)")
