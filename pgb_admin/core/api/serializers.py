from rest_framework import serializers

from ..models import TaskRun


class TaskRunSerializer(serializers.ModelSerializer):
    total = serializers.IntegerField(read_only=True, help_text="Items to do.")
    done = serializers.IntegerField(read_only=True, help_text="Items done.")
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = TaskRun
        fields = [
            "id",
            "kind",
            "status",
            "total",
            "done",
            "percent",
            "result",
            "error",
            "created_at",
            "updated_at",
        ]
