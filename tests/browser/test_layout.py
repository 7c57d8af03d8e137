"""Layout on every page a user can reach, at a desktop's and a phone's width.

The pages are the axe scan's (``test_every_page.PLAN``, derived from the permission
matrix): a new URL needs a matrix row, so its page is checked here without anyone
listing it. Each page is opened once by the first role that may see it and looked at
1280 and 375 pixels wide. It fails when the document is wider than the viewport, when
a visible form control has no size, when a checkbox or radio button looks the same
checked and unchecked, or when a focused control shows no focus indicator; things an
accessibility scanner passes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import Role
from cases.access import case_access_sync
from tests.factories import CaseFactory, RegisseurFactory
from tests.permissions.matrix import ALL_ROWS
from tests.permissions.world import ANONYMOUS

from .test_every_page import NOT_PAGES, ORDER, PLAN

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)
HEIGHT = 800

# Runs in the page and returns what it measured: the document's width (and what sticks
# out), and each visible control: its size, whether focusing it changes how it or what is
# around it looks (the computed styles a focus indicator changes, of the control, its
# pseudo-elements, its labels and its three nearest ancestors: the ADS draws some rings on
# a label or on the card around a control), and a data-layout-id to find it again. A
# control is visible when rendered (not display:none, not visibility:hidden, not in a
# closed details).
MEASURE = """
() => {
  const describe = (el) => {
    const label = (el.labels && el.labels[0] ? el.labels[0].innerText : '')
      || el.getAttribute('aria-label') || el.innerText || el.value || '';
    const name = el.name ? `[name=${el.name}]` : '';
    const type = el.tagName === 'INPUT' ? `[type=${el.type}]` : '';
    return `<${el.tagName.toLowerCase()}${type}${name}> "${label.trim().slice(0, 40)}"`;
  };
  const props = ['outline-style', 'outline-width', 'outline-color', 'outline-offset',
    'box-shadow', 'border-top-color', 'border-bottom-color', 'border-top-width',
    'border-bottom-width', 'background-color', 'color', 'text-decoration-line'];
  const looks = (parts) => parts.flatMap((part) => [null, '::before', '::after'].map((pseudo) => {
    const style = getComputedStyle(part, pseudo);
    return props.map((p) => style.getPropertyValue(p)).join(';');
  })).join('|');
  const showsFocus = (el) => {
    const parts = [el, ...(el.labels || [])];
    for (let up = el.parentElement, i = 0; up && i < 3; up = up.parentElement, i++) parts.push(up);
    el.blur();
    const before = looks(parts);
    el.focus({preventScroll: true});
    if (document.activeElement !== el) return true;  // not focusable: nothing to show
    const after = looks(parts);
    el.blur();
    return before !== after;
  };
  const viewport = window.innerWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > viewport) {
    // What sticks out on the right and is not held in by a scroll container (for an
    // absolutely positioned element, only one at or around its containing block holds
    // it); of those, the outermost.
    const right = (el) => el.getBoundingClientRect().right + window.scrollX;
    const held = (el) => {
      const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
      let contained = !absolute;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (up === el.offsetParent) contained = true;
        const scrolls = getComputedStyle(up).overflowX !== 'visible';
        if (contained && scrolls && right(up) <= viewport + 1) return true;
      }
      return false;
    };
    const out = new Set([...document.body.querySelectorAll('*')]
      .filter((el) => right(el) > viewport + 1 && el.checkVisibility() && !held(el)));
    for (const el of out) {
      if (out.has(el.parentElement)) continue;
      const cls = typeof el.className === 'string' && el.className.trim()
        ? `.${el.className.trim().split(/\\s+/).join('.')}` : '';
      wide.push(`<${el.tagName.toLowerCase()}${cls}> to ${Math.round(right(el))} px`);
    }
  }
  const controls = [];
  for (const old of document.querySelectorAll('[data-layout-id]')) delete old.dataset.layoutId;
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden' || !el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    el.dataset.layoutId = String(controls.length);
    controls.push({
      id: el.dataset.layoutId,
      what: describe(el),
      empty: box.width < 1 || box.height < 1,
      focus: el.disabled || showsFocus(el),
      toggle: (el.type === 'checkbox' || el.type === 'radio') && !el.disabled,
      // Checkboxes styled alike need one look each: their kind, class and label's class.
      kind: [el.type, el.className, el.labels && el.labels[0] ? el.labels[0].className : '',
             el.parentElement.className].join('|'),
    });
  }
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth, viewport, wide: wide.slice(0, 4), controls};
}
"""

# The part of the page a checkbox shows its state in: its own box and its labels'.
TOGGLE_AREA = """
(el) => {
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  const boxes = [el, ...(el.labels || [])].map((part) => part.getBoundingClientRect())
    .filter((box) => box.width > 0 && box.height > 0);
  if (!boxes.length) return null;
  const x = Math.max(0, Math.min(...boxes.map((b) => b.left)) - 4);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.top)) - 4);
  const right = Math.min(window.innerWidth, Math.max(...boxes.map((b) => b.right)) + 4);
  const bottom = Math.min(window.innerHeight, Math.max(...boxes.map((b) => b.bottom)) + 4);
  if (right - x < 1 || bottom - y < 1) return null;  // out of sight
  return {x, y, width: right - x, height: bottom - y};
}
"""

# Toggles a checkbox or radio button without events (no htmx request, no navigation),
# returning the states of its group (a radio button's) to restore afterwards.
TOGGLE = """
(el) => {
  const group = el.type === 'radio' && el.name ? [...document.getElementsByName(el.name)] : [el];
  const states = group.map((member) => member.checked);
  el.checked = !el.checked;
  return states;
}
"""
RESTORE = """
([el, states]) => {
  const group = el.type === 'radio' && el.name ? [...document.getElementsByName(el.name)] : [el];
  group.forEach((member, i) => { member.checked = states[i]; });
}
"""


def layout_problems(page: Any, where: str) -> list[str]:
    """What is wrong with the layout of the page as it is shown now."""
    measured = page.evaluate(MEASURE)
    problems = []
    if measured["scrollWidth"] > measured["viewport"]:
        problems.append(
            f"{where}: the page is {measured['scrollWidth']} px wide "
            f"(viewport {measured['viewport']}): {', '.join(measured['wide'])}"
        )
    photographed: set[str] = set()
    for control in measured["controls"]:
        if control["empty"]:
            problems.append(f"{where}: {control['what']} has a zero-size box")
        if not control["focus"]:
            problems.append(f"{where}: {control['what']} shows no focus indicator")
        if control["toggle"] and control["kind"] not in photographed:
            photographed.add(control["kind"])
            element = page.locator(f'[data-layout-id="{control["id"]}"]')
            if not _toggle_shows(page, element):
                problems.append(f"{where}: {control['what']} looks the same checked and not")
    return problems


def _toggle_shows(page: Any, element: Any) -> bool:
    area = element.evaluate(TOGGLE_AREA)
    if area is None:
        return False
    before = page.screenshot(clip=area, animations="disabled", caret="hide")
    states = element.evaluate(TOGGLE)
    after = page.screenshot(clip=area, animations="disabled", caret="hide")
    page.evaluate(RESTORE, [element.element_handle(), states])
    return before != after


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [role for role in ORDER if PLAN[role]])
def test_every_page_fits_its_width_and_shows_its_controls(
    role, world, browser_page, signed_in_page
):
    page = browser_page if role == ANONYMOUS else signed_in_page(world.users[role])
    problems: list[str] = []
    pages = [(key, which) for key, which in PLAN[role] if key not in NOT_PAGES]
    for key, which in pages:
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        url = ALL_ROWS[key].url(world, which)
        response = page.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{key} {url}: {response.status if response else None}")
            continue
        # A key press makes programmatic focus count as keyboard focus (:focus-visible).
        page.keyboard.press("Shift")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            problems += layout_problems(page, f"{key} ({role}, {width} px)")
    assert problems == [], f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(
        problems
    )


# A field's border, to compare with the ADS's colours (rgb() as the browser computes it).
BORDER = "(el) => getComputedStyle(el).borderTopColor"
INPUT_BORDER = "rgb(32, 32, 32)"  # --ams-inputs-border-color
ERROR_BORDER = "rgb(236, 0, 0)"  # --ams-color-interactive-invalid


@pytest.mark.django_db(transaction=True)
def test_required_fields_are_not_marked_as_errors_before_a_submit(browser_page):
    page = browser_page
    page.goto("/inloggen/")
    for name in ("username", "password"):
        assert page.locator(f'input[name="{name}"]').evaluate(BORDER) == INPUT_BORDER


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_formset_row_shows_at_its_field(signed_in_page):
    """A half-filled action row of an UVO: the error stands in the row, next to the
    field, in sight, and the field is marked invalid and described by it."""
    regisseur = RegisseurFactory(user__username="regisseur-layout")
    regisseur.user.groups.add(Group.objects.get_or_create(name=Role.REGISSEUR.value)[0])
    case = CaseFactory(regisseur=regisseur)
    case_access_sync(case=case)

    page = signed_in_page(regisseur.user)
    page.set_viewport_size({"width": 375, "height": HEIGHT})
    page.goto(f"/casussen/{case.pk}/uvo/")
    page.locator('input[name="acties-0-description"]').fill("Intake plannen")
    page.get_by_role("button", name="UVO vastleggen").click()
    page.wait_for_load_state()

    due = page.locator('input[name="acties-0-due_on"]')
    error = page.locator("#id_acties-0-due_on_error")
    expect(error).to_be_visible()
    assert due.get_attribute("aria-invalid") == "true"
    assert "id_acties-0-due_on_error" in (due.get_attribute("aria-describedby") or "")
    assert due.evaluate(BORDER) == ERROR_BORDER
    row = page.locator("fieldset.ipgar-formset-row", has=due)
    assert row.locator(".ams-error-message").count() >= 1
    assert layout_problems(page, "UVO with errors (375 px)") == []
