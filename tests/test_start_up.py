"""What a server loads at start: readers' pages never pull in the desk's libraries."""

from __future__ import annotations

import json
import subprocess
import sys

DESK_LIBRARIES = ("sqlalchemy", "argon2", "alembic")

SCRIPT = """
import json, sys
from mapserver import create_app

def loaded():
    return sorted({name.split(".")[0] for name in sys.modules} & set(LIBRARIES))

app = create_app({"store_dir": STORE, "TESTING": True})
client = app.test_client()
paths = ("/embed/england", "/api/rates?region=england", "/api/indicators")
answers = [client.get(path).status_code for path in paths]
before = loaded()
sign_in = client.get("/desk/sign-in")
print(json.dumps({"answers": answers, "before": before, "sign_in": sign_in.status_code,
                  "form": b'name="password"' in sign_in.data, "after": loaded()}))
"""


def test_readers_pages_leave_the_desk_unloaded_until_it_is_used(tmp_path):
    code = SCRIPT.replace("LIBRARIES", repr(DESK_LIBRARIES)).replace(
        "STORE", repr(str(tmp_path / "store"))
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["answers"] == [200, 200, 200]
    assert seen["before"] == []
    # The desk still works in the same process: its views and database load on first use.
    assert seen["sign_in"] == 200 and seen["form"]
    assert {"sqlalchemy", "argon2"} <= set(seen["after"])
