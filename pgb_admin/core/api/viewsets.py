from drf_spectacular.utils import extend_schema, extend_schema_view

from pgb_admin.api.viewsets import ListRetrieveMixin, ScopedViewSet

from ..models import TaskRun
from .serializers import TaskRunSerializer


def task_list(*, user):
    return TaskRun.objects.visible_to(user)


@extend_schema_view(
    list=extend_schema(summary="Your background tasks"),
    retrieve=extend_schema(summary="The progress of a background task"),
)
class TaskRunViewSet(ListRetrieveMixin, ScopedViewSet):
    """Progress of long work you started (validating or exporting many declarations)."""

    selector = task_list
    serializer_class = TaskRunSerializer
    ordering_fields = ["created_at"]
    http_method_names = ["get", "head", "options"]
