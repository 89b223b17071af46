from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("persons", api.PersonViewSet, basename="person")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("imports", api.ImportJobViewSet, basename="import")

urlpatterns = router.urls
