"""Every route's query and path parameters, declared once as pydantic models.

flask-openapi3 validates each request against its route's models and writes the
parameters of /openapi.json from them (apidoc.py). A field's validator gives the reason a
value is refused (400, naming the parameter); what depends on the data (a week inside the
data, a known region, indicator or version, codes of the region) is checked by the views
and said in the field's description. An empty value (`week=`) is refused like any other
value the declaration does not admit.

`{first_week}` and `{last_week}` in a description are filled in with the data's weeks.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)

from ..core.errors import BadParameter
from ..figures.bands import COMPARED_SCHEMES, K_RANGE, SCHEMES, parse_scheme
from ..ingest.postcodes import looks_like_postcode
from ..ingest.vintages import VINTAGES, check_vintage
from ..maps import image, labels

EXAMPLE_WEEK = "2021-02-21"
CODE = "[A-Z][0-9]{8}"
JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"


class Params(BaseModel):
    """Parameters of one route: validated, immutable; names not declared are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def model_json_schema(cls, *args, **kwargs) -> dict[str, Any]:
        """The model's JSON schema, made once (flask-openapi3 asks for it on each request).

        Shared: callers must not change it.
        """
        return _json_schema(cls, args, tuple(sorted(kwargs.items())))


P = TypeVar("P", bound=Params)


@functools.cache
def _json_schema(model: type[Params], args: tuple, kwargs: tuple) -> dict[str, Any]:
    return BaseModel.model_json_schema.__func__(model, *args, **dict(kwargs))


EMPTY = "is empty: give a value or leave the parameter out"


def declared(model: type[P], args) -> P:
    """`args` if it is already `model`'s, else a mapping of query values (a request's
    args, a dict) validated against it: BadParameter naming the parameter refused."""
    if isinstance(args, model):
        return args
    try:
        return model.model_validate({key: args.get(key) for key in args})
    except ValidationError as error:
        refuse(error)


def refuse(error: ValidationError):
    """Parameters that do not fit their declaration: BadParameter naming each (a 400)."""
    reasons = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "the parameters"
        cause = problem.get("ctx", {}).get("error")
        if problem["type"] == "missing":
            reason = f"{name} is required"
        elif cause is not None and str(cause) == EMPTY:
            reason = f"{name} {EMPTY}"
        elif cause is not None:
            reason = str(cause)
        else:
            reason = f"{name}: {problem['msg'].lower()}, not {problem['input']!r}"
        if reason not in reasons:
            reasons.append(reason)
    raise BadParameter("; ".join(reasons))


def checked(check, empty: bool = False):
    """A validator from a function of the raw text that raises BadParameter (or ValueError).

    `empty`: the function says why an empty value is refused.
    """

    def validate(value):
        if isinstance(value, list):
            # flask-openapi3 hands an array parameter over as the list of its values (bbox):
            # the first counts, as for every other parameter.
            value = value[0] if value else ""
        text = value if isinstance(value, str) else str(value)  # a path's <int:k>
        if text == "" and not empty:
            raise ValueError(EMPTY)
        try:
            return check(text)
        except BadParameter as error:
            raise ValueError(str(error)) from None

    return BeforeValidator(validate)


def _one_of(name: str, choices) -> BeforeValidator:
    def check(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}, not {text!r}")
        return text

    return checked(check)


def string_schema(pattern: str | None = None, **more) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", **({"pattern": pattern} if pattern else {}), **more})


# ---- the map's figures: which week or period, colours, version, indicator, districts ----

WEEK_FORMAT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _day(name: str):
    def check(text: str) -> str:
        if not WEEK_FORMAT.match(text):
            raise ValueError(f"{name} must be a date written YYYY-MM-DD, not {text!r}")
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name} {text!r} is not a real date") from None
        return text

    return check


# A day as a pattern can say it (a month to 12, a day to 31).
DAY = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
# Forms of an indicator's period in a URL (the data's own keys and labels are read too).
PERIOD = (
    rf"^({DAY}(/(P[0-9]+[YMWD]|{DAY}))?"
    r"|[0-9]{4}(/[0-9]{2}|-[0-9]{2}|-?W[0-9]{1,2}| ?-? ?Q[1-4])?)$"
)
PERIOD_TEXT = re.compile(rf"{PERIOD}|^[A-Za-z0-9][A-Za-z0-9 ./-]{{0,39}}$")


def _period(text: str) -> str:
    if not PERIOD_TEXT.match(text):
        raise ValueError(f"period {text!r} is not a period such as 2019, 2019/20 or 2021-02-21")
    return text


