"""Every regular expression in dsnparse runs in linear time on hostile input (no ReDoS).

The patterns are discovered at test time, so decoders added later are covered without editing
this file:

* every compiled ``re.Pattern`` reachable from the globals of every ``dsnparse`` module (walked
  with :mod:`pkgutil`, including ``dsnparse.decoders.*``), inside containers and dataclasses;
* the phrase matchers of :func:`dsnparse.phrases.tables` and :func:`dsnparse.classify.reasons.tables`;
* every literal pattern passed to an ``re`` function inside a function body (found in the source
  with :mod:`ast`: ``re.sub(r"...", ...)`` and the like).

Each pattern gets adversarial inputs built from its own structure (the characters its
repetitions accept, pumped to ~100 KB, with and without a failing tail), plus generic ones. The
slowest inputs are then timed at 50 KB and 100 KB: a linear pattern takes about twice as long,
a quadratic one four times, an exponential one never finishes (a ``SIGALRM`` watchdog fails the
test instead of hanging). Timings below a noise floor are not compared.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from re import _constants as C  # the stdlib's own regex parser (private, present since 3.11)
from re import _parser as sre_parse
from types import FrameType, ModuleType
from typing import Any

import pytest

import dsnparse
from dsnparse.classify import reasons
from dsnparse.phrases import tables as phrase_tables

SIZE = 100_000
MAX_RATIO = 3.0
"""t(100 KB) / t(50 KB): ~2 for linear, ~4 for quadratic; 3 leaves room for timer noise."""
NOISE_FLOOR = 0.005
"""CPU seconds: below this a 100 KB run is too short for its ratio to mean anything."""
WATCHDOG_SECONDS = 60
"""Wall-clock bound of one pattern's whole check; only a runaway pattern comes near it (wide: on a
loaded machine a linear check of a busy pattern took over 20 s of wall time)."""

# -- discovery ---------------------------------------------------------------------------------


def _modules() -> list[ModuleType]:
    mods: list[ModuleType] = [dsnparse]
    for info in pkgutil.walk_packages(dsnparse.__path__, "dsnparse."):
        if info.name.endswith(".__main__"):  # runs the CLI on import; it holds no patterns
            continue
        try:
            mods.append(importlib.import_module(info.name))
        except ImportError:  # an optional extra (imap, dask) that is not installed
            continue
    return mods


def _collect(obj: object, where: str, out: dict[tuple[object, int], str], depth: int = 0) -> None:
    if isinstance(obj, re.Pattern):
        out.setdefault((obj.pattern, obj.flags), where)
    elif depth >= 4 or isinstance(obj, str | bytes | ModuleType | type) or callable(obj):
        return
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _collect(value, f"{where}[{key!r}]", out, depth + 1)
    elif isinstance(obj, list | tuple | set | frozenset):
        for i, value in enumerate(obj):
            _collect(value, f"{where}[{i}]", out, depth + 1)
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            _collect(getattr(obj, f.name), f"{where}.{f.name}", out, depth + 1)


_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def _inline_patterns(module: ModuleType, out: dict[tuple[object, int], str]) -> None:
    """Literal patterns handed to ``re.<function>`` anywhere in the module's source."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_FUNCTIONS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str | bytes)
        ):
            continue
        flags = 0
        flag_node = next((k.value for k in node.keywords if k.arg == "flags"), None)
        positional = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "split": 3, "findall": 2,
                      "finditer": 2, "sub": 4, "subn": 4}[node.func.attr]
        if flag_node is None and len(node.args) > positional:
            flag_node = node.args[positional]
        if flag_node is not None:
            flags = int(eval(compile(ast.Expression(flag_node), "<flags>", "eval"), {"re": re}))
        pattern = re.compile(node.args[0].value, flags)
        out.setdefault((pattern.pattern, pattern.flags), f"{module.__name__}:{node.lineno}")


def discover() -> list[tuple[str, re.Pattern[Any]]]:
    """Every pattern dsnparse uses, with where it was found."""
    found: dict[tuple[object, int], str] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if not name.startswith("__"):
                _collect(value, f"{module.__name__}.{name}", found)
        _inline_patterns(module, found)
    _collect(phrase_tables(), "phrases.tables()", found)
    _collect(reasons.tables(), "classify.reasons.tables()", found)
    return sorted(((where, re.compile(p, f)) for (p, f), where in found.items()), key=lambda x: x[0])


PATTERNS = discover()

# -- adversarial inputs ------------------------------------------------------------------------

_CANDIDATES = " \t\na0Z9@.-_<>:;=+/()[]\"'!,#\\x\x00é\x1bÿ"


