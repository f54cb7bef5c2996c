from django import template

from home.templatetags.broadside import language_name_for_reader

from ..status import outdated_counts, reviews_for

register = template.Library()


@register.simple_tag
def translation_reviews(translation):
    """The segments of `translation` to review (for the translation editor's banner)."""
    return reviews_for(translation)


@register.simple_tag
def outdated_counts_for(translations):
    """{translation id: passages to review} for a page of the Translations report (one query)."""
    return outdated_counts(t.pk for t in translations)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def source_fallbacks(source):
    """Per language, the passages publishing would show in the source language."""
    from ..fallbacks import fallbacks_for

    return fallbacks_for(source)


@register.simple_tag
def translation_fallbacks(translation):
    """The passages publishing this translation would show in the source language."""
    from ..fallbacks import untranslated_passages

    return untranslated_passages(translation.source, translation.target_locale)


@register.simple_tag
def languages_going_offline(instance):
    """Languages in which `instance` (a page) is shown today as a live untranslated copy,
    named in the editor's language: starting its translation takes that copy offline until
    the translation is published (home.signal_handlers.unpublish_converted_alias)."""
    from wagtail.models import Page

    if not isinstance(instance, Page):
        return []
    copies = (
        Page.objects.filter(translation_key=instance.translation_key, live=True)
        .filter(alias_of__isnull=False)
        .exclude(locale_id=instance.locale_id)
        .select_related("locale")
        .order_by("locale__language_code")
    )
    # Named inside a sentence: in the editor's language, as CLDR writes them mid-sentence.
    return [language_name_for_reader(copy.locale.language_code) for copy in copies]


@register.filter
def field_label(review, translation):
    """A segment's field as editors know it: "Standfirst", "Body" (its path otherwise)."""
    from django.core.exceptions import FieldDoesNotExist

    model = translation.source.specific_content_type.model_class()
    name = review.context.path.split(".")[0]
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return review.context.path
    return label[:1].upper() + label[1:]
