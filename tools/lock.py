"""Keep requirements.lock honest: stamp it with what it was made from, and check that stamp.

Runs with the system's python3 and its standard library only, before any venv exists:

    python3 tools/lock.py check     # exit 1 with the fix if the lock no longer matches pyproject.toml
    python3 tools/lock.py stamp     # after pip-compile: record the inputs' digest in the lock
    python3 tools/lock.py compare FREEZE   # exit 1 if `pip freeze` output differs from the lock
"""
from __future__ import annotations

import hashlib
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
INPUTS = (ROOT / "pyproject.toml", ROOT / "requirements-build.in")
STAMP = "# inputs-sha256: "
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs_digest() -> str:
    """Return a digest of every requirement the lock is made from, ignoring layout."""
    project = tomllib.loads(INPUTS[0].read_text(encoding="utf-8"))["project"]
    lines = [f"requires-python {project.get('requires-python', '')}"]
    lines += sorted(f"main {' '.join(r.split())}" for r in project.get("dependencies", []))
    for extra, reqs in sorted(project.get("optional-dependencies", {}).items()):
        lines += sorted(f"{extra} {' '.join(r.split())}" for r in reqs)
    for raw in INPUTS[1].read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(f"build {' '.join(line.split())}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def pins(text: str) -> dict[str, str]:
    """Return {normalised name: version} for every `name==version` line of a lock or freeze."""
    return {_norm(name): version for name, version in PIN.findall(text)}


def check() -> int:
    fix = ("run `make lock` to refresh it to today's newest versions, or `make lock KEEP=1` to keep "
           "every current pin and only add or change what pyproject.toml asks for; commit the result")
    if not LOCK.exists():
        print(f"error: {LOCK.name} is missing: {fix}", file=sys.stderr)
        return 1
    text = LOCK.read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(STAMP)}(\w+)$", text, re.M)
    if not found or found.group(1) != inputs_digest():
        print(f"error: {LOCK.name} does not match pyproject.toml / requirements-build.in "
              f"(a dependency was added, removed or changed since the lock was made): {fix}",
              file=sys.stderr)
        return 1
    return 0


def stamp() -> int:
    text = re.sub(rf"^{re.escape(STAMP)}\w+\n", "", LOCK.read_text(encoding="utf-8"), flags=re.M)
    LOCK.write_text(f"{text.rstrip()}\n{STAMP}{inputs_digest()}\n", encoding="utf-8")
    return 0


def compare(freeze_path: str) -> int:
    locked = pins(LOCK.read_text(encoding="utf-8"))
    frozen = pins(Path(freeze_path).read_text(encoding="utf-8"))
    diffs = [f"  {name}: lock {locked.get(name, '-')}, installed {frozen.get(name, '-')}"
             for name in sorted(set(locked) | set(frozen)) if locked.get(name) != frozen.get(name)]
    if diffs:
        print("installed versions differ from requirements.lock:\n" + "\n".join(diffs))
        return 1
    print(f"installed versions match requirements.lock ({len(locked)} packages)")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["stamp"]:
        return stamp()
    if argv[:1] == ["compare"] and len(argv) == 2:
        return compare(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
