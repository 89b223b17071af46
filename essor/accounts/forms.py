from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from essor.core.forms import CleanTextMixin

from . import second_factor
from .models import Partner, User
from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "This user name and password do not match. Check them (capitals count) and try again."
        ),
        "inactive": _("This account is deactivated. Ask your partner's administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


class UserForm(CleanTextMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "preferred_language"]


class UserCreateForm(UserForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=10,
        help_text=_("At least 10 characters. The user changes it after the first sign-in."),
    )

    class Meta(UserForm.Meta):
        fields = ["username", *UserForm.Meta.fields]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken; choose another."))
        return username


class PartnerForm(CleanTextMixin, forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = ["acronym", "name_fr", "name_ar", "kind", "region", "website"]


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CodeForm(forms.Form):
    """A code of the authenticator app (six digits; spaces and dashes are ignored)."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "dir": "ltr",
                "size": "8",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        return second_factor.clean_code(self.cleaned_data["code"])
