from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import oidc, views_account, views_invitations
from accounts import views as account_views
from accounts.views_sign_in import SignInView, SignOutView
from cases import views as case_views
from cases.urls import review_urlpatterns as emergency_review_urlpatterns

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("inloggen/", SignInView.as_view(), name="login"),
    # Sign-in through the municipality's identity provider (OpenID Connect), when configured.
    path("inloggen/amsterdam/", oidc.oidc_authenticate, name="oidc_authenticate"),
    path("inloggen/amsterdam/terug/", oidc.oidc_callback, name="oidc_callback"),
    path("uitloggen/", SignOutView.as_view(), name="logout"),
    path("tweestaps/", account_views.two_factor_verify, name="two_factor_verify"),
    path("tweestaps/instellen/", account_views.two_factor_enrol, name="two_factor_enrol"),
    # An invitation or second-factor reset link from an e-mail: the secret is the key.
    path("activeren/<str:token>/", views_invitations.activate, name="activate"),
    # One's own account: sessions, a new password (accounts/views_account.py).
    path("mijn-account/", views_account.account, name="account"),
    path(
        "mijn-account/wachtwoord/",
        views_account.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("mijn-account/sessie-beeindigen/", views_account.session_end_view, name="session_end"),
    # A forgotten password: a link by e-mail (Django's reset views; the second factor stays).
    path("wachtwoord-vergeten/", views_account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "wachtwoord-vergeten/verstuurd/",
        views_account.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        views_account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # The admin signs in through the same two-factor sign-in as everyone else.
    path("beheer/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("casussen/", include("cases.urls")),
    # A case's documents (documents/urls.py): casussen/<id>/documenten/...
    path("casussen/<int:pk>/documenten/", include("documents.urls")),
    # The header's search field (cases/views/search.py), on every page.
    path("zoeken/", case_views.search, name="search"),
    path("noodtoegang/", include((emergency_review_urlpatterns, "emergency_review"))),
    path("toegangslog/", include("audit.urls")),
    path("rollen/", include("accounts.urls")),
    path("pool/", include("pool.urls")),
    path("monitor/", include("monitoring.urls")),
    # PTO-R's meetings, where exit proposals are decided (ptor/urls.py).
    path("pto-r/", include("ptor.urls")),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]

# Unknown paths under /api/ answer RFC 9457 problem details; the rest the Dutch 404 page.
handler404 = "api.problems.page_not_found"
