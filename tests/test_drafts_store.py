"""The desk's drafts in the database, on SQLite and PostgreSQL: kept bytes, one editor's
each, the description as JSON, removed when published or stale; and the description's
JSON form."""

from __future__ import annotations

import pytest

from mapserver.store import accounts
from mapserver.store.drafts import (
    add_draft,
    draft_count,
    drop_draft,
    get_draft,
    save_description,
)
from mapserver.update.description import Description

from .accounts_helpers import START, Clock, upgraded

pytestmark = pytest.mark.usefixtures("cheap_hashes")
# Bytes a text column would not keep: a workbook's zip header, a NUL, invalid UTF-8.
WORKBOOK = b"PK\x03\x04\x00\xff\xfe binary"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(database_url, clock):
    made = upgraded(database_url, clock)
    yield made
    made.dispose()


@pytest.fixture
def editors(db):
    return [
        accounts.create_user(db, email, "correct horse battery", "editor")
        for email in ("ed@example.org", "other@example.org")
    ]


def test_a_draft_keeps_its_bytes_and_is_its_editors_alone(db, editors):
    ed, other = editors
    made = add_draft(db, ed.id, "smoking.xlsx", WORKBOOK, indicator_id="smoking")
    assert (made.created_at, made.description, made.republish) == (START, None, False)
    found = get_draft(db, made.id, ed.id)
    assert found.content == WORKBOOK and found.filename == "smoking.xlsx"
    assert found.indicator_id == "smoking"
    assert get_draft(db, made.id, other.id) is None
    assert not save_description(db, made.id, other.id, {"title": "theirs"})
    assert get_draft(db, made.id, ed.id).description is None
    drop_draft(db, made.id, other.id)  # not theirs: nothing happens
    assert draft_count(db) == 1


def test_a_description_round_trips_through_the_draft(db, editors):
    ed = editors[0]
    made = add_draft(db, ed.id, "pasted.tsv", b"code\tvalue\n", pasted=True, republish=True)
    described = Description(
        "Smoking <b>", notes="one\n\ntwo", region="anglia", highlight=("E07000010", "E06000031")
    )
    assert save_description(db, made.id, ed.id, described.as_dict())
    found = get_draft(db, made.id, ed.id)
    assert found.pasted and found.republish
    assert Description.from_dict(found.description) == described
    drop_draft(db, made.id, ed.id)
    assert get_draft(db, made.id, ed.id) is None and draft_count(db) == 0


def test_an_editors_stale_drafts_go_when_they_make_a_new_one(db, editors, clock):
    ed, other = editors
    old = add_draft(db, ed.id, "old.csv", b"a")
    theirs = add_draft(db, other.id, "theirs.csv", b"b")
    clock.advance(days=15)
    add_draft(db, ed.id, "new.csv", b"c")
    assert get_draft(db, old.id, ed.id) is None  # 15 days old: removed
    assert get_draft(db, theirs.id, other.id) is not None  # another editor's: kept
    assert draft_count(db) == 2


def test_a_form_describes_highlights_as_one_text_and_empty_choices_as_none():
    form = {"title": "T", "highlight": "E07000010, E06000031 E07000008", "region": "", "x": "1"}
    described = Description.from_dict(form)
    assert described.highlight == ("E07000010", "E06000031", "E07000008")
    assert described.region is None and described.period is None
    assert Description.from_dict({}).title == ""
