from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("regions", api.RegionViewSet, basename="region")
router.register("provinces", api.ProvinceViewSet, basename="province")
router.register("communes", api.CommuneViewSet, basename="commune")

urlpatterns = router.urls
