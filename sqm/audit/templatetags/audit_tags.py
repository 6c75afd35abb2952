from django import template

from sqm.audit.models import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The readable, translated name of a recorded action."""
    return str(ACTION_LABELS.get(action, action))
