from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("conventions", api.ConventionViewSet, basename="convention")
router.register("parties", api.PartyViewSet, basename="party")
router.register("partner-payments", api.PartnerPaymentViewSet, basename="partner-payment")
router.register("targets", api.TargetViewSet, basename="target")
router.register("budget-lines", api.BudgetLineViewSet, basename="budget-line")
router.register("action-items", api.ActionItemViewSet, basename="action-item")
router.register("committee-members", api.CommitteeMemberViewSet, basename="committee-member")
router.register("meetings", api.MeetingViewSet, basename="meeting")

urlpatterns = router.urls
