from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("commitments", api.CommitmentViewSet, basename="commitment")
router.register("disbursements", api.DisbursementViewSet, basename="disbursement")

urlpatterns = router.urls
