"""Lesson views: students open lessons as widget-only Voila pages served by their own
server (`/user/NAME/voila/render/...`). This module installs what those servers need:
the Spanish, CDN-free Voila template and the defaults every user server reads."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from ..config import REPO_ROOT

HERE = Path(__file__).parent
TEMPLATE_NAME = "pasaporte"


def offline_jupyter_path(prefix: Path | None = None) -> Path:
    """A JUPYTER_PATH entry for grader processes: nbconvert templates that reach no CDN."""
    return Path(prefix or sys.prefix) / "share" / "pasaporte" / "jupyter"

LAB_OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "es_ES"},
    # Windowing can lose widget outputs ("model not found"); render every cell.
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "defer"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
LAB_PAGE_CONFIG = {
    "disabledExtensions": {
        "@jupyter/nbgrader:create-assignment": True,
        "@jupyter/nbgrader:course-list": True,
        "@jupyterlab/apputils-extension:announcements": True,
    }
}
# Voila's server extension reads voila.json from the Jupyter config path.
VOILA_CONFIG = {
    "VoilaConfiguration": {"template": TEMPLATE_NAME, "show_tracebacks": False, "strip_sources": True},
    # A lesson cell that runs away ends in an error page rather than an endless spinner.
    "VoilaExecutor": {"timeout": 60, "startup_timeout": 60},
}
SERVER_CONFIG = {"LabApp": {"news_url": None}}


def install_assets(prefix: Path | None = None) -> list[Path]:
    """Copy the template, fonts and Jupyter defaults into the environment at `prefix`."""
    prefix = Path(prefix or sys.prefix)
    written = []
    template = prefix / "share" / "jupyter" / "voila" / "templates" / TEMPLATE_NAME
    if template.exists():
        shutil.rmtree(template)
    shutil.copytree(HERE / "voila_template", template)
    node = REPO_ROOT / "node_modules"
    for sub in ("css", "webfonts"):
        shutil.copytree(node / "@fortawesome" / "fontawesome-free" / sub, template / "static" / "fontawesome" / sub)
    # Voila typesets math with MathJax 2 loaded from `mathjax_url`: serve it from the template.
    shutil.copytree(node / "mathjax", template / "static" / "mathjax",
                    ignore=shutil.ignore_patterns("unpacked", "test", "otf", "svg", "eot", "*.md"))
    written.append(template)
    offline = offline_jupyter_path(prefix)
    if offline.exists():
        shutil.rmtree(offline)
    shutil.copytree(HERE / "offline", offline)
    written.append(offline.parent)

    def write_json(path: Path, data: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)

    write_json(prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json", LAB_OVERRIDES)
    write_json(prefix / "etc" / "jupyter" / "labconfig" / "page_config.json", LAB_PAGE_CONFIG)
    write_json(prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "pasaporte.json", SERVER_CONFIG)
    write_json(prefix / "etc" / "jupyter" / "voila.json", VOILA_CONFIG)
    kernel_config = prefix / "etc" / "ipython" / "ipython_kernel_config.py"
    kernel_config.parent.mkdir(parents=True, exist_ok=True)
    kernel_config.write_text('# Written by pasaporte install-assets.\nc.InteractiveShellApp.extensions = ["pasaporte.kernel_notice"]\n')
    written.append(kernel_config)
    # jsonschema builds a Lark grammar for its "iri" format check when rfc3987_syntax is installed
    # (a dependency of jupyter-events): ~0.9 s of CPU at the start of every Jupyter server, hub,
    # grader and sandbox. Nothing here validates IRIs, so the environment never imports it
    # (jsonschema skips that one check). Measured by bench/imports.sh.
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    fast = prefix / "lib" / version / "site-packages" / "pasaporte_fast_imports.pth"
    fast.parent.mkdir(parents=True, exist_ok=True)
    fast.write_text('import sys; sys.modules.setdefault("rfc3987_syntax", None)\n')
    written.append(fast)
    for name in ("nbgrader_config.py", "jupyter_server_config.py"):
        target = prefix / "etc" / "jupyter" / name
        shutil.copyfile(HERE / "jupyter" / name, target)
        written.append(target)
    for path in written:
        for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    return written
