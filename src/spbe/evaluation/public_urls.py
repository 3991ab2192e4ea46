from django.urls import path

from . import views

app_name = "spbe-index"
urlpatterns = [
    path("", views.public_index, name="public-index"),
]
