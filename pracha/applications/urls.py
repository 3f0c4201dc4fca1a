from django.urls import path

from pracha.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.my_applications, name="my-applications"),
    path("start/<slug:code>/", views.start, name="start"),
    path("renew/<uuid:outcome_id>/", views.renew, name="renew"),
    path("documents/<uuid:public_id>/", views.document, name="document"),
    path("consent/<str:reference>/", views.consent, name="consent"),
    # The wizard of a draft, by its UUID (a draft has no reference yet).
    path("<uuid:key>/form/", views.form_step, name="form"),
    path("<uuid:key>/documents/", views.documents_step, name="documents"),
    path("<uuid:key>/documents/<slug:requirement>/", views.document_upload, name="document-upload"),
    path("<uuid:key>/fees/", views.fees_step, name="fees"),
    path("<uuid:key>/check/", views.check_step, name="check"),
    path("<uuid:key>/delete/", views.delete_draft, name="delete"),
    # A sent application, by its reference (or UUID).
    path("<str:key>/", views.detail, name="detail"),
    path("<str:key>/submitted/", views.submitted, name="submitted"),
    path("<str:key>/message/", views.message, name="message"),
    path("<str:key>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:key>/corrections/", views.corrections, name="corrections"),
]
