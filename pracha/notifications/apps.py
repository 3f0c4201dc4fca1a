from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pracha.notifications"
    label = "notifications"
