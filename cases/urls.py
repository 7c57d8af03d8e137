from django.urls import path

from . import views, views_retention

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("noodtoegang/", views.emergency_open, name="emergency_open"),
    path("<int:pk>/", views.case_page, name="detail"),
    path("<int:pk>/persoon/", views.person_page, name="person"),
    path("<int:pk>/delen/", views.share, name="share"),
    path("<int:pk>/persoon/wissen/", views_retention.erase_person, name="erase_person"),
]

# Mounted at noodtoegang/ (ipgar/urls.py): the programme team's review of emergency accesses.
review_urlpatterns = [
    path("", views.emergency_reviews, name="list"),
]
