from django.urls import path

from . import views

app_name = "assistant"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("conversations/<int:pk>/", views.conversation, name="conversation"),
    path("conversations/<int:pk>/transcript.txt", views.transcript, name="transcript"),
    path("knowledge/", views.kb_list, name="kb-list"),
    path("knowledge/import/", views.kb_import, name="kb-import"),
    path("knowledge/<int:pk>/", views.kb_detail, name="kb-detail"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("roster/", views.roster, name="roster"),
    path("channels/", views.channels, name="channels"),
    path("analytics/", views.analytics, name="analytics"),
]
