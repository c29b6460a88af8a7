"""Refresh the vendored NL Design System files (`make vendor`; needs Node's npm, run time does not).

The Utrecht community components' CSS and the NL Design System's example theme ("voorbeeld", both
EUPL-1.2) come from npm at the pinned versions below. Of the example theme we keep the component
and basis tokens (how a component takes its colours, spacing and type from a small set of basis
tokens), renamed to ``.pgb-theme``, and drop its brand palette: our own palette and fonts live in
``pgb_admin/static/pgb_admin/theme.css``. The files are committed, so `make run` needs no Node.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = {
    "@utrecht/component-library-css": "9.0.4",
    "@nl-design-system-unstable/voorbeeld-design-tokens": "7.4.1",
}
TARGET = Path(__file__).parent / "static" / "vendor" / "nlds"


KEPT_PREFIXES = ("--utrecht-", "--nl-", "--basis-")


def theme_structure(css: str) -> str:
    """The example theme's component and basis tokens (and what they refer to), without its
    brand palette (``--voorbeeld-*``), as a ``.pgb-theme { … }`` block."""
    start = css.index(".voorbeeld-theme {")
    end = css.index("\n}", start)
    tokens = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", css[start:end]))
    kept = {name for name in tokens if name.startswith(KEPT_PREFIXES)}
    pending = list(kept)
    while pending:  # tokens the kept ones refer to, except the palette
        for name in re.findall(r"var\((--[\w-]+)", tokens[pending.pop()]):
            if name in tokens and name not in kept and not name.startswith("--voorbeeld-"):
                kept.add(name)
                pending.append(name)
    lines = "\n".join(f"  {name}: {value};" for name, value in tokens.items() if name in kept)
    return f".pgb-theme {{\n{lines}\n}}\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        subprocess.run(  # noqa: S603 (fixed arguments; npm from the PATH on purpose)
            ["npm", "install", "--silent", "--no-save", "--prefix", tmp, *specs],  # noqa: S607
            check=True,
        )
        modules = Path(tmp) / "node_modules" / "@utrecht"
        components = modules / "component-library-css"
        tokens = (
            Path(tmp) / "node_modules" / "@nl-design-system-unstable" / "voorbeeld-design-tokens"
        )
        TARGET.mkdir(parents=True, exist_ok=True)
        shutil.copy(components / "dist" / "index.css", TARGET / "component-library.css")
        # plain HTML elements styled as the components, under <html class="utrecht-html">
        shutil.copy(components / "dist" / "html.css", TARGET / "html.css")
        shutil.copy(components / "LICENSE.md", TARGET / "LICENSE-component-library.md")
        shutil.copy(tokens / "LICENSE.md", TARGET / "LICENSE-design-tokens.md")
        version = PACKAGES["@nl-design-system-unstable/voorbeeld-design-tokens"]
        header = f"/* NL Design System example theme {version}, without its palette (EUPL-1.2) */\n"
        (TARGET / "design-tokens.css").write_text(
            header + theme_structure((tokens / "dist" / "theme.css").read_text())
        )
        (TARGET / "VERSIONS").write_text(
            "".join(f"{name} {version}\n" for name, version in PACKAGES.items())
        )
    print(f"NL Design System files refreshed in {TARGET}", file=sys.stderr)


if __name__ == "__main__":
    main()
