from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("lines/<int:pk>/commit/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/decide/", views.commitment_decide, name="commitment_decide"),
    path("commitments/<int:pk>/cancel/", views.commitment_cancel, name="commitment_cancel"),
    path("commitments/<int:pk>/disburse/", views.disbursement_add, name="disbursement_add"),
    path("disbursements/<int:pk>/decide/", views.disbursement_decide, name="disbursement_decide"),
]
