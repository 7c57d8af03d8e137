"""The frame of every page (``templates/base.html``): the links in its head, the page
header with the account, language and sign-out buttons, the search field and the main
menu with its badges, and the footer, written in Python.

Through the template the frame resolved some ninety variables, thirty translations, seven
static paths and five URLs on every page, about a millisecond of each page's time, more
than some pages' own content. The markup is what the template wrote; what each part shows
and to whom is unchanged. Registered as the template library ``page_frame`` (settings
``TEMPLATES``).
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()

# The stylesheets and icons of every page, in the order the cascade needs.
_ICONS = (
    ("vendor/ads/favicon/favicon.ico", ' sizes="32x32"'),
    ("vendor/ads/favicon/icon.svg", ' type="image/svg+xml"'),
)
_STYLESHEETS = (
    "vendor/ads/font/index.css",
    "vendor/ads/tokens/index.css",
    "vendor/ads/css/index.css",
    "css/ipgar.css",
)


def _out(value: Any) -> str:
    """``{{ value }}``: escaped unless already safe."""
    return str(conditional_escape(value))


def _csrf(context: template.Context) -> str:
    """``{% csrf_token %}``, by Django's own node: the page's one masked token."""
    return str(CsrfTokenNode().render(context))


@functools.cache
def _fixed(language: str | None, prefix: str, urlconf: str) -> dict[str, str]:
    """The frame's parts that only the language and the URL configuration decide, written
    once per process for each (``language`` is the active one: ``gettext`` reads it)."""
    links = [
        *(f'<link rel="icon" href="{_out(static(path))}"{extra}>' for path, extra in _ICONS),
        *(f'<link rel="stylesheet" href="{_out(static(path))}">' for path in _STYLESHEETS),
        f'<script src="{_out(static("vendor/htmx/htmx.min.js"))}" defer></script>',
    ]
    other, other_name = ("nl", "Nederlands") if language == "en" else ("en", "English")
    logo = _out(static("vendor/ads/logo/amsterdam-logo.svg"))
    item = '\n        <li class="ams-page-header__menu-item ams-page-header__menu-item--fixed">'
    return {
        "head": "\n  ".join(links),
        "top": (
            '<a class="ams-skip-link ams-visually-hidden" href="#main">'
            f"{_out(gettext('Direct naar de inhoud'))}</a>\n"
            '  <header class="ams-page-header">\n'
            f'    <a class="ams-page-header__logo-link" href="{_out(reverse("home"))}">\n'
            '      <span class="ams-page-header__logo-container"><img class="ipgar-logo" '
            f'src="{logo}" alt="{_out(gettext("Gemeente Amsterdam"))}" width="116" height="40">'
            "</span>\n"
            '      <span class="ams-page-header__brand-name">'
            f"{_out(gettext('Regisseurspool iPGA-R'))}</span>\n"
            "    </a>\n"
            '    <div class="ams-page-header__navigation">\n'
            '      <ul class="ams-page-header__menu">'
        ),
        "account": (f'{item}<a class="ams-link ipgar-user" href="{_out(reverse("account"))}">'),
        "account_end": (
            f'<span class="ams-visually-hidden">: {_out(gettext("mijn account"))}</span></a></li>'
        ),
        "language": (
            f"{item}\n"
            '          <form class="ipgar-inline-form" method="post" '
            f'action="{_out(reverse("set_language"))}">'
        ),
        # After the token and the page to return to.
        "language_end": (
            f'\n              <input type="hidden" name="language" value="{other}">\n'
            '              <button type="submit" class="ams-button ams-button--tertiary" '
            f'lang="{other}">{other_name}</button>\n'
            "          </form>\n"
            "        </li>"
        ),
        "sign_out": (
            f"{item}\n"
            '          <form class="ipgar-inline-form" method="post" '
            f'action="{_out(reverse("logout"))}">'
        ),
        "sign_out_end": (
            "\n"
            '            <button type="submit" class="ams-button ams-button--secondary">'
            f"{_out(gettext('Uitloggen'))}</button>\n"
            "          </form>\n"
            "        </li>"
        ),
        "menu_end": "\n      </ul>\n    </div>",
        # Posted, not in the URL: a name or a BSN stays out of server logs and browser
        # history. Whom may search persons is told so, the others search by number.
        "search": (
            '\n<form class="ipgar-header-search" method="post" '
            f'action="{_out(reverse("search"))}" role="search">'
        ),
        "search_by_person": _search_end(
            gettext("Zoek een casus op nummer, naam of BSN"), gettext("Nummer, naam of BSN")
        ),
        "search_by_number": _search_end(
            gettext("Zoek een casus op nummer"), gettext("Casusnummer")
        ),
        "nav": (
            f'  <nav class="ipgar-nav" aria-label="{_out(gettext("Hoofdmenu"))}">\n'
            '    <ul class="ipgar-nav__list">\n'
        ),
        "footer": (
            '<footer class="ams-page-footer">\n'
            f'    <h2 class="ams-visually-hidden">{_out(gettext("Colofon"))}</h2>\n'
            '    <div class="ams-page-footer__spotlight ipgar-footer__spotlight">\n'
            '      <p class="ams-paragraph ams-paragraph--inverse">'
            + _out(
                gettext(
                    "ipgar – casusregistratie van de regisseurspool iPGA-R, "
                    "Gemeente Amsterdam (OOV)."
                )
            )
            + "</p>\n"
            '      <p class="ams-paragraph ams-paragraph--inverse ams-paragraph--small">'
            f"{_out(gettext('Elke inzage in persoonsgegevens wordt vastgelegd.'))}</p>\n"
            "    </div>\n"
            '    <div class="ams-page-footer__menu">\n'
            f'      <a class="ams-page-footer__menu-link" href="{_out(reverse("home"))}">'
            f"{_out(gettext('Start'))}</a>\n"
            "    </div>\n"
            "  </footer>"
        ),
    }


def _search_end(label: str, placeholder: str) -> str:
    return (
        "\n"
        f'  <label class="ams-visually-hidden" for="header-search">{_out(label)}</label>\n'
        '  <div class="ams-search-field">\n'
        '    <input class="ams-search-field__input" type="search" id="header-search" name="q" '
        f'maxlength="100" autocomplete="off" placeholder="{_out(placeholder)}">\n'
        '    <button type="submit" class="ams-button ams-button--primary '
        f'ipgar-header-search__button">{_out(gettext("Zoeken"))}</button>\n'
        "  </div>\n"
        "</form>\n"
    )


def _forget(**kwargs: Any) -> None:
    """A test that changes the static files' or the URLs' settings gets its own parts."""
    _fixed.cache_clear()
    _LINKS.clear()


setting_changed.connect(_forget)


def _parts() -> dict[str, str]:
    return _fixed(get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


# Each menu entry's URL and label, escaped, by language, entry and URL.
_LINKS: dict[tuple[str | None, str, str], tuple[str, str]] = {}


def _link(language: str | None, item: dict[str, Any]) -> tuple[str, str]:
    key = (language, item["key"], item["url"])
    link = _LINKS.get(key)
    if link is None:
        link = _LINKS.setdefault(key, (_out(item["url"]), _out(item["label"])))
    return link


@register.simple_tag
def page_head_links() -> SafeString:
    """The icons, the stylesheets and htmx, as static files."""
    return mark_safe(_parts()["head"])  # noqa: S308 (every value escaped)


def _menu(context: template.Context, request: Any, parts: dict[str, str]) -> str:
    """The main menu: the pages the person may open, the one shown marked as current, a
    badge with its meaning beside an entry that counts something."""
    menu = context.get("main_menu")
    if not menu:
        return ""
    path, language = request.path if request is not None else "", get_language()
    items = []
    for item in menu:
        url, label = _link(language, item)
        current = ' aria-current="page"' if path == item["url"] else ""
        badge = item.get("badge")
        shown = ""
        if badge:
            meaning = _out(badge["meaning"])
            shown = (
                f' <span class="ams-badge ipgar-nav__badge" title="{meaning}">'
                f'<span aria-hidden="true">{_out(badge["count"])}</span>'
                f'<span class="ams-visually-hidden">({meaning})</span></span>'
            )
        items.append(
            f'      <li><a class="ipgar-nav__link" href="{url}"{current}>{label}{shown}</a></li>\n'
        )
    return f"{parts['nav']}{''.join(items)}    </ul>\n  </nav>\n"


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> SafeString:
    """The skip link, the page header and, for whom is signed in, the search field and the
    main menu."""
    parts = _parts()
    # Rendered without a request (no context processors), the page to return to is empty.
    request = context.get("request")
    back = request.get_full_path() if request is not None else ""
    user = context.get("user")
    csrf = _csrf(context)
    language = (
        f"{parts['language']}{csrf}\n"
        f'            <input type="hidden" name="next" value="{_out(back)}">'
        f"{parts['language_end']}"
    )
    if not getattr(user, "is_authenticated", False):
        return mark_safe(  # noqa: S308 (every value escaped)
            f"{parts['top']}{language}{parts['menu_end']}\n  </header>\n"
        )
    search = parts["search_by_person" if context.get("search_by_person") else "search_by_number"]
    return mark_safe(  # noqa: S308 (every value escaped)
        f"{parts['top']}{parts['account']}{_out(user)}{parts['account_end']}"
        f"{language}{parts['sign_out']}{csrf}{parts['sign_out_end']}{parts['menu_end']}"
        f"{parts['search']}{csrf}{search}\n  </header>\n"
        f"{_menu(context, request, parts)}"
    )


@register.simple_tag
def page_footer() -> SafeString:
    """The colophon: what ipgar is, that every read of person data is recorded, a link to
    the start page."""
    return mark_safe(_parts()["footer"])  # noqa: S308 (every value escaped)
