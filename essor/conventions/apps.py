from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "essor.conventions"
    verbose_name = _("Conventions")
    default_auto_field = "django.db.models.BigAutoField"
