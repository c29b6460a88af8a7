from django.utils.translation import gettext_lazy as _

from rest_framework import exceptions, pagination

from .fields import MAX_ID, parse_whole


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=50``; at most 100 rows a page. A page size that is not a whole
    number from 1 to 100, and a page that is not a whole number from 1 (an empty one, "last"),
    are refused, not silently replaced; a page after the last is not found."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        size = parse_whole(text, low=1, high=self.max_page_size)
        if size is None:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(maximum)s.")
                        % {"maximum": self.max_page_size}
                    ]
                }
            )
        return size

    def get_page_number(self, request, paginator):
        text = request.query_params.get(self.page_query_param)
        if text is None:
            return 1
        number = parse_whole(text, low=1, high=MAX_ID)
        if number is None:
            raise exceptions.ValidationError({self.page_query_param: [_("Give a whole number.")]})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters
