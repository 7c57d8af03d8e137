"""The access log: every read of person-level data, append-only in the database.

A PostgreSQL trigger refuses UPDATE and DELETE on the table, so not even the
application (or a DBA through the application's account) can alter the record.
The row stores who read what as it was at that moment (role and organisation are
copied, not joined), so the log stays true when people change jobs.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

# The longest search term kept (cases/selectors/search.py searches no longer one).
SEARCH_TERM_MAX_LENGTH = 100


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Ingezien")
        EXPORT = "export", _("Geëxporteerd")
        DOWNLOAD = "download", _("Gedownload")
        API_READ = "api_read", _("Opgehaald via API")
        EMERGENCY = "emergency", _("Noodtoegang geopend")
        SHARE = "share", _("Gedeeld op zwaarwegend belang")
        # Writes answer with the record as it now is: that answer is a read too.
        CREATE = "create", _("Aangemaakt")
        UPDATE = "update", _("Gewijzigd")
        SECOND_FACTOR_FAILED = "2fa_failed", _("Tweede stap mislukt")
        # Someone signed in at the identity provider whose subject no account carries.
        SIGN_IN_REFUSED = "sso_refused", _("Inloggen geweigerd")
        # Someone else removed a user's second factor (a lost phone): who, whose, why.
        SECOND_FACTOR_RESET = "2fa_reset", _("Tweede factor gereset")
        # A search for a case: the term may itself be person data (a name, a BSN).
        SEARCH = "search", _("Gezocht")
        # Account events (accounts/services_account.py): not reads, but the trail a
        # reviewer of a suspicious read needs beside it.
        PASSWORD_CHANGED = "pw_changed", _("Wachtwoord gewijzigd")
        PASSWORD_RESET = "pw_reset", _("Wachtwoord hersteld via e-mail")
        SESSION_ENDED = "session_end", _("Sessie beëindigd")
        DEACTIVATED = "deactivated", _("Account gedeactiveerd")
        LOCKOUT_LIFTED = "unlocked", _("Blokkering opgeheven")

    class Basis(models.TextChoices):
        """On whose behalf, on which ground the data was reached (NEN 7513). Worked
        out from the same facts the permissions come from (cases.access.access_basis)."""

        REGISSEUR = "regisseur", _("Regisseur van de casus")
        BUDDY = "buddy", _("Buddy van de casus")
        STAND_IN = "stand_in", _("Vervanger bij afwezigheid")
        TEAM_MEMBER = "team_member", _("Lid van het interventieteam")
        PROGRAMME_TEAM = "programme_team", _("Programmateam")
        EMERGENCY = "emergency", _("Noodtoegang")
        SYNC_CLIENT = "sync_client", _("Synchronisatieclient (API-token)")
        PRIVACY_OFFICER = "privacy_officer", _("Privacyfunctionaris")
        PTO_R = "pto_r", _("Lid PTO-R (besluit over uitstroom)")
        OTHER = "other", _("Andere grond")

    at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.PROTECT,
        related_name="access_logs",
        # Empty only for a refused sign-in through the identity provider: a subject no
        # account carries (the subject is the record's object).
        null=True,
        # Found through the (user, -at) index below; a second index on the column
        # alone only slowed every insert (an API page writes hundreds of rows).
        db_index=False,
    )
    username = models.CharField(_("gebruikersnaam"), max_length=150)
    roles = models.CharField(_("rollen"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # found through the (organisation, -at) index below
    )
    action = models.CharField(_("handeling"), max_length=12, choices=Action.choices)
    object_type = models.CharField(_("soort gegeven"), max_length=100)
    object_id = models.CharField(_("id gegeven"), max_length=64)
    object_label = models.CharField(_("omschrijving"), max_length=200, blank=True)
    # The case whose person the data is about: the key for a subject-access request.
    case_id = models.BigIntegerField(_("casus-id"), null=True, blank=True, db_index=True)
    # Found by the search through the (upper(case_number), -at, -id) index below.
    case_number = models.CharField(_("casusnummer"), max_length=20, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    path = models.CharField(_("adres (URL)"), max_length=500, blank=True)
    purpose = models.TextField(_("doel"), blank=True)
    emergency = models.BooleanField(_("noodtoegang"), default=False)
    shared_with = models.CharField(_("gedeeld met"), max_length=300, blank=True)
    # What a search asked for (Action.SEARCH): a case number, a name or a BSN, so
    # person data in its own column, shown only to who may read it
    # (audit.permissions.may_read_search_terms); never in ``path``, as a search is posted.
    # The database's default too: access_record_many inserts rows without the column.
    search_term = models.CharField(
        _("zoekterm"), max_length=SEARCH_TERM_MAX_LENGTH, blank=True, db_default=""
    )
    # Empty on the records written before the ground was kept (audit migration 0003).
    basis = models.CharField(
        _("grond van toegang"), max_length=20, choices=Basis.choices, blank=True
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("toegangsregistratie")
        verbose_name_plural = _("toegangslog")
        permissions = [
            (
                "view_organisation_accesslog",
                _("Mag de toegangslog van de eigen organisatie inzien"),
            ),
            (
                "export_subject_access",
                _("Mag alle toegang tot één persoon exporteren (inzageverzoek)"),
            ),
            ("view_search_terms", _("Mag de zoektermen in de toegangslog zien")),
        ]
        indexes = [
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["organisation", "-at"]),
            # The search by case number, in any case (``iexact``), newest first.
            models.Index(
                Upper("case_number"),
                F("at").desc(),
                F("id").desc(),
                name="access_log_by_case_number",
            ),
            # The search by the name the record was made under (a refused sign-in has no
            # user), in any case, newest first.
            models.Index(
                Upper("username"), F("at").desc(), F("id").desc(), name="access_log_by_username"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(action="sso_refused"),
                name="access_log_user_unless_refused_sign_in",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="access_log_is_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            # TRUNCATE bypasses row triggers: refuse it with a statement-level trigger.
            pgtrigger.Trigger(
                name="access_log_refuses_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'pgtrigger: the access log is append-only'; RETURN NULL;",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d-%m-%Y %H:%M} {self.username} {self.action} {self.object_type}"
