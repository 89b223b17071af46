from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccompanimentConfig(AppConfig):
    name = "essor.accompaniment"
    verbose_name = _("Accompaniment")
