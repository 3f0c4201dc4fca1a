from django.urls import path

from pracha.notifications import views

app_name = "notifications"

# Mounted at the site's root: the inbox under inbox/, the person's choices beside "My account".
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="mark-all-read"),
    path("inbox/<uuid:public_id>/", views.message_detail, name="message"),
    path("account/notifications/", views.preferences, name="preferences"),
    # channel is "email" or "sms" (anything else is 404): the address, then the code sent to it.
    path("account/notifications/<str:channel>/", views.contact_address, name="contact-address"),
    path("account/notifications/<str:channel>/confirm/", views.contact_confirm, name="contact-confirm"),
    path("account/notifications/<str:channel>/remove/", views.contact_remove, name="contact-remove"),
]
