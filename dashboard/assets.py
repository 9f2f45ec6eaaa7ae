"""Fill Solara's CDN cache from the npm registry, so the page loads without internet.

Solara serves its page's JavaScript and CSS through a CDN proxy that reads
``{sys.prefix}/share/solara/cdn/<package>@<version>/`` first and fetches from a public CDN
only when a file is missing (/work/shared/notes/solara-offline.md). On a machine that reaches
the npm registry but no CDN, this module ``npm pack``s each package the dashboard needs and
unpacks it there. It is harmless where the files already exist, and it does nothing (exit 0)
where npm is absent: the proxy then fetches what it needs itself.

Run it as ``python -m dashboard.assets`` (the Makefile's install step does).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

#: npm packages the page loads with solara 1.6x and ipyvuetify 1.x, as ``name@version`` the
#: page requests them (a major version like ``vega@5`` is resolved by npm to its newest 5.x).
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
    "mermaid@10.8.0",  # solara.Markdown
    "katex@0.16.9",  # solara.Markdown
)
MARKER = ".complete"  # written last, so an interrupted unpack is redone next time


def cdn_cache() -> Path:
    """The folder Solara's CDN proxy serves from: ``{sys.prefix}/share/solara/cdn``."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def fetch(package: str, cache: Path, npm: str) -> Path:
    """``npm pack`` one package and unpack its ``package/`` folder into the cache.

    Args:
        package: ``name@version`` as the page requests it.
        cache: the CDN cache folder.
        npm: path of the npm executable.

    Returns:
        The package's folder in the cache.

    Raises:
        subprocess.CalledProcessError: npm could not fetch the package.
    """
    target = cache / package
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", package, "--pack-destination", tmp, "--silent"],
            check=True,
            capture_output=True,
            text=True,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
        # Most tarballs hold one top folder, ``package/``; take whichever it is.
        (top,) = [p for p in unpacked.iterdir() if p.is_dir()]
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(top), target)
    (target / MARKER).touch()
    return target


def ensure_assets(cache: Path | None = None, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """Fetch every package not yet in the cache.

    Args:
        cache: the CDN cache folder (default: :func:`cdn_cache`).
        packages: ``name@version`` of each package.

    Returns:
        The packages fetched now (empty when all were there or npm is absent).
    """
    cache = cdn_cache() if cache is None else cache
    missing = [p for p in packages if not (cache / p / MARKER).exists()]
    npm = shutil.which("npm")
    if not missing:
        return []
    if npm is None:
        print("dashboard.assets: npm not found; Solara will fetch its assets from its CDN")
        return []
    for package in missing:
        fetch(package, cache, npm)
        print(f"dashboard.assets: {package} -> {cache / package}")
    return missing


def main() -> int:
    """Entry point of ``python -m dashboard.assets``."""
    try:
        ensure_assets()
    except subprocess.CalledProcessError as err:
        print(f"dashboard.assets: npm failed: {err.stderr.strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
