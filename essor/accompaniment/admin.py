"""The catalogue (services, venues, the bus) is kept by platform operators in the admin."""

from django.contrib import admin

from .models import MobileUnit, Service, Venue


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "kind", "hours"]
    list_filter = ["kind"]
    filter_horizontal = ["programmes"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "capacity", "host"]
    list_filter = ["kind"]
    raw_id_fields = ["commune"]


@admin.register(MobileUnit)
class MobileUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "operator", "capacity", "home"]
    raw_id_fields = ["home"]
