# nbgrader defaults for every user server and grader service of this environment.
# Installed into <venv>/etc/jupyter by `pasaporte install-assets`. Evaluations travel through
# the exchange service (PASAPORTE_EXCHANGE_URL, set by the hub), which knows the caller by the
# server's hub token: no setting here can change who submits. A course directory adds its own config.
from nbgrader.auth import NoAuthPlugin

from pasaporte.grading.exchange_client import use_service_exchange

c = get_config()  # noqa: F821
use_service_exchange(c)
c.Exchange.path_includes_course = True
# Which courses a student has is the exchange's business (hub groups nbgrader-<course>).
c.Authenticator.plugin_class = NoAuthPlugin
