from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "pracha.catalogue"
    label = "catalogue"
