"""The API's documentation page (Swagger UI). With ``API_DOCS_PUBLIC`` off it is for logged-in
users only (``ApiDocsAccess``); an anonymous browser is then sent to the login page."""

from django.contrib.auth.views import redirect_to_login

from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.exceptions import NotAuthenticated


class ApiDocsView(SpectacularSwaggerView):
    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated) and "Authorization" not in self.request.headers:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
