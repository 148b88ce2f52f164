"""The API's reference page, read from the app's own OpenAPI document: what the page says is what the API does.

FastAPI's bundled documentation pages load their scripts from a CDN, which
the Content-Security-Policy (and an offline reading room) rules out, so the
reference is rendered on the server like every other page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

_TICKS = re.compile(r"`([^`]+)`")


def ticks(text: str) -> Markup:
    """Our docstrings' `code` as <code>, everything escaped first."""
    return Markup(_TICKS.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


@dataclass
class Parameter:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass
class Endpoint:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter] = field(default_factory=list)
    answer: str = ""


def _type(schema: dict[str, Any]) -> str:
    """`integer (1..100) = 10`, `relevance | date`, `string, repeatable`."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    one = options[0] if options else {}
    if "enum" in one:
        text = " | ".join(str(v) for v in one["enum"])
    elif one.get("type") == "array":
        text = f"{one.get('items', {}).get('type', 'value')}, repeatable"
    else:
        text = str(one.get("format") or one.get("type") or "")
        low, high = one.get("minimum"), one.get("maximum")
        if low is not None or high is not None:
            text += f" ({'' if low is None else low}..{'' if high is None else high})"
    default = schema.get("default")
    if default not in (None, "", []):
        text += f" = {str(default).lower() if isinstance(default, bool) else default}"
    return text


def _shape(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> str:
    """A response schema as `{total, hits: [{id, score, ...}]}`."""
    ref = schema.get("$ref")
    if ref:
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return f"[{_shape(spec, schema.get('items', {}), depth)}]"
    props = schema.get("properties")
    if not props:
        return "…"
    parts = []
    for name, sub in props.items():
        nested = sub.get("$ref") or (sub.get("type") == "array" and sub.get("items", {}).get("$ref"))
        parts.append(f"{name}: {_shape(spec, sub, depth + 1)}" if nested and depth < 2 else name)
    extra = ", …" if schema.get("additionalProperties", False) is not False else ""
    return "{" + ", ".join(parts) + extra + "}"


def reference(spec: dict[str, Any]) -> list[Endpoint]:
    found = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            endpoint = Endpoint(method.upper(), path, op.get("summary", ""), op.get("description", ""))
            for p in op.get("parameters", []):
                endpoint.parameters.append(Parameter(p["name"], p["in"], _type(p.get("schema", {})),
                                                     bool(p.get("required")), p.get("description", "")))
            ok = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
            endpoint.answer = _shape(spec, ok.get("schema", {})) if ok else ""
            found.append(endpoint)
    return found
