"""Reading the documentation as the doc checks do: which pages there are, the code in a page
(fenced blocks and inline spans), its links and headings' anchors, and the repository paths,
dotted names, `python -m` commands and `make` targets its code names. The checks themselves
are in tests/unit/test_docs.py and test_operations_doc.py."""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import click

from shared.cli import make_cli

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("applications", "vetting", "access", "notifications")
# A placeholder service in a page means: every service has this command, or this path.
SERVICE_PLACEHOLDERS = ("<service>", "<svc>")
# The tools' packages (the development identity provider, the dev stack, the bundle...).
TOOLS = sorted(path for path in ROOT.glob("tools/*/src/*") if (path / "__init__.py").exists())
# Packages whose paths may be written from the package down (`vetting/lifecycle/check.py`).
PACKAGE_DIRS = {
    **{service: f"services/{service}/src/{service}" for service in SERVICES},
    **{tool.name: f"tools/{tool.parent.parent.name}/src/{tool.name}" for tool in TOOLS},
    "shared": "shared/src/shared",
}
TOP_DIRS = ("shared", "services", "tests", "deploy", "tools", "bench", "docs")

COMMAND = re.compile(r"python -m ([\w.<>]+)((?:[ \t]+[a-z][\w-]*)*)")
MAKE = re.compile(r"(?:^|[`\s(])make ([a-z][\w-]*)", re.MULTILINE)
NAME = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w-])")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_PATH_CHARS = r"[\w./<>{}*|-]*"
PATH = re.compile(
    rf"(?<![\w./:@-])((?:{'|'.join(TOP_DIRS)}|{'|'.join(p for p in PACKAGE_DIRS if p != 'shared')})"
    rf"/{_PATH_CHARS})"
)
DOTTED = re.compile(rf"(?:{'|'.join(PACKAGE_DIRS)})(?:\.\w+)+")


def pages() -> list[Path]:
    """Every page the checks read: the README, every page under docs/, the benchmarks' README."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]


def code(text: str) -> str:
    """The code in a page: fenced blocks and inline spans (prose says "make" freely)."""
    fenced = re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL)
    indented = re.findall(r"^(?: {4}|\t)(\S.*)$", text, flags=re.MULTILINE)
    without_fences = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return "\n".join(fenced + indented + re.findall(r"`([^`\n]+)`", without_fences))


def inline_spans(text: str) -> list[str]:
    without_fences = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return re.findall(r"`([^`\n]+)`", without_fences)


# -- links and anchors -------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]{2,}|`", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    without_fences = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for heading in re.findall(r"^#{1,6} (.+)$", without_fences, flags=re.MULTILINE):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> Iterator[str]:
    """Relative link targets (outside code), with their #anchor."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    for target in LINK.findall(prose):
        if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            yield target


# -- paths and names in code -------------------------------------------------------------------


def repository_paths(text: str) -> set[str]:
    """The repository paths a page's code names, as paths from the root, placeholders expanded
    to every service and anything after another placeholder or wildcard left off."""
    found: set[str] = set()
    for raw in PATH.findall(code(text)):
        raw = raw.rstrip(".,;:")
        top, _, rest = raw.partition("/")
        base = PACKAGE_DIRS[top] if top in PACKAGE_DIRS and top != "shared" else top
        for service in SERVICES if any(p in raw for p in SERVICE_PLACEHOLDERS) else ("",):
            path = f"{base}/{rest}"
            for placeholder in SERVICE_PLACEHOLDERS:
                path = path.replace(placeholder, service)
            cut = re.search(r"[<{*|]", path)
            if cut:
                path = path[: cut.start()].rsplit("/", 1)[0]
            if path.rstrip("/") not in TOP_DIRS:
                found.add(path.rstrip("/"))
    return found


def dotted_names(text: str) -> set[str]:
    """Inline spans that are a dotted name under one of our packages (`shared.auth.STAFF_ROLES`)."""
    return {span for span in inline_spans(text) if DOTTED.fullmatch(span)}


def resolves(name: str) -> bool:
    """Whether a dotted name is a module, or an attribute of the longest module it starts with."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        module_name = ".".join(parts[:end])
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            continue
        target: object = importlib.import_module(module_name)
        for attribute in parts[end:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def upper_case_names(text: str) -> set[str]:
    """Upper-case names with an underscore in a page's code: settings, codes, enum members."""
    return set(NAME.findall(code(text)))


# -- commands ----------------------------------------------------------------------------------


def documented_commands(text: str) -> list[tuple[str, list[str]]]:
    """(module, the words after it) for each `python -m` in a page's code, placeholders
    expanded to every service."""
    found: list[tuple[str, list[str]]] = []
    text_code = code(text)
    for match in COMMAND.finditer(text_code):
        module, rest = match.groups()
        if not rest.strip() and re.match(r"[ \t]*(?:…|<command|--help)", text_code[match.end() :]):
            continue  # about commands in general: "python -m <service> …" or "… --help"
        modules = SERVICES if module in SERVICE_PLACEHOLDERS else (module,)
        found.extend((name, rest.split()) for name in modules)
    return found


def make_targets(text: str) -> set[str]:
    return set(MAKE.findall(code(text)))


def cli(module: str) -> click.Command:
    if module in SERVICES:
        definition = importlib.import_module(f"{module}.service").definition()
        return make_cli(definition, f"{module}.app:create_app()")
    main = getattr(importlib.import_module(module), "main", None)
    if main is None and importlib.util.find_spec(f"{module}.__main__") is not None:
        entry = importlib.import_module(f"{module}.__main__")  # `python -m` runs this
        main = getattr(entry, "main", None) or getattr(entry, "cli", None)
    assert isinstance(main, click.Command), f"python -m {module}: no click command `main`"
    return main


def command_path(root: click.Command, words: list[str]) -> list[str]:
    """The leading words that name (sub)commands; the rest are arguments."""
    path: list[str] = []
    command = root
    for word in words:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        path.append(word)
        command = command.commands[word]
    return path
