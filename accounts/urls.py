from django.urls import path

from . import views_account, views_invitations, views_roles, views_tokens

app_name = "accounts"

urlpatterns = [
    path("", views_roles.user_list, name="user_list"),
    path("gebruiker/<int:pk>/", views_roles.user_roles, name="user_roles"),
    path("gebruiker/<int:pk>/afnemen/", views_roles.role_revoke, name="role_revoke"),
    path(
        "gebruiker/<int:pk>/amsterdam-account/",
        views_roles.user_oidc_subject,
        name="user_oidc_subject",
    ),
    path(
        "gebruiker/<int:pk>/tweede-factor-resetten/",
        views_invitations.second_factor_reset,
        name="second_factor_reset",
    ),
    path("uitnodigen/", views_invitations.invitation_list, name="invitations"),
    path(
        "uitnodigingen/<int:pk>/opnieuw/",
        views_invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "uitnodigingen/<int:pk>/intrekken/",
        views_invitations.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("gebruiker/<int:pk>/deactiveren/", views_account.user_deactivate, name="user_deactivate"),
    path("blokkeringen/", views_account.lockouts, name="lockouts"),
    path("blokkeringen/<int:pk>/opheffen/", views_account.lockout_lift, name="lockout_lift"),
    path("blokkeringen/adres/opheffen/", views_account.address_lift, name="address_lift"),
    path("aanvragen/", views_roles.grant_list, name="grant_list"),
    path("aanvragen/<int:pk>/goedkeuren/", views_roles.grant_approve, name="grant_approve"),
    path("aanvragen/<int:pk>/weigeren/", views_roles.grant_refuse, name="grant_refuse"),
    path("aanvragen/<int:pk>/intrekken/", views_roles.grant_withdraw, name="grant_withdraw"),
    path("koppelingen/", views_tokens.sync_client_list, name="sync_clients"),
    path("koppelingen/<int:pk>/token/", views_tokens.token_issue, name="token_issue"),
    path("tokens/<int:pk>/intrekken/", views_tokens.token_revoke, name="token_revoke"),
]
