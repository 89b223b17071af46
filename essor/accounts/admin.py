from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Partner, RoleGrant, SharingRule, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "partner", "is_active"]
    list_filter = ["partner", "is_active", "is_superuser"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("essor", {"fields": ("partner", "preferred_language")}),
    )
    inlines = [RoleGrantInline]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "acronym", "name_fr", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "acronym", "name_fr", "name_ar"]


@admin.register(SharingRule)
class SharingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["holder", "grantee", "purpose", "starts_on", "ends_on", "revoked_at"]
