"""StreamField blocks for letters."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "home/blocks/quote.html"
        label = _("Quote")


class LetterBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"),
        max_length=200,
        form_classname="title",
        template="home/blocks/heading.html",
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul"],
        template="home/blocks/paragraph.html",
    )
    quote = QuoteBlock()
    image = ImageBlock(label=_("Image"), template="home/blocks/image.html")


class ContactBlock(blocks.StructBlock):
    """A person to contact about the letter: a staff contact, a media desk …"""

    label = blocks.CharBlock(
        label=_("Label"), max_length=100, help_text=_("For example: “Media enquiries”.")
    )
    name = blocks.CharBlock(label=_("Name"), max_length=200, required=False)
    role = blocks.CharBlock(label=_("Role"), max_length=200, required=False)
    email = blocks.EmailBlock(label=_("Email"), required=False)
    phone = blocks.CharBlock(label=_("Phone"), max_length=50, required=False)

    class Meta:
        icon = "mail"
        template = "home/blocks/contact.html"
        label = _("Contact")


class ContactsBlock(blocks.StreamBlock):
    contact = ContactBlock()
