# JupyterHub configuration for Pasaporte. It only composes: every setting comes from
# pasaporte.hub.configure(), driven by PASAPORTE_* environment variables (see README).
from pasaporte.hub import configure

configure(get_config())  # noqa: F821 (get_config is provided by JupyterHub)
