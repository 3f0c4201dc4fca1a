from django.urls import path

from pracha.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # Beside "My account" (account/...): the topics a person follows.
    path("account/subscriptions/", views.subscriptions, name="subscriptions"),
]
