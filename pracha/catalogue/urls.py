from django.urls import path

from pracha.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.service_list, name="service-list"),
    # Before <slug:code>/: "manage" is not a service code.
    path("manage/", views.manage_list, name="manage-list"),
    path("manage/<slug:code>/", views.manage_edit, name="manage-edit"),
    path("manage/<slug:code>/versions/<int:number>/publish/", views.manage_publish, name="manage-publish"),
    path("<slug:code>/", views.service_detail, name="service-detail"),
]
