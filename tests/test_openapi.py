"""The OpenAPI document describes every route, and the server keeps to it (schemathesis)."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from mapserver import create_app
from mapserver.figures.rates import FIGURE_COLUMNS

from .conftest import tiny_config

ROOT = Path(__file__).resolve().parents[1]
RULE_VARIABLE = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")


def public_rules(app):
    """The app's routes but the desk's: /desk is for signed-in staff, not a public API, so
    it is left out of the OpenAPI document (and of schemathesis' requests)."""
    return [rule for rule in app.url_map.iter_rules() if not rule.endpoint.startswith("desk.")]


def described_paths(rule: str) -> set[str]:
    """The OpenAPI paths that a Flask rule answers: `<x>` is `{x}`, `<any(a, b):x>` is a and b."""
    paths = {""}
    position = 0
    for match in RULE_VARIABLE.finditer(rule):
        literal = rule[position : match.start()]
        converter, arguments, name = match.groups()
        if converter == "any":
            choices = [choice.strip() for choice in arguments.split(",")]
        else:
            choices = ["{" + name + "}"]
        paths = {path + literal + choice for path in paths for choice in choices}
        position = match.end()
    return {path + rule[position:] for path in paths}


@pytest.fixture(scope="module")
def app():
    return create_app(tiny_config())


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    return response.get_json()


def test_described_paths_of_a_rule():
    assert described_paths("/image/<region>.<any(png, svg):fmt>") == {
        "/image/{region}.png",
        "/image/{region}.svg",
    }
    assert described_paths("/values/<version>/<region>/<week>/<scheme>-<int:k>.json") == {
        "/values/{version}/{region}/{week}/{scheme}-{k}.json"
    }


def test_every_route_of_the_app_is_described(app, document):
    routes = set()
    for rule in public_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for path in described_paths(rule.rule):
                routes.add((method.lower(), path))
    described = {(method, path) for path, item in document["paths"].items() for method in item}
    assert routes - described == set(), "routes missing from /openapi.json"
    assert described - routes == set(), "paths in /openapi.json that the app does not serve"


def test_path_parameters_match_the_path_templates(document):
    parameters = document["components"].get("parameters", {})
    for path, item in document["paths"].items():
        for operation in item.values():
            declared = [
                parameters[p["$ref"].split("/")[-1]] if "$ref" in p else p
                for p in operation["parameters"]
            ]
            in_path = {p["name"] for p in declared if p["in"] == "path"}
            assert in_path == set(re.findall(r"{([a-z_]+)}", path)), path


def declared_parameters(view) -> set[tuple[str, str]]:
    """(in, name) of each parameter a view declares: the fields of its path and query models."""
    hints = typing.get_type_hints(view)
    return {
        (where, name)
        for where in ("path", "query")
        if where in hints
        for name in hints[where].model_fields
    }


def test_every_declared_parameter_is_in_the_document(app, document):
    checked = 0
    for rule in public_rules(app):
        declared = declared_parameters(app.view_functions[rule.endpoint])
        for path in described_paths(rule.rule):
            operation = document["paths"][path]["get"]
            documented = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
            assert documented == declared, path
            checked += len(declared)
    assert checked > 100  # every page, API and OGC route's own


def test_the_document_is_openapi_3_0(document):
    assert document["openapi"] == "3.0.3"
    text = json.dumps(document)
    # JSON Schema 2020-12 forms that 3.0 does not have (pydantic writes them)
    assert '"type": "null"' not in text and '"$defs"' not in text and '"const"' not in text
    items = document["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    bbox = next(p for p in items["parameters"] if p["name"] == "bbox")
    assert (bbox["style"], bbox["explode"], bbox["schema"]["type"]) == ("form", False, "array")
    week = next(p for p in items["parameters"] if p["name"] == "datetime")
    assert "from 2021-01-07 to 2021-01-14" in week["description"]  # the data's weeks


def test_every_answer_is_documented_414_and_oembed_501_too(document):
    for path, item in document["paths"].items():
        # gunicorn refuses a request line over its limit before the app sees it
        assert "414" in item["get"]["responses"], path
    assert "501" in document["paths"]["/oembed"]["get"]["responses"]


def test_the_document_follows_the_csv_columns_and_states_the_limits(document):
    record = document["components"]["schemas"]["RateRecord"]["properties"]
    assert list(record)[: len(FIGURE_COLUMNS)] == FIGURE_COLUMNS
    items = document["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    limit = next(p for p in items["parameters"] if p.get("name") == "limit")["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 1000)


# ---- schemathesis: generated requests against a real server ------------------------------


TEXT = {"type": "string"}  # a path segment: any text is one
EXAMPLES = 5  # per operation: a few seconds for the whole API; the full run is in the README
TINY_PATHS = create_app(tiny_config()).test_client().get("/openapi.json").get_json()["paths"]


def constrained(parameters: list[dict]) -> list[dict]:
    """The parameters that a generated value can get wrong (not free text)."""
    return [parameter for parameter in parameters if parameter.get("schema") != TEXT]


# Every operation with values that fit its document; those with constrained parameters,
# with values that do not, too (an operation of free text alone has no wrong value).
CASES = [
    (path, mode)
    for path, item in sorted(TINY_PATHS.items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or constrained(item["get"].get("parameters", []))
]


@pytest.fixture(scope="module")
def live_schema(server):
    # The project's schemathesis.toml, as `schemathesis run` reads it from the repository:
    # where a documented answer is not what JSON Schema alone implies (a 400 for rules
    # that tie parameters to the data or to each other, a limit cut to its maximum).
    config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    return schemathesis.openapi.from_url(f"{server}/openapi.json", config=config)


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_the_server_keeps_to_its_openapi_document(live_schema, path, mode):
    # generated requests (schemathesis, hypothesis) against a real `mapserver serve`:
    # no 5xx, every status, content type and body as the document says, what it admits
    # accepted and what it does not refused
    operation = live_schema[path]["GET"]
    strategy = operation.as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(timeout=60)

    check()


def test_the_live_document_names_the_live_server(server):
    document = requests.get(f"{server}/openapi.json", timeout=30).json()
    assert document["servers"] == [{"url": server}]


# ---- HTTP as the standards say -----------------------------------------------------------

WEEK = "2021-01-14"  # the tiny data's last week


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.mark.parametrize("path", ["/api/rates", "/map/england", "/ogc/collections", "/embed.js"])
def test_a_method_not_allowed_says_which_are(client, path):
    for method in ("POST", "TRACE", "DELETE"):
        response = client.open(path, method=method)
        assert response.status_code == 405
        assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "HEAD"}


def test_json_errors_are_not_sniffed(client):
    response = client.get("/api/rates?region=<script>alert(1)</script>")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    ogc = client.get("/ogc/collections/districts/items?bbox=<b>")
    assert ogc.status_code == 400 and ogc.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    [
        "/map/england?week=",
        "/embed/england?week=",
        "/image/england.png?week=",
        "/download/england.html?week=",
        "/api/rates?region=england&week=",
        "/?period=",
    ],
)
def test_an_empty_week_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "is empty" in response.get_data(as_text=True)


def test_week_and_period_together_must_agree(client):
    agree = client.get(f"/api/rates?region=england&week={WEEK}&period={WEEK}")
    assert agree.status_code == 200
    assert agree.get_json() == client.get(f"/api/rates?region=england&week={WEEK}").get_json()
    differ = client.get(f"/api/rates?region=england&week={WEEK}&period=2021-01-10")
    assert differ.status_code == 400
    assert f"week={WEEK} and period=2021-01-10" in differ.get_json()["error"]
    # each is still checked against the data first
    assert client.get(f"/api/rates?region=england&week={WEEK}&period=2020-01-10").status_code == (
        404
    )


@pytest.mark.parametrize(
    ("query", "named", "status"),
    [
        ("period=2021-02-30", "period '2021-02-30' is not a real date", 400),
        ("period=2019-06-01", "period 2019-06-01 is outside the data", 404),
        ("period=%C3%86", "period 'Æ' is not a period", 400),
        ("week=0001-01-01", "week 0001-01-01 is outside the data", 404),
        ("k=0&scheme=quantiles", "k must be a whole number from 3 to 9", 400),
    ],
)
def test_an_error_names_the_parameter_given(client, query, named, status):
    response = client.get(f"/api/rates?region=england&{query}")
    assert response.status_code == status
    assert named in response.get_json()["error"]
