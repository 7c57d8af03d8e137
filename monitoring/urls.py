from django.urls import path

from .views import dashboard, monitors, notifications

app_name = "monitoring"

urlpatterns: list = [
    path("", dashboard.dashboard, name="dashboard"),
    path("werklijst/", dashboard.worklist, name="worklist"),
]

urlpatterns += [
    path("kwartaalmonitor/", monitors.monitor_list, name="monitors"),
    path("kwartaalmonitor/starten/", monitors.monitor_start, name="monitor_start"),
    path("kwartaalmonitor/<int:pk>/status/", monitors.monitor_status, name="monitor_status"),
    path("kwartaalmonitor/<int:pk>/pdf/", monitors.monitor_download, name="monitor_download"),
    path("meldingen/", notifications.notification_list, name="notifications"),
    path(
        "meldingen/alles-gelezen/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "meldingen/voorkeuren/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path("meldingen/<int:pk>/gelezen/", notifications.notification_read, name="notification_read"),
]
