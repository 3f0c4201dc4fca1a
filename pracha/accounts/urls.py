from django.urls import path

from pracha.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.my_account, name="my-account"),
    path("details/", views.edit_details, name="edit-details"),
    path("verify/", views.verify_identity, name="verify-identity"),
    path("my-data/", views.data_export, name="data-export"),
    path("businesses/<uuid:public_id>/act-for/", views.act_for, name="act-for"),
    path("act-as-myself/", views.act_as_myself, name="act-as-myself"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("people/lookup/", views.person_lookup, name="person-lookup"),
]
