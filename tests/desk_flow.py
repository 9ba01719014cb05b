"""What the desk's page tests share: an app on the hand-made data with a SQLite store in
tmp_path, editors, sign-in, and the steps a browser would take, by the test client."""

from __future__ import annotations

import io
import re

PASSWORD = "correct horse battery"
# Four unitaries of the hand-made data (tests/fixtures/tiny) in two years, and a region's
# row (set aside). Per 100,000 in 2020: Alpha 12/100,000 = 12.0, Bravo 22/50,000 = 44.0,
# Charlie and Delta (one area on the dashboard's districts) 33/100,000 = 33.0.
COUNTS = (
    "code,period,count\n"
    "E06000901,2019,10\n"
    "E06000902,2019,20\n"
    "E06000903,2019,30\n"
    "E06000904,2019,5\n"
    "E06000901,2020,12\n"
    "E06000902,2020,22\n"
    "E06000903,2020,33\n"
    "E06000904,2020,7\n"
    "E12000901,2020,300\n"
)
# The same with Bravo's 2020 count corrected to 25: 25/50,000 = 50.0 per 100,000.
CORRECTED = COUNTS.replace("E06000902,2020,22", "E06000902,2020,25")
ID = "desk-counts"


def csrf_of(html: str) -> str:
    """The CSRF token of a page's first form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in with the form, as a browser would."""
    token = csrf_of(client.get("/desk/sign-in").text)
    form = {"email": email, "password": password, "csrf_token": token}
    return client.post("/desk/sign-in", data=form)


def upload(client, text: str = COUNTS, name: str = "counts.csv", **fields):
    """POST the upload form with a file (`fields`: the form's others, e.g. id or map)."""
    query = f"?map={fields['map']}" if "map" in fields else ""
    token = csrf_of(client.get("/desk/new" + query).text)
    form = {"csrf_token": token, "file": (io.BytesIO(text.encode()), name), **fields}
    return client.post("/desk/new", data=form, content_type="multipart/form-data")


def publish(client, draft_url: str, **fields):
    """POST the describe form with action=publish."""
    token = csrf_of(client.get(draft_url).text)
    form = {"csrf_token": token, "title": "Counts", "action": "publish", **fields}
    return client.post(draft_url, data=form)


def embed_code(html: str) -> str:
    """The embed code as the page's textarea holds it (unescaped once, as a browser reads it)."""
    import html as markup

    found = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S)
    return markup.unescape(found.group(1))


def embed_path(code: str) -> str:
    """The embed's path and query (the iframe's src less the site), as a client asks."""
    import html as markup

    src = re.search(r'<iframe[^>]* src="([^"]+)"', code).group(1)
    return re.sub(r"^https?://[^/]+", "", markup.unescape(src))
