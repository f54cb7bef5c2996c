"""Stored messages (publishing.messages) shown in the language of the request showing them."""

from django import template

from publishing.messages import show_message

register = template.Library()


@register.filter
def in_reader_language(stored) -> str:
    """A stored message (a card's problem) in the active language, which in the admin is the
    editor's own; plain text (rows stored before messages were structured) is shown as it is.
    See `publishing.messages.show_message`."""
    return show_message(stored)
