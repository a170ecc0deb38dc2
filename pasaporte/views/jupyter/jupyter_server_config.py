# Defaults for every user server of this environment (installed into <venv>/etc/jupyter by
# `pasaporte install-assets`).
import os

c = get_config()  # noqa: F821
# Lesson views load MathJax from the server itself, never from a CDN (schools may be offline).
prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
c.ServerApp.tornado_settings = {"mathjax_url": f"{prefix}voila/static/mathjax/MathJax.js"}
# The formgrader belongs to the course grader services, not to students' servers.
if not os.environ.get("JUPYTERHUB_SERVICE_NAME"):
    c.ServerApp.jpserver_extensions.update({"nbgrader.server_extensions.formgrader": False})
