"""The machine endpoints (/api/), one django-ninja API; its OpenAPI document
is generated from the code at /api/openapi.json (docs: docs/api.md).

- POST /api/messages/          the other channels push messages (push token)
- GET  /api/core/outbox/       the core system reads the decisions (core token)
- POST /api/core/outbox/ack/   and acknowledges them

No docs UI: ninja's Swagger page loads its scripts from a CDN, which the
portal's Content-Security-Policy (and its no-CDN rule) refuses.
"""

from tasks.views import core, push
from tasks.views.machine import ChineseJSONRenderer, JSONParser, MachineAPI

api = MachineAPI(
    title="枣庄市住房公积金管理中心 网上服务大厅 机器接口",
    version="2.0.0",
    description=(
        "The center's other channels (counter system, SMS platform, WeChat, 12329 hotline) push a message into "
        "a member's 消息 list; the core business system reads the portal's decisions (approved withdrawals and "
        "loans) and acknowledges them. Authenticate with a channel token: `Authorization: Bearer <token>`; a push "
        "token opens only /api/messages/, a core token only /api/core/. No session or CSRF token is needed. "
        'Every refusal is `{"error": ..., "fields": {...}}` in Chinese; bad input is 400 with the field named.'
    ),
    openapi_url="/openapi.json",
    docs_url=None,
    servers=[{"url": "/"}],
    urls_namespace="api",
    parser=JSONParser(),
    renderer=ChineseJSONRenderer(),
)
api.add_router("", push.router)
api.add_router("/core/", core.router)
