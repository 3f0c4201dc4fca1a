from django.urls import path

from pracha.agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list_view, name="agency-list"),
    path("<slug:code>/", views.agency_detail_view, name="agency-detail"),
]
