"""Hub pages of the portal beyond JupyterHub's own (served under /hub/)."""
from jupyterhub.handlers import BaseHandler
from tornado import web


class CatalogueHandler(BaseHandler):
    """/hub/catalogo: every course, grouped by subject and grade, with its description, objectives,
    lessons and evaluations. Teachers plan with it; the same descriptions feed their e-mail."""

    @web.authenticated
    async def get(self):
        self.finish(await self.render_template("catalogo.html"))


HANDLERS = [(r"/catalogo", CatalogueHandler)]
