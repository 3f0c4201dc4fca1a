from django.urls import path

from pracha.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<str:reference>/", views.case, name="case"),
    path("cases/<str:reference>/act/", views.case_act, name="case-act"),
    path("cases/<str:reference>/claim/", views.case_claim, name="case-claim"),
    path("cases/<str:reference>/release/", views.case_release, name="case-release"),
    path("cases/<str:reference>/message/", views.case_message, name="case-message"),
    path("cases/<str:reference>/note/", views.case_note, name="case-note"),
]
