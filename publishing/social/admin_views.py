"""Admin views of the social pipeline: the deliveries report and the editor's actions."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale, Page
from wagtail.permission_policies import ModelPermissionPolicy

from home.links import validate_http_url
from publishing.channels import channel_choices
from publishing.models import Delivery, DeliveryStatus, SocialAccount

from . import actions
from .admin_columns import PostLinkColumn
from .overview import deliveries_by_language
from .permissions import may_act_on_deliveries, may_see_deliveries
from .preview import delivery_actions_context


def page_edit_url(delivery: Delivery) -> str | None:
    return reverse("wagtailadmin_pages:edit", args=[delivery.page_id]) if delivery.page_id else None


class DeliveryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DeliveryStatus.choices
    )
    network = django_filters.ChoiceFilter(
        label=gettext_lazy("Network"),
        field_name="account__channel",
        choices=channel_choices,
    )
    locale = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Language"), queryset=Locale.objects.all()
    )
    account = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Account"), queryset=SocialAccount.objects.all()
    )
    page = django_filters.NumberFilter(label=gettext_lazy("Page id"), field_name="page_id")

    class Meta:
        model = Delivery
        fields = ["status", "network", "locale", "account", "page"]


class DeliveriesReportView(ReportView):
    page_title = gettext_lazy("Social deliveries")
    header_icon = "link-external"
    index_url_name = "publishing_admin:deliveries"
    index_results_url_name = "publishing_admin:deliveries_results"
    filterset_class = DeliveryFilterSet
    any_permission_required = ["view"]
    list_export = [
        "page_title",
        "locale",
        "account",
        "status",
        "remote_url",
        "error_for_reader",
        "created_at",
    ]
    export_headings = {"error_for_reader": gettext_lazy("Error")}
    columns = [
        TitleColumn("page_title", label=gettext_lazy("Page"), get_url=page_edit_url),
        Column("locale", label=gettext_lazy("Language")),
        Column("account", label=gettext_lazy("Account")),
        Column("get_status_display", label=gettext_lazy("Status")),
        Column("attempts", label=gettext_lazy("Attempts")),
        PostLinkColumn("remote_url", label=gettext_lazy("Post")),
        Column("error_for_reader", label=gettext_lazy("Error")),
        DateColumn("created_at", label=gettext_lazy("Recorded")),
    ]

    def get_queryset(self):
        return Delivery.objects.select_related("locale", "account")

    @property
    def permission_policy(self):
        return ModelPermissionPolicy(Delivery)


# -- actions from the page editor's panel -----------------------------------------------
def _delivery_for_action(request, delivery_id: int) -> Delivery:
    delivery = get_object_or_404(Delivery, pk=delivery_id)
    _check_page_permission(request, delivery.page_id)
    return delivery


def _check_page_permission(request, page_id: int | None) -> Page:
    page = get_object_or_404(Page, pk=page_id)
    if not may_act_on_deliveries(request.user, page):
        raise PermissionDenied
    return page


def _back(request, page_id):
    """Where the action was taken from (the Sharing tab of any language, the "What went
    out" page), else the Sharing tab of the delivery's own page."""
    return redirect(
        get_valid_next_url_from_request(request)
        or reverse("wagtailadmin_pages:edit", args=[page_id]) + "#tab-sharing"
    )


@require_POST
def retry_delivery(request, delivery_id: int):
    delivery = _delivery_for_action(request, delivery_id)
    if actions.retry(delivery.pk, user=request.user):
        messages.success(
            request,
            _("The post to %(account)s will be sent again.") % {"account": delivery.account},
        )
    else:
        messages.warning(request, _("This delivery cannot be retried in its current state."))
    return _back(request, delivery.page_id)


# The panel's buttons each post a small form of their own, built by the panel's script
# (the page editor's form cannot hold another); each field name carries the delivery id.
@require_POST
def mark_delivery_posted(request, delivery_id: int):
    delivery = _delivery_for_action(request, delivery_id)
    # The address as typed must be http(s): URLField would make "//host/x" into https://….
    typed = request.POST.get(f"posted_url_{delivery_id}", "").strip()
    field = forms.URLField(required=False, max_length=500, assume_scheme="https")
    try:
        validate_http_url(typed)
        url = field.clean(typed)
    except forms.ValidationError:
        messages.error(request, _("Enter the post's full address, or leave it empty."))
        return _back(request, delivery.page_id)
    if actions.mark_as_posted(delivery.pk, url=url, user=request.user):
        messages.success(request, _("Marked as posted."))
    else:
        messages.warning(request, _("This delivery cannot be marked as posted in its state."))
    return _back(request, delivery.page_id)


class PostAgainForm(forms.Form):
    post_again_reason = forms.CharField(max_length=500, strip=True)


@require_POST
def post_again(request, page_id: int):
    _check_page_permission(request, page_id)
    # The field carries the page id: one panel offers it for each language.
    reason = request.POST.get(f"post_again_reason_{page_id}", request.POST.get("post_again_reason"))
    form = PostAgainForm({"post_again_reason": reason})
    if not form.is_valid():
        messages.error(request, _("Say why the letter is posted again."))
        return _back(request, page_id)
    try:
        created = actions.post_again(
            page_id, reason=form.cleaned_data["post_again_reason"], user=request.user
        )
    except actions.PostAgainRefused as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(
            request,
            _("The letter will be posted again to %(count)s account(s).") % {"count": len(created)},
        )
    return _back(request, page_id)


class WhatWentOutView(WagtailAdminTemplateMixin, TemplateView):
    """What went out where in every language of a letter, with the same actions as the
    Sharing tab: reached from any language's editor (wagtail-localize's translation editor
    has no tabs), the page listing and the page's status panel."""

    template_name = "publishing/admin/what_went_out.html"
    page_title = gettext_lazy("What went out")
    header_icon = "link-external"

    def dispatch(self, request, page_id: int):
        self.page = get_object_or_404(Page.objects.select_related("locale"), pk=page_id)
        if not may_see_deliveries(request.user, self.page):
            raise PermissionDenied
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.get_admin_display_title(),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            letter=self.page,
            every_language=deliveries_by_language(self.page, self.request.user),
            next_url=self.request.get_full_path(),
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
            **delivery_actions_context(),
        )
        return context


# -- an account added after a launch ------------------------------------------------------
class PostLatestLetterView(WagtailAdminTemplateMixin, TemplateView):
    """Offer, then do, `actions.post_latest_letter` for one account: a person decides."""

    template_name = "publishing/admin/post_latest_letter.html"
    page_title = gettext_lazy("Post the latest letter")
    header_icon = "link-external"

    def dispatch(self, request, account_id: int):
        self.account = get_object_or_404(SocialAccount, pk=account_id)
        if not request.user.has_perm("publishing.change_socialaccount"):
            raise PermissionDenied
        self.launches = [
            launch
            for launch in actions.latest_launches(self.account)
            if may_act_on_deliveries(request.user, launch.page)
        ]
        return super().dispatch(request, account_id)

    def get_page_subtitle(self):
        return self.account.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            account=self.account,
            launches=self.launches,
            back_url=reverse("social_accounts:index"),
        )
        return context

    def post(self, request, account_id: int):
        if len(self.launches) != len(actions.latest_launches(self.account)):
            raise PermissionDenied  # a letter this person may not publish
        created = actions.post_latest_letter(self.account.pk, user=request.user)
        if created:
            messages.success(
                request,
                _("The latest letter will be posted to %(account)s.") % {"account": self.account},
            )
        else:
            messages.warning(request, _("There was nothing to post to this account."))
        return redirect("social_accounts:index")
