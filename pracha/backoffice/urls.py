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
    path("messages/", views.messages_undelivered, name="messages-undelivered"),
    path("messages/templates/", views.message_templates, name="message-templates"),
    path(
        "messages/templates/<str:kind>/<str:channel>/<str:language>/",
        views.message_template,
        name="message-template",
    ),
    path("messages/keys/", views.message_keys, name="message-keys"),
    path("messages/keys/<uuid:public_id>/revoke/", views.message_key_revoke, name="message-key-revoke"),
    path("messages/keys/<uuid:public_id>/callback/", views.message_key_callback, name="message-key-callback"),
]
