from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("sessions", api.SessionViewSet, basename="session")
router.register("groups", api.GroupViewSet, basename="group")
router.register("services", api.ServiceViewSet, basename="service")
router.register("tours", api.TourViewSet, basename="tour")
router.register("diagnostics", api.DiagnosticViewSet, basename="diagnostic")

urlpatterns = router.urls
