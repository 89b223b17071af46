from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("programmes", api.ProgrammeViewSet, basename="programme")

urlpatterns = router.urls
