"""Admin template tags of `home`: the organization chooser's language labels."""

from django import template
from django.utils.text import capfirst

from home.models import OrganizationPage
from home.organization_copies import chooser_language, choosing_organizations, copy_language
from home.templatetags.broadside import language_name_for_reader

register = template.Library()


@register.simple_tag(takes_context=True)
def chooser_fallback_language(context, page) -> str:
    """The language of an organization the chooser shows (search) or stores (an alias met
    while browsing a language tree) in another language than the letter's, named in the
    editor's admin language; "" otherwise."""
    request = context.get("request")
    if request is None or not hasattr(page, "translation_key"):
        return ""
    model = page.specific_class
    if not choosing_organizations(request) or not (model and issubclass(model, OrganizationPage)):
        return ""
    code = copy_language(request, page) if page.alias_of_id else page.locale.language_code
    return "" if code == chooser_language(request) else capfirst(language_name_for_reader(code))
