# Defaults for every user server of this environment (installed into <venv>/etc/jupyter by
# `pasaporte install-assets`).
import os

c = get_config()  # noqa: F821
# Lesson views load MathJax from the server itself, never from a CDN (schools may be offline).
prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
c.ServerApp.tornado_settings = {"mathjax_url": f"{prefix}voila/static/mathjax/MathJax.js"}
