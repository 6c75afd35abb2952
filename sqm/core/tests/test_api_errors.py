"""API-wide behaviour: validation errors as {field, message, code}, the OpenAPI schema, the docs page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sqm.core.api_errors import translate_validation_errors


def one(error: dict[str, Any], language: str = "en") -> dict[str, str]:
    with translation.override(language):
        return translate_validation_errors([error])[0]


# --- mapping of pydantic error types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ctx", "message"),
    [
        ("missing", None, "This field is required."),
        ("extra_forbidden", None, "Unknown field: it is not part of this request."),
        ("string_type", None, "Must be text."),
        ("int_type", None, "Must be a whole number."),
        ("int_parsing", None, "Must be a whole number."),
        ("int_from_float", None, "Must be a whole number."),
        ("bool_type", None, "Must be true or false."),
        ("bool_parsing", None, "Must be true or false."),
        ("float_type", None, "Must be a number."),
        ("float_parsing", None, "Must be a number."),
        ("date_type", None, "Must be a date (YYYY-MM-DD)."),
        ("date_parsing", None, "Must be a date (YYYY-MM-DD)."),
        ("date_from_datetime_parsing", None, "Must be a date (YYYY-MM-DD)."),
        ("datetime_type", None, "Must be a date and time (ISO 8601)."),
        ("datetime_parsing", None, "Must be a date and time (ISO 8601)."),
        ("json_invalid", None, "The request body is not valid JSON."),
        ("model_attributes_type", None, "Must be a JSON object."),
        ("dict_type", None, "Must be a JSON object."),
        ("list_type", None, "Must be a list."),
        ("enum", {"expected": "'a' or 'b'"}, "Must be one of: 'a' or 'b'."),
        ("literal_error", {"expected": "'zh-hans' or 'en'"}, "Must be one of: 'zh-hans' or 'en'."),
        ("string_too_short", {"min_length": 2}, "Must have at least 2 characters."),
        ("string_too_long", {"max_length": 100}, "Must have at most 100 characters."),
        ("greater_than_equal", {"ge": 1}, "Must be at least 1."),
        ("less_than_equal", {"le": 200}, "Must be at most 200."),
        ("greater_than", {"gt": 0}, "Must be greater than 0."),
        ("less_than", {"lt": 10}, "Must be less than 10."),
        ("string_pattern_mismatch", {"pattern": "^x$"}, "Has the wrong format."),
        ("value_error", {"error": "nope"}, "Invalid value."),
        ("some_future_pydantic_type", None, "Invalid value."),
    ],
)
def test_each_error_type_has_a_clear_message(kind: str, ctx: dict[str, Any] | None, message: str) -> None:
    error: dict[str, Any] = {"type": kind, "loc": ("body", "payload", "name"), "msg": "pydantic's own text"}
    if ctx is not None:
        error["ctx"] = ctx
    assert one(error) == {"field": "name", "message": message, "code": kind}


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "payload", "username"), "username"),
        (("query", "limit"), "limit"),
        (("path", "user_id"), "user_id"),
        (("body", "payload", "items", 0, "name"), "items.0.name"),
        (("body", "payload"), "body"),
        ((), "body"),
        (None, "body"),
    ],
)
def test_field_names_drop_the_request_location(loc: Any, field: str) -> None:
    assert one({"type": "missing", "loc": loc})["field"] == field


@pytest.mark.parametrize("name", ["path", "data", "query"])
def test_fields_named_like_a_location_keep_their_name(name: str) -> None:
    assert one({"type": "missing", "loc": ("body", "payload", name)})["field"] == name


def test_code_defaults_when_pydantic_gives_none() -> None:
    assert one({"loc": ("query", "q")}) == {"field": "q", "message": "Invalid value.", "code": "invalid"}


def test_many_errors_keep_their_order() -> None:
    errors = [{"type": "missing", "loc": ("body", "payload", f"f{i}")} for i in range(5)]
    with translation.override("en"):
        assert [e["field"] for e in translate_validation_errors(errors)] == [f"f{i}" for i in range(5)]


class _Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=3)
    level: int = Field(ge=1, le=5)
    tags: list[str] = []


def test_real_pydantic_errors_map_to_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate({"name": "long", "level": 9, "tags": ["ok", 5], "extra": 1})
    errors = [{**e, "loc": ("body", "payload", *e["loc"])} for e in caught.value.errors()]
    with translation.override("en"):
        result = translate_validation_errors(errors)
    assert result == [
        {"field": "name", "message": "Must have at most 3 characters.", "code": "string_too_long"},
        {"field": "level", "message": "Must be at most 5.", "code": "less_than_equal"},
        {"field": "tags.1", "message": "Must be text.", "code": "string_type"},
        {"field": "extra", "message": "Unknown field: it is not part of this request.", "code": "extra_forbidden"},
    ]
    assert all(isinstance(e["message"], str) for e in result)  # not lazy: ready for JSON


def test_messages_follow_the_active_language() -> None:
    """In Chinese the message is the zh-hans translation of the same msgid (where one exists)."""
    error = {"type": "missing", "loc": ("body", "payload", "username")}
    chinese = one(error, "zh-hans")
    with translation.override("zh-hans"):
        assert chinese["message"] == gettext("This field is required.")
    assert chinese["field"] == "username" and chinese["code"] == "missing"  # field and code never translated
    if chinese["message"] != "This field is required.":  # a translation exists (Django ships this one)
        assert re.search(r"[\u4e00-\u9fff]", chinese["message"])


def test_interpolated_messages_in_chinese_keep_the_number() -> None:
    message = one({"type": "string_too_long", "loc": ("x",), "ctx": {"max_length": 77}}, "zh-hans")["message"]
    assert "77" in message


# --- OpenAPI schema and docs page -------------------------------------------------------------------

EXPECTED_OPERATIONS = {
    "/api/me": {"get", "patch"},
    "/api/me/tokens": {"get", "post"},
    "/api/me/tokens/{token_id}": {"delete"},
    "/api/org/users": {"get", "post"},
    "/api/org/users/{user_id}": {"get", "patch"},
    "/api/org/users/{user_id}/profile": {"patch"},
    "/api/org/users/{user_id}/skills": {"put"},
    "/api/org/users/{user_id}/skills/{skill_id}": {"delete"},
    "/api/org/users/{user_id}/certificates": {"post"},
    "/api/org/certificates/{certificate_id}": {"delete"},
    "/api/org/teams": {"get", "post"},
    "/api/org/teams/{team_id}": {"get", "patch"},
    "/api/org/skills": {"get", "post"},
    "/api/org/skills/{skill_id}": {"get", "patch"},
    "/api/audit/entries": {"get"},
    "/api/audit/entries/{seq}": {"get"},
    "/api/audit/verify": {"get"},
    "/api/audit/head": {"get"},
}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


# Customers answer rating links and surveys without an account: the signed token in the body or
# path is the credential, and these operations are rate-limited (sqm/feedback).
PUBLIC_OPERATIONS = {
    ("post", "/api/feedback/links/rate"),
    ("get", "/api/feedback/surveys/respond/{invitation_token}"),
    ("post", "/api/feedback/surveys/respond"),
}


@pytest.mark.django_db
def test_openapi_schema_lists_every_operation() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "SQM API"
    for path, methods in EXPECTED_OPERATIONS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))
    components = schema.get("components", {}).get("schemas", {})
    for ref in _refs(schema):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components, ref
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if (method, path) not in PUBLIC_OPERATIONS:
                assert operation.get("security"), f"{method} {path} must require authentication"
            else:
                assert not operation.get("security"), f"{method} {path} is public: a signed token is its credential"
            assert operation.get("responses"), f"{method} {path} documents no response"


@pytest.mark.django_db
def test_openapi_input_schemas_forbid_unknown_fields() -> None:
    components = Client().get("/api/openapi.json").json()["components"]["schemas"]
    inputs = [name for name in components if name.endswith(("In", "PatchIn"))]
    assert inputs, "input schemas are named *In"
    for name in inputs:
        assert components[name].get("additionalProperties") is False, name


@pytest.mark.django_db
def test_docs_page_is_served() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


def _external_assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)


@pytest.mark.django_db
def test_docs_page_loads_no_asset_from_a_cdn() -> None:
    """Swagger UI comes from django-ninja's own static files ('ninja' is an installed app), not a CDN."""
    from django.contrib.staticfiles import finders

    html = Client().get("/api/docs").content.decode()
    assert _external_assets(html) == []
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert f"{settings.STATIC_URL}ninja/{asset}".lstrip("/") in html
        assert finders.find(f"ninja/{asset}"), asset


@pytest.mark.django_db
def test_docs_assets_are_served_by_the_app() -> None:
    response = Client().get(f"/{settings.STATIC_URL.strip('/')}/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200
