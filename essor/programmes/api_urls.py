from rest_framework.routers import SimpleRouter

from . import api, api_applications

router = SimpleRouter(trailing_slash=False)
router.register("programmes", api.ProgrammeViewSet, basename="programme")
router.register("applications", api_applications.ApplicationViewSet, basename="application")

urlpatterns = router.urls
