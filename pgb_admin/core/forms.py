"""How every form on the pages renders: one field template (label, help, errors, input) and
inputs that tell assistive technology when they are wrong and where the error text is."""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class AccessibleBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            described = [f"{self.auto_id}_errors"]
            if self.help_text:
                described.append(f"{self.auto_id}_helptext")
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class FormRenderer(TemplatesSetting):
    field_template_name = "forms/field.html"
    bound_field_class = AccessibleBoundField
