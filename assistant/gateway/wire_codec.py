"""The codec under `assistant.gateway.wire`: a frozen-dataclass message base with `to_json` /
`from_json`, checked against the fields' type hints, and the protocol error for junk input."""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, ClassVar, Literal, Self, Union, get_args, get_origin, get_type_hints


class WireError(ValueError):
    """A message that breaks the protocol. `kind` is its `type` when that could be read."""

    code = "bad-message"

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


class UnknownMessageError(WireError):
    code = "unknown-message"


def opt(key: str = "", default: Any = None, omit: bool = True) -> Any:
    """A field with a default: `key` is its JSON name (default: the attribute's name), and with
    `omit` it is left out of the JSON while it holds the default."""
    return field(default=default, metadata={"key": key, "omit": omit})


def named(name: str) -> Any:
    """A required field whose JSON name differs from the attribute's."""
    return field(metadata={"key": name})


MAX_DEPTH = 16  # no message of ours nests deeper than 4; the rest is junk or an attack


def decode(text: str | bytes) -> dict[str, Any]:
    """A text frame as a JSON object nested at most MAX_DEPTH levels, or WireError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise WireError("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise WireError(f"text frames must be JSON objects ({exc})") from None
    if not isinstance(data, dict):
        raise WireError("text frames must be JSON objects")
    if depth(data) > MAX_DEPTH:
        raise WireError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    return data


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (a scalar: 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class WireMessage:
    """Base of every message. `TYPE` is the `type` field ("" for vosk's keyed messages and
    nested values); with `NEST` the fields go under that key (mod_audio_fork's `data`)."""

    TYPE: ClassVar[str] = ""
    ALIASES: ClassVar[tuple[str, ...]] = ()
    NEST: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("omit") and value == f.default:
                continue
            body[_key(f)] = _plain(value)
        head: dict[str, Any] = {"type": self.TYPE} if self.TYPE else {}
        if self.NEST:
            return {**head, self.NEST: body}
        return {**head, **body}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        return cls.from_dict(decode(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        kind = data.get("type")
        name = cls.TYPE or cls.__name__
        if cls.TYPE and kind != cls.TYPE and kind not in cls.ALIASES:
            raise WireError(f"expected a {cls.TYPE!r} message, got type {kind!r}",
                            kind if isinstance(kind, str) else "")
        body = data.get(cls.NEST, {}) if cls.NEST else data
        try:
            if not isinstance(body, dict):
                raise WireError(f"{cls.NEST!r} must be a JSON object")
            return cls(**cls._values(body, name))
        except WireError as exc:  # the message's type is known: say which message was wrong
            raise WireError(str(exc) if str(exc).startswith(name) else f"{name}: {exc}",
                            cls.TYPE) from None

    @classmethod
    def _values(cls, body: Mapping[str, Any], name: str) -> dict[str, Any]:
        hints = _hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if _key(f) in body:
                values[f.name] = _convert(body[_key(f)], hints[f.name], f"{name}.{_key(f)}")
            elif f.default is MISSING and f.default_factory is MISSING:
                raise WireError(f"{_key(f)!r} is missing")
        return values


def _key(f: Field[Any]) -> str:
    return str(f.metadata.get("key") or f.name)


def _plain(value: Any) -> Any:
    if isinstance(value, WireMessage):
        return value.to_dict()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


_HINTS: dict[type[WireMessage], dict[str, Any]] = {}


def _hints(cls: type[WireMessage]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _convert(value: Any, hint: Any, where: str) -> Any:
    """`value` checked against a field's type; arrays become tuples, objects nested messages."""
    origin = get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        for arm in get_args(hint):
            try:
                return _convert(value, arm, where)
            except WireError:
                continue
    elif origin is Literal:
        if isinstance(value, str) and value in get_args(hint):
            return value
    elif origin is tuple:
        if isinstance(value, list):
            arm = get_args(hint)[0]
            return tuple(_convert(v, arm, f"{where}[{i}]") for i, v in enumerate(value))
    elif origin is dict:
        if isinstance(value, dict):
            return value
    elif isinstance(hint, type) and issubclass(hint, WireMessage):
        if isinstance(value, dict):
            return hint.from_dict(value)
    elif _scalar_fits(value, hint):
        return value
    raise WireError(f"{where} must be {_describe(hint)}, not {json.dumps(value)[:40]}")


def _scalar_fits(value: Any, hint: Any) -> bool:
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return hint is str and isinstance(value, str)


def _describe(hint: Any) -> str:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(hint))
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(hint))
    if origin is tuple:
        return "an array"
    if origin is dict or (isinstance(hint, type) and issubclass(hint, WireMessage)):
        return "an object"
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(hint, "null")


def check(ok: bool, problem: str) -> None:
    if not ok:
        raise WireError(problem)


Registry = Mapping[str, type[WireMessage]]


def registry(*classes: type[WireMessage]) -> Registry:
    """Message classes by their `type` (and its aliases)."""
    return {name: c for c in classes for name in (c.TYPE, *c.ALIASES)}


def parse(text: str | bytes, known: Registry) -> WireMessage:
    """The message class named by the `type` field, or WireError."""
    return from_dict(decode(text), known)


def from_dict(data: Mapping[str, Any], known: Registry) -> WireMessage:
    kind = data.get("type")
    cls = known.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise UnknownMessageError(f"unknown message type {kind!r}",
                                  kind if isinstance(kind, str) else "")
    return cls.from_dict(data)