def _in_class(ch: str, items: list[tuple[Any, Any]], ignore_case: bool) -> bool:
    """Whether ``ch`` is in a parsed character class (``IN`` items)."""
    negate = False
    hit = False
    tests = {ch, ch.lower(), ch.upper()} if ignore_case else {ch}
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit |= any(ord(t) == av for t in tests)
        elif op is C.RANGE:
            hit |= any(av[0] <= ord(t) <= av[1] for t in tests)
        elif op is C.CATEGORY:
            hit |= _category(ch, av)
    return hit != negate


def _category(ch: str, cat: Any) -> bool:
    name = str(cat)
    if "DIGIT" in name:
        value = ch.isdigit()
    elif "SPACE" in name:
        value = ch.isspace()
    elif "WORD" in name:
        value = ch.isalnum() or ch == "_"
    elif "LINEBREAK" in name:
        value = ch == "\n"
    else:
        return False
    return value != ("NOT" in name)


def _chars(op: Any, av: Any, ignore_case: bool) -> list[str]:
    """Characters one atom accepts (first few)."""
    if op is C.LITERAL:
        return [chr(av)]
    if op is C.NOT_LITERAL:
        return [c for c in "ab" if ord(c) != av][:1]
    if op is C.ANY:
        return ["a", " "]
    if op is C.IN:
        return [c for c in _CANDIDATES if _in_class(c, av, ignore_case)][:3]
    if op is C.CATEGORY:
        return [c for c in _CANDIDATES if _category(c, av)][:2]
    return []


class _Walker:
    """Builds a matching-ish witness string of a parsed pattern and the 'pump' units of its
    repetitions (what a backtracking engine may try in many ways)."""

    def __init__(self, ignore_case: bool):
        self.ignore_case = ignore_case
        self.pumps: list[tuple[str, str]] = []  # (text before the repetition, repeated unit)
        self.groups: dict[int, str] = {}  # witness text of each capturing group, for backreferences

    def witness(self, items: Any, prefix: str = "") -> str:
        out = ""
        for op, av in items:
            if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
                lo, _hi, sub = av
                unit = self.witness(sub, prefix + out)
                if unit:
                    self.pumps.append((prefix + out, unit))
                    for op2, av2 in sub:  # alternative characters of a one-atom body
                        for ch in _chars(op2, av2, self.ignore_case)[1:]:
                            self.pumps.append((prefix + out, ch))
                out += unit * lo  # the fewest repetitions: a witness that matches, when one exists
            elif op is C.SUBPATTERN:
                text = self.witness(av[-1], prefix + out)
                if av[0] is not None:
                    self.groups[av[0]] = text
                out += text
            elif op is C.GROUPREF:
                out += self.groups.get(av, "")
            elif op is C.BRANCH:
                alts = [self.witness(alt, prefix + out) for alt in av[1]]
                out += alts[0] if alts else ""
            elif op in (C.ASSERT, C.ASSERT_NOT, C.AT, C.GROUPREF_EXISTS):
                continue
            else:
                chars = _chars(op, av, self.ignore_case)
                out += chars[0] if chars else ""
        return out


Maker = Callable[[int], str]


