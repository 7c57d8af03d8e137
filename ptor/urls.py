from django.urls import path

from . import views

app_name = "ptor"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("nieuw/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/agendapunt/", views.item_add, name="item_add"),
    path("<int:pk>/casussen-agenderen/", views.case_items_add, name="case_items_add"),
    path("<int:pk>/agenda-vaststellen/", views.agenda_adopt, name="agenda_adopt"),
    path("<int:pk>/aanwezigheid/", views.attendance, name="attendance"),
    path("<int:pk>/reactie/", views.reaction, name="reaction"),
    path("<int:pk>/punten/<int:item_id>/teksten/", views.item_texts, name="item_texts"),
    path("<int:pk>/punten/<int:item_id>/besluit/", views.item_decide, name="item_decide"),
    path("<int:pk>/punten/<int:item_id>/doorschuiven/", views.item_carry, name="item_carry"),
    path("<int:pk>/verslag-vaststellen/", views.minutes_adopt, name="minutes_adopt"),
    path("<int:pk>/sluiten/", views.meeting_close, name="meeting_close"),
    path("<int:pk>/verslag.pdf", views.minutes_download, name="minutes_download"),
]
