"""The OpenAPI document describes every route, and the server keeps to it (schemathesis)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from mapserver import create_app, openapi
from mapserver.figures.rates import FIGURE_COLUMNS

from .conftest import tiny_config

RULE_VARIABLE = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")


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
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for path in described_paths(rule.rule):
                routes.add((method.lower(), path))
    described = {(method, path) for path, item in document["paths"].items() for method in item}
    assert routes - described == set(), "routes missing from /openapi.json"
    assert described - routes == set(), "paths in /openapi.json that the app does not serve"


def test_path_parameters_match_the_path_templates(document):
    parameters = document["components"]["parameters"]
    for path, item in document["paths"].items():
        for operation in item.values():
            declared = [
                parameters[p["$ref"].split("/")[-1]] if "$ref" in p else p
                for p in operation["parameters"]
            ]
            in_path = {p["name"] for p in declared if p["in"] == "path"}
            assert in_path == set(re.findall(r"{([a-z_]+)}", path)), path


def test_the_document_follows_the_csv_columns_and_states_the_limits(document):
    record = document["components"]["schemas"]["RateRecord"]["properties"]
    assert list(record)[: len(FIGURE_COLUMNS)] == FIGURE_COLUMNS
    items = document["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    limit = next(p for p in items["parameters"] if p.get("name") == "limit")["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 1000)


# ---- schemathesis: generated requests against a real server ------------------------------


EXAMPLES = 25  # per operation: under 30 s for the whole API here, bounded in CI
OPERATIONS = sorted(
    openapi.document("http://localhost", "v", (pd.Timestamp("2021-01-07"),) * 2,
                     pd.Timestamp("2021-01-07"))["paths"]
)  # fmt: skip


@pytest.fixture(scope="module")
def live_schema(server):
    return schemathesis.openapi.from_url(f"{server}/openapi.json")


@pytest.mark.parametrize("path", OPERATIONS)
def test_the_server_keeps_to_its_openapi_document(live_schema, path):
    # generated requests (schemathesis, hypothesis) against a real `mapserver serve`:
    # no 5xx, and every status, content type and body as the document says
    strategy = live_schema[path]["GET"].as_strategy()

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        # Every check but "schema-valid data is accepted": some rules tie parameters
        # together (south <= north in a bbox, highlight codes in the region, a week in the
        # data), which a schema cannot say; such requests get a documented 400.
        case.call_and_validate(timeout=60, excluded_checks=[positive_data_acceptance])

    check()


def test_the_live_document_names_the_live_server(server):
    document = requests.get(f"{server}/openapi.json", timeout=30).json()
    assert document["servers"] == [{"url": server}]