WEEK_TEXT = (
    "The last day of the 7-day window, YYYY-MM-DD, from {first_week} to {last_week} "
    "(default: the latest date less the lag). Outside the data: 404. Another indicator: "
    "the day its period ends."
)
Week = Annotated[str, checked(_day("week")), string_schema(format="date")]
Period = Annotated[str, checked(_period), string_schema(PERIOD)]
Scheme = Annotated[
    str,
    _one_of("scheme", (*SCHEMES, *COMPARED_SCHEMES)),
    string_schema(enum=[*SCHEMES, *COMPARED_SCHEMES]),
]
Classes = Annotated[
    int,
    checked(lambda text: parse_scheme("quantiles", text)[1]),
    WithJsonSchema({"type": "integer", "minimum": K_RANGE[0], "maximum": K_RANGE[1]}),
]


def _version(text: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{12}", text):
        raise ValueError(f"v must be a data version (12 hex digits), not {text!r}")
    return text


def _indicator(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", text):
        raise ValueError(f"indicator must be an id such as covid-cases, not {text!r}")
    return text


def _vintage(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"vintage must be a year such as 2023, not {text!r}")
    return check_vintage(int(text))


VINTAGE_TEXT = (
    "Show the figures on the districts of a later year (LAD 2019, 2020, 2021, 2023 or 2024), "
    "old districts' counts summed into their new areas. Earlier than the week's own "
    "districts would split areas: 400."
)
Version = Annotated[str, checked(_version), string_schema("^[0-9a-f]{12}$")]
Indicator = Annotated[str, checked(_indicator), string_schema("^[a-z0-9][a-z0-9-]{0,79}$")]
Vintage = Annotated[
    int, checked(_vintage), WithJsonSchema({"type": "integer", "enum": list(VINTAGES)})
]


class MapParams(Params):
    """Which figures a map shows: the week or period, the colours, version and districts."""

    week: Week | None = Field(
        None, description=WEEK_TEXT, json_schema_extra={"example": EXAMPLE_WEEK}
    )
    period: Period | None = Field(
        None,
        description="Another indicator's period, as its source writes it (2019, 2019/20, "
        "2022-01-01/P3Y) or its last day (default: the latest); not in the data: 404. For "
        "the Covid cases a week end, as `week`. Given with `week`, the two must name the "
        "same period (else 400).",
        json_schema_extra={"example": EXAMPLE_WEEK},
    )
    scheme: Scheme | None = Field(
        None,
        description="Colour scheme (default dashboard; another indicator's default quantiles). "
        "compared: each area's 95% interval above, around or below its country's figure; "
        "compared-99.8: the same at 99.8% (400 where the source gives 95% limits only).",
    )
    k: Classes | None = Field(
        None, description="Number of classes for the data-driven schemes (default 5)."
    )
    v: Version | None = Field(
        None,
        description="A data version kept by the server (see /healthz): the figures of that "
        "version, whatever is current (a pinned, 'as published' map). Unknown or pruned: 404.",
    )
    indicator: Indicator | None = Field(
        None,
        description="An indicator id from /api/indicators (default: the Covid cases, "
        "covid-cases). Unknown: 404.",
    )
    vintage: Vintage | None = Field(None, description=VINTAGE_TEXT)


# ---- how a page presents the map ----------------------------------------------------------


def _codes(name: str):
    def check(text: str) -> tuple[str, ...]:
        codes = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
        if not codes:
            raise ValueError(f"{name} needs one or more area codes, e.g. {name}=E07000150")
        malformed = [code for code in codes if not re.fullmatch(CODE, code)]
        if malformed:
            raise ValueError(f"{name}: {', '.join(malformed)} is not an area code like E07000150")
        if name == "focus" and len(codes) != 1:
            raise ValueError("focus takes one area code")
        return codes

    return check


def _switch(name: str):
    def check(text: str) -> str:
        if text not in ("0", "1"):
            raise ValueError(f"{name} must be 0 or 1, not {text!r}")
        return text

    return checked(check)


Switch = Literal["0", "1"]
Labels = Annotated[str, checked(labels.parse_mode), string_schema(enum=list(labels.MODES))]
LABELS_TEXT = "Place labels: none, the top areas (default), or all as space allows."


class PageParams(MapParams):
    """A map page or embed: the figures, and how the map is presented."""

    highlight: (
        Annotated[
            tuple[str, ...],
            checked(_codes("highlight"), empty=True),
            string_schema(f"^{CODE}(,{CODE})*$"),
        ]
        | None
    ) = Field(
        None,
        description="Area codes of the region to outline, comma-separated (others: 400).",
    )
    focus: (
        Annotated[tuple[str, ...], checked(_codes("focus"), empty=True), string_schema(f"^{CODE}$")]
        | None
    ) = Field(None, description="An area code of the region to zoom to (others: 400).")
    timeline: Annotated[Switch, _switch("timeline")] = Field("0", description="1: a week stepper.")
    theme: Annotated[
        Literal["light", "dark", "auto"], _one_of("theme", ("light", "dark", "auto"))
    ] = Field("auto", description="Colour theme.")
    labels: Labels = Field(labels.DEFAULT_MODE, description=LABELS_TEXT)
    search: Annotated[Switch, _switch("search")] = Field(
        "1", description="0 hides the Find an area box."
    )
    facts: Annotated[Switch, _switch("facts")] = Field("0", description="1 shows the key facts.")


class ImageParams(MapParams):
    """A map drawn on the server: the figures, its width and labels."""

    width: Annotated[
        int,
        checked(image.parse_width),
        WithJsonSchema(
            {"type": "integer", "minimum": image.WIDTH_RANGE[0], "maximum": image.WIDTH_RANGE[1]}
        ),
    ] = Field(
        image.DEFAULT_WIDTH,
        description="Image width in pixels (default 1200); a width not drawn redirects (308) "
        "to the next one drawn.",
    )
    labels: Labels = Field(labels.DEFAULT_MODE, description=LABELS_TEXT)


class RatesParams(MapParams):
    """The API's figures: a region is required."""

    region: Annotated[str, checked(str), string_schema(minLength=1)] = Field(
        description="A region slug or ONS code.", json_schema_extra={"example": "east-of-england"}
    )


class ValuesParams(Params):
    """A values resource's indicator and districts (its URL names the week and version)."""

    indicator: Indicator | None = Field(
        None,
        description="An indicator id (its values URL names its own version): only the "
        "version kept answers, else 404.",
    )
    vintage: Vintage | None = Field(None, description=VINTAGE_TEXT)


# ---- path parameters -------------------------------------------------------------------

REGION_TEXT = "A region slug (england, east-of-england, anglia, ...) or ONS code (E12000006)."


class RegionPath(Params):
    region: str = Field(description=REGION_TEXT, json_schema_extra={"example": "east-of-england"})


class ValuesPath(RegionPath):
    version: str = Field(
        description="The data version (see /healthz).", json_schema_extra={"example": "latest"}
    )
    week: Week = Field(description=WEEK_TEXT, json_schema_extra={"example": EXAMPLE_WEEK})


class ValuesSchemePath(ValuesPath):
    scheme: Scheme = Field(description="Colour scheme.")
    k: Classes = Field(description="Number of classes.")


class GeometryPath(RegionPath):
    version: str = Field(description="The geometry version (see /healthz).")


class LeanGeometryPath(RegionPath):
    version: str = Field(description="The lean geometry version (a page names it).")


class AssetPath(Params):
    version: str = Field(description="The file's hash.")
    name: str = Field(description="The file name.", json_schema_extra={"example": "map.js"})


# ---- oEmbed and postcodes -----------------------------------------------------------------


def _pixels(name: str):
    def check(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{name} must be a positive whole number of pixels, not {text!r}")
        return int(text)

    return check


Pixels = WithJsonSchema({"type": "integer", "minimum": 1})


class OEmbedParams(Params):
    url: Annotated[str, checked(str), string_schema(minLength=1)] = Field(
        description="A map or embed page URL of this server."
    )
    maxwidth: Annotated[int, checked(_pixels("maxwidth")), Pixels] | None = Field(
        None, description="Largest width."
    )
    maxheight: Annotated[int, checked(_pixels("maxheight")), Pixels] | None = Field(
        None, description="Largest height."
    )
    # Any other format is answered 501 Not Implemented, as oEmbed asks (oembed.py).
    format: Annotated[str, checked(str), string_schema(enum=["json"])] = Field(
        "json", description="Only json: any other format is 501 Not Implemented."
    )


POSTCODE = "^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?( ?[0-9][A-Za-z]{2})?$"


def _postcode(text: str) -> str:
    if not looks_like_postcode(text.strip()):
        raise ValueError(f"q must be a postcode or postcode district like PE1 1XX, not {text!r}")
    return text.strip()


class PostcodeParams(Params):
    q: Annotated[str, checked(_postcode), string_schema(POSTCODE)] = Field(
        description="A postcode or postcode district, e.g. PE1 1XX or PE1.",
        json_schema_extra={"example": "PE1 1XX"},
    )
