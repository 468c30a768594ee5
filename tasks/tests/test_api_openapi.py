"""The OpenAPI document of the machine endpoints is generated from the code
(tasks/api.py): it lists the three endpoints with their request and response
schemas, their error answers and their tokens, so it cannot drift."""

from http import HTTPStatus

import pytest

from tasks.tests.api import OPENAPI_URL

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("/api/messages/", "post"): ("PushIn", {"200": "PushedOut", "201": "PushedOut"}, "PushToken"),
    ("/api/core/outbox/", "get"): (None, {"200": "OutboxPage"}, "CoreToken"),
    ("/api/core/outbox/ack/", "post"): ("AckIn", {"200": "AckOut"}, "CoreToken"),
}
ERRORS = {
    ("/api/messages/", "post"): {"400", "401", "409", "429"},
    ("/api/core/outbox/", "get"): {"400", "401", "429"},
    ("/api/core/outbox/ack/", "post"): {"400", "401", "429"},
}


@pytest.fixture
def document(client):
    # Public and without a session: integrators read it before they have a token.
    response = client.get(OPENAPI_URL)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def ref(content: dict) -> str:
    return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_document_lists_exactly_the_three_endpoints(document):
    assert document["openapi"].startswith("3.")
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations == set(ENDPOINTS)


@pytest.mark.parametrize(("path", "method"), list(ENDPOINTS))
def test_each_endpoint_has_its_schemas_errors_and_token(document, path, method):
    operation = document["paths"][path][method]
    request_schema, successes, scheme = ENDPOINTS[path, method]
    if request_schema:
        assert operation["requestBody"]["required"] is True
        assert ref(operation["requestBody"]["content"]) == request_schema
    else:
        assert "requestBody" not in operation
    responses = operation["responses"]
    assert set(responses) == set(successes) | ERRORS[path, method]
    for status, schema in successes.items():
        assert ref(responses[status]["content"]) == schema
    for status in ERRORS[path, method]:
        assert ref(responses[status]["content"]) == "ErrorOut"
        assert len(responses[status]["description"]) > 40  # says when, not just "Bad Request"
    assert operation["security"] == [{scheme: []}]
    assert document["components"]["securitySchemes"][scheme] | {"description": ""} == {
        "type": "http",
        "scheme": "bearer",
        "description": "",
    }


def test_schemas_carry_the_fields_and_their_limits(document):
    schemas = document["components"]["schemas"]
    push = schemas["PushIn"]
    assert set(push["properties"]) == {"id_number", "business", "content", "sent_at", "idempotency_key"}
    assert set(push["required"]) == {"id_number", "business", "content", "idempotency_key"}
    assert push["properties"]["business"]["maxLength"] == 50
    assert push["properties"]["content"]["maxLength"] == 2000
    assert push["properties"]["idempotency_key"] | {"description": ""} == {
        "description": "",
        "maxLength": 64,
        "minLength": 1,
        "pattern": "^[A-Za-z0-9_.:-]+$",
        "title": "Idempotency Key",
        "type": "string",
    }
    assert push["properties"]["sent_at"]["format"] == "date-time"
    ack = schemas["AckIn"]
    assert ack["additionalProperties"] is False
    assert ack["properties"]["serial_nos"]["minItems"] == 1
    assert ack["properties"]["serial_nos"]["maxItems"] == 1000
    assert ack["properties"]["serial_nos"]["items"]["maxLength"] == 32
    assert set(schemas["AckOut"]["properties"]) == {"acknowledged", "unknown"}
    page = schemas["OutboxPage"]
    assert set(page["properties"]) == {"items", "next"}
    assert page["properties"]["items"]["items"]["$ref"].endswith("/DecisionOut")
    assert set(schemas["DecisionOut"]["properties"]) == {
        "serial_no",
        "kind",
        "account_no",
        "amount",
        "bank_account_no",
        "withdrawal_reason",
        "close_account",
        "term_months",
        "annual_rate",
        "repayment_method",
        "created_at",
    }
    assert schemas["DecisionOut"]["properties"]["amount"]["type"] == "string"
    assert schemas["DecisionOut"]["properties"]["kind"]["enum"] == ["withdrawal", "loan"]
    assert schemas["ErrorOut"]["required"] == ["error"]


def test_outbox_query_parameters_have_their_ranges(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/core/outbox/"]["get"]["parameters"]}
    assert set(parameters) == {"after", "limit"}
    assert parameters["after"]["schema"] | {"description": "", "title": ""} == {
        "default": 0,
        "minimum": 0,
        "maximum": 2**63 - 1,
        "type": "integer",
        "description": "",
        "title": "",
    }
    assert (parameters["limit"]["schema"]["minimum"], parameters["limit"]["schema"]["maximum"]) == (1, 1000)
    assert parameters["limit"]["schema"]["default"] == 100


def test_no_docs_page_that_would_load_scripts_from_a_cdn(client):
    # ninja's Swagger UI comes from a CDN, which the Content-Security-Policy refuses.
    assert client.get("/api/docs").status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND)
    assert client.get("/api/docs/").status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND)


def test_the_api_root_leads_to_the_document(client):
    response = client.get("/api/")
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == OPENAPI_URL
