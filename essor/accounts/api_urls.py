from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("users", api.UserViewSet, basename="user")

urlpatterns = [path("me", api.me, name="api-me"), *router.urls]
