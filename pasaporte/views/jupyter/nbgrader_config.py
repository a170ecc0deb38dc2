# nbgrader defaults for every user server and grader service of this environment.
# Installed into <venv>/etc/jupyter by `pasaporte install-assets`; the hub passes the
# exchange location in PASAPORTE_EXCHANGE. A course directory adds its own config.
import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821
if os.environ.get("PASAPORTE_EXCHANGE"):
    c.Exchange.root = os.environ["PASAPORTE_EXCHANGE"]
c.Exchange.path_includes_course = True
# Students see the courses of their hub groups (nbgrader-<course>).
c.Authenticator.plugin_class = JupyterHubAuthPlugin
# A user server runs under a system account (pp-NAME) but nbgrader must know the student by
# their portal name. Not for grader services, which act on every student.
if os.environ.get("JUPYTERHUB_USER") and not os.environ.get("JUPYTERHUB_SERVICE_NAME"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
