from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("sessions", api.SessionViewSet, basename="session")
router.register("groups", api.GroupViewSet, basename="group")

urlpatterns = router.urls