def _fill(head: str, unit: str, tail: str) -> Maker:
    def make(n: int) -> str:
        body = max(n - len(head) - len(tail), 0)
        return head + (unit * (body // len(unit) + 1))[:body] + tail

    return make


def inputs(pattern: re.Pattern[Any]) -> dict[str, Maker]:
    """Named makers of adversarial strings of a given length for ``pattern``."""
    ignore_case = bool(pattern.flags & re.IGNORECASE)
    source = pattern.pattern.decode("latin-1") if isinstance(pattern.pattern, bytes) else pattern.pattern
    walker = _Walker(ignore_case)
    whole = walker.witness(sre_parse.parse(source, pattern.flags & ~re.UNICODE & ~re.ASCII))
    out: dict[str, Maker] = {}
    for head, unit in walker.pumps[:16]:
        for tail in ("", "\x00"):
            out[f"pump({head[-20:]!r}+{unit[:20]!r}*+{tail!r})"] = _fill(head, unit, tail)
        if head:  # many starts, each followed by a long run: quadratic when the run is unbounded
            out[f"starts({head[-20:]!r}*)"] = _fill("", head, "")
            out[f"starts({head[-20:]!r}+{unit[:8]!r})*"] = _fill("", head + unit, "")
    if whole:
        out[f"whole({whole[:20]!r})*"] = _fill("", whole, "")
        if len(whole) > 1:
            out[f"almost({whole[:20]!r})*"] = _fill("", whole[:-1], "")
            out[f"almost+nl({whole[:20]!r})*"] = _fill("", whole[:-1] + "\n", "")
    for ch in " \ta0@.<\n\x00":
        out[f"char({ch!r})*"] = _fill("", ch, "")
    out["mixed"] = _fill("", "a@b.c <x> 5.1.1 550: ", "\x00")
    return out


def _as_input(pattern: re.Pattern[Any], text: str) -> Any:
    return text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else text


def _time(pattern: re.Pattern[Any], text: Any, repeat: int = 1) -> float:
    """CPU time of scanning ``text`` for every match (this thread only: other processes on a
    busy machine do not count), the best of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        for _m in pattern.finditer(text):
            pass
        best = min(best, time.thread_time() - start)
    return best


class Catastrophic(Exception):
    """Raised by the watchdog when a pattern runs away."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise Catastrophic("the watchdog stopped a runaway match")


def _worst(pattern: re.Pattern[Any], size: int) -> Iterator[tuple[str, Maker, float]]:
    """The inputs, slowest first, ranked by one run at a fifth of ``size``."""
    timed = [
        (name, make, _time(pattern, _as_input(pattern, make(size // 5))))
        for name, make in inputs(pattern).items()
    ]
    timed.sort(key=lambda t: t[2], reverse=True)
    return iter(timed)


# -- tests -------------------------------------------------------------------------------------


def test_discovery_finds_the_known_patterns() -> None:
    wheres = [w for w, _ in PATTERNS]
    assert len(PATTERNS) >= 30
    assert any(w.startswith("dsnparse.facts.STATUS_CODE") for w in wheres)
    assert any(w.startswith("phrases.tables().failure") for w in wheres)
    assert any(w.startswith("classify.reasons.tables()") for w in wheres)
    assert any(w.startswith("dsnparse.message:") for w in wheres), "inline re.sub patterns are found"


def test_inputs_pump_the_repetitions() -> None:
    names = list(inputs(re.compile(r"(a+)+b")))
    assert any("'a'*" in n for n in names)
    assert len(_fill("<", "ab", ">")(11)) == 11


def test_a_catastrophic_pattern_is_caught() -> None:
    """The check itself can fail: nested quantifiers and a quadratic scan are both detected."""
    assert _exponential_failure(re.compile(r"(a+)+b")) is not None
    assert _ratio_failure(re.compile(r"[ \t]*$x"), size=10_000) is not None
    assert _ratio_failure(re.compile(r"[ \t]{1,8}x")) is None


def _exponential_failure(pattern: re.Pattern[Any], size: int = 40) -> str | None:
    """Nested quantifiers explode on a few dozen characters: the watchdog stops them."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(2)
    try:
        for make in inputs(pattern).values():
            _time(pattern, _as_input(pattern, make(size)))
        return None
    except Catastrophic as exc:
        return str(exc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _ratio_failure(pattern: re.Pattern[Any], size: int = SIZE) -> str | None:
    """A description of the first input on which ``pattern`` is superlinear, else None."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(WATCHDOG_SECONDS)
    try:
        for count, (name, make, _rank) in enumerate(_worst(pattern, size)):
            if count >= 3:
                break
            large = _time(pattern, _as_input(pattern, make(size)))
            if large < NOISE_FLOOR:
                break
            repeat = 3 if large < 1.0 else 1
            small = _time(pattern, _as_input(pattern, make(size // 2)), repeat)
            large = min(large, _time(pattern, _as_input(pattern, make(size)), repeat))
            if large >= NOISE_FLOOR and large > MAX_RATIO * max(small, 1e-6):
                # A suspect ratio is confirmed one doubling further before it counts: a cache or
                # scheduler hiccup rarely repeats, a quadratic scan always does (x4 per doubling).
                larger = _time(pattern, _as_input(pattern, make(size * 2)), repeat)
                if larger > MAX_RATIO * large:
                    return (f"{name}: {small:.3f}s at {size // 2} chars, {large:.3f}s at {size} chars, "
                            f"{larger:.3f}s at {size * 2} chars")
        return None
    except Catastrophic as exc:
        return str(exc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(("where", "pattern"), PATTERNS, ids=[w for w, _ in PATTERNS])
def test_pattern_is_linear(where: str, pattern: re.Pattern[Any]) -> None:
    failure = _ratio_failure(pattern)
    assert failure is None, f"{where} /{pattern.pattern!r}/ is superlinear on {failure}"


def test_every_module_source_is_scanned() -> None:
    """The walk covers every .py file of the package (a module that failed to import would hide
    its patterns)."""
    root = Path(dsnparse.__file__).parent
    files = {p.relative_to(root).with_suffix("").as_posix().replace("/", ".") for p in root.rglob("*.py")}
    names = {m.__name__.removeprefix("dsnparse.") for m in _modules()}
    missing = {f for f in files if f.removesuffix(".__init__") not in names and f not in ("__init__", "__main__")}
    optional = {"dask", "imap", "cli_store", "parallel", "store"}
    assert not (missing - optional), missing - optional
