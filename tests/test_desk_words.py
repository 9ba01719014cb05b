"""The desk's words (issue 26): the Check step's report, the Updated / Correction line,
the subtitle and notes; and how maps and embeds show them, escaped."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from html import unescape
from urllib.parse import urlencode

import pandas as pd
import pytest

from mapserver import create_app
from mapserver.core.config import load_settings
from mapserver.ingest.indicator import Indicator
from mapserver.ingest.periods import Period
from mapserver.update.description import Description
from mapserver.update.desk import Refusal, check_upload, embed_params, publish
from mapserver.update.indicators import Checked
from mapserver.update.upload import Upload
from mapserver.words.check_report import CheckReport, check_report, periods_text, sentence
from mapserver.words.published import (
    PublishedWords,
    note_paragraphs,
    published_words,
    updated_line,
)

from .test_desk import COUNTS, ID, TODAY


def year(y: int) -> Period:
    return Period(str(y), pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31), str(y), "year")


def test_periods_are_counted_and_spanned_oldest_to_newest():
    years = [year(y) for y in range(2021, 1999, -1)]  # newest first, as periods() gives
    assert periods_text(years) == "22 years, 2000 to 2021"
    assert periods_text([year(2019)]) == "one year, 2019"
    month = Period("2020-03", pd.Timestamp(2020, 3, 1), pd.Timestamp(2020, 3, 31), "March 2020",
                   "month")  # fmt: skip
    assert periods_text([month, year(2019)]) == "2 periods, 2019 to March 2020"


def test_a_note_becomes_a_sentence():
    assert sentence("set aside 2 rows") == "Set aside 2 rows."
    assert sentence("read as UTF-16 text.") == "Read as UTF-16 text."
    assert sentence("  ") == ""


def test_the_check_report_says_what_was_read_set_aside_and_noted(tmp_path):
    settings = load_settings({"store_dir": str(tmp_path)})
    text = COUNTS.replace(",", ";")
    result = check_upload(settings, Upload(text.encode(), "counts.csv"), id=ID, today=TODAY)
    assert isinstance(result, Checked), result
    report = check_report(result)
    assert report == CheckReport(
        read="Read 6 rows: 3 areas, 2 years, 2019 to 2020.",
        set_aside=(
            "Set aside 2 rows for 2 areas other than districts and unitaries, never drawn "
            "(region E12 1, country E92 1).",
        ),
        warnings=("Fields separated by semicolons.",),
    )
    assert report.sentences() == [report.read, *report.set_aside, *report.warnings]


def test_the_check_report_of_a_refusal_says_nothing_was_kept():
    report = check_report(Refusal("The file is 12.3 MB; the limit is 10 MB."))
    assert report.sentences() == [
        "Not accepted; nothing was kept. The file is 12.3 MB; the limit is 10 MB."
    ]
    report = check_report(Refusal("late.csv, line 2: period 2030 begins after today"))
    assert report.refusal == (
        "Not accepted; nothing was kept. late.csv, line 2: period 2030 begins after today."
    )
    assert report.read == "" and report.set_aside == ()


INDICATOR = Indicator("x", "Counts", "per 100,000", 100_000, 1, "count")


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({}, ""),
        ({"updated": "2026-12-07"}, "Updated 7 December 2026."),
        (
            {"updated": "2026-12-07", "update_note": "New figures for 2024"},
            "Updated 7 December 2026: New figures for 2024.",
        ),
        (
            {"updated": "2026-01-31", "update_note": "Is 2024 final?"},
            "Updated 31 January 2026: Is 2024 final?",
        ),
        (
            {"updated": "2026-12-07", "update_note": "Corby's count was 35.", "correction": True},
            "Correction, 7 December 2026: Corby's count was 35.",
        ),
    ],
)
def test_the_update_line(changes, line):
    assert updated_line(dataclasses.replace(INDICATOR, **changes)) == line


def test_notes_are_paragraphs_and_an_indicator_without_words_says_nothing():
    assert note_paragraphs("One\nline.\n\n\nTwo.  ") == ("One line.", "Two.")
    assert note_paragraphs(None) == ()
    assert not published_words(INDICATOR)
    words = published_words(dataclasses.replace(INDICATOR, subtitle=" S ", notes="N"))
    assert words == PublishedWords("S", ("N",), "")


# --- maps and embeds ------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    store = tmp_path_factory.mktemp("desk") / "store"
    settings = load_settings({"store_dir": str(store)})

    def checked(text):
        result = check_upload(settings, Upload(text.encode(), "c.csv"), id=ID, today=TODAY)
        assert isinstance(result, Checked), result
        return result

    description = Description(
        title=f"Counts {SCRIPT}", subtitle=f"Sub {SCRIPT}", notes=f"First {SCRIPT}\n\nSecond"
    )
    first = publish(settings, checked(COUNTS), description, today=TODAY)
    revised = COUNTS.replace("E07000150,2020,33", "E07000150,2020,35")
    shown = dataclasses.replace(
        description, region="east-of-england", highlight=("E07000149",), labels="all"
    )
    second = publish(
        settings, checked(revised), shown, note=f"New {SCRIPT}", today=date(2026, 12, 9)
    )
    client = create_app({"store_dir": store, "watch_every": "0"}).test_client()
    return client, first.version, second.version, embed_params(second)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def test_an_embed_shows_the_subtitle_update_line_and_notes_as_text(published):
    client, *_ = published
    html = page(client, f"/embed/anglia?indicator={ID}")
    assert SCRIPT not in html  # every piece of the editor's text is escaped
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f'<p class="graphic-dek">Sub {escaped}</p>' in html
    assert f'<p class="graphic-updated">Updated 9 December 2026: New {escaped}.</p>' in html
    notes = re.search(r'<div class="graphic-notes">(.*?)</div>', html).group(1)
    assert notes == f"<p>First {escaped}</p><p>Second</p>"
    assert f"Counts {escaped}" in html
    assert "see the latest version" not in html  # it is the latest


def test_the_map_page_shows_them_too(published):
    client, *_ = published
    html = page(client, f"/map/anglia?indicator={ID}")
    assert SCRIPT not in html
    assert '<p class="graphic-updated">Updated 9 December 2026' in html
    assert '<p class="graphic-dek">Sub &lt;script&gt;' in html


def test_an_embed_pinned_to_the_first_version_is_as_published_with_a_link_to_the_latest(
    published,
):
    client, first, second, _ = published
    html = page(client, f"/embed/anglia?indicator={ID}&period=2020&v={first}")
    assert "graphic-updated" not in html  # the first version was never updated
    assert '<p class="graphic-dek">Sub &lt;script&gt;' in html
    link = re.search(r'<a class="latest" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link.group(2) == "As published: see the latest version"
    # The map page of the latest version, on the scheme shown, with no period and no v.
    assert unescape(link.group(1)) == f"/map/anglia?scheme=quantiles&k=5&indicator={ID}"
    latest = page(client, f"/embed/anglia?indicator={ID}&period=2020&v={second}")
    assert 'class="latest"' not in latest


def test_maps_without_an_editors_words_have_none_of_them(published):
    client, *_ = published
    html = page(client, "/embed/anglia?week=2021-02-21")
    for name in ("graphic-dek", "graphic-updated", "graphic-notes", 'class="latest"'):
        assert name not in html


def test_the_published_embed_answers_with_its_display(published):
    client, _, second, (region, params) = published
    html = page(client, f"/embed/{region}?{urlencode(params)}")
    assert 'data-highlight="E07000149"' in html and 'data-labels="all"' in html
    assert "East of England" in html
    assert f"v={second}" in unescape(html)  # its links stay on the version published
    image = client.get(f"/image/{region}.png?{urlencode(params)}")
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_a_pinned_embed_seen_before_the_republication_links_to_the_latest_after(tmp_path):
    settings = load_settings({"store_dir": str(tmp_path)})
    upload = Upload(COUNTS.encode(), "c.csv")
    first = publish(settings, check_upload(settings, upload, id=ID), Description(title="C"))
    client = create_app({"store_dir": tmp_path, "watch_every": "0"}).test_client()
    url = f"/embed/anglia?indicator={ID}&period=2020&v={first.version}"
    before = page(client, url)  # built, and cached
    assert 'class="latest"' not in before
    publish(settings, check_upload(settings, upload, id=ID), Description(title="D"), note="N")
    after = page(client, url)
    assert 'class="latest"' in after
    assert re.sub(r' <a class="latest"[^>]*>[^<]*</a>', "", after) == before
