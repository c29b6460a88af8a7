"""An object out of the user's scope: the services and selectors raise the domain error
``NotFound``, never ``Http404``; a page answers it with the site's own 404 page, as it
answers an unknown address."""

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

import pytest

from pgb_admin.core.errors import NotFound
from pgb_admin.core.not_found import NotFoundMiddleware

NOVEMBER = date(2026, 11, 1)


def _is_the_404_page(response) -> bool:
    names = [template.name for template in response.templates]
    return (
        response.status_code == 404
        and "404.html" in names
        and "bestaat niet" in (response.content.decode())
    )


def test_an_unknown_address_is_the_404_page(login):
    assert _is_the_404_page(login("holder").get("/no-such-page/"))


@pytest.mark.parametrize(
    "url",
    [
        lambda world: reverse("declarations:hours", args=[world.theirs_agreement.pk, NOVEMBER]),
        lambda world: reverse("declarations:list", args=[world.theirs.pk]),
        lambda world: reverse("contracts:agreement", args=[world.theirs_agreement.pk]),
        lambda world: reverse(
            "declarations:agreement_template", args=[world.theirs_agreement.pk, NOVEMBER]
        ),
    ],
    ids=["hours", "declarations", "agreement", "template"],
)
def test_a_page_out_of_scope_is_the_404_page(login, api_world, url):
    assert _is_the_404_page(login("holder").get(url(api_world)))


def test_the_middleware_leaves_other_errors_alone(rf: RequestFactory):
    middleware = NotFoundMiddleware(lambda request: HttpResponse())
    request: HttpRequest = rf.get("/")
    assert middleware.process_exception(request, ValueError("other")) is None
    with pytest.raises(Http404, match="Not here"):
        middleware.process_exception(request, NotFound("Not here"))
