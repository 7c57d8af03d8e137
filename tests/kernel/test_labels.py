"""Choice labels kept per language (kernel/labels.py): the access log's label of an
object follows the language of the request that read it."""

from __future__ import annotations

import datetime

from django.utils import translation

from cases.models import Case, FirstUvoPart, Meeting, Phase
from kernel.labels import label_of


def test_a_label_is_written_in_the_language_active_at_each_call():
    with translation.override("nl"):
        assert label_of(Meeting.Kind.FIRST) == "Eerste UVO"
    with translation.override("en"):
        assert label_of(Meeting.Kind.FIRST) == "First UVO"
    with translation.override("nl"):
        assert label_of(Meeting.Kind.FIRST) == "Eerste UVO"


def test_a_meeting_is_labelled_with_its_kind_part_case_and_day():
    meeting = Meeting(
        kind=Meeting.Kind.FIRST,
        first_uvo_part=FirstUvoPart.values[0],
        held_on=datetime.date(2024, 12, 4),
    )
    meeting.case = Case(number="C-7")
    with translation.override("nl"):
        assert str(meeting) == "Eerste UVO, deel 1 van 2 C-7 04-12-2024"
    with translation.override("en"):
        assert str(meeting) == "First UVO, part 1 of 2 C-7 04-12-2024"


def test_members_of_two_choices_with_the_same_value_keep_their_own_labels():
    with translation.override("nl"):
        assert label_of(Phase.EXECUTION) == "Fase 2"
        assert label_of(FirstUvoPart(2)) == "deel 2 van 2"
