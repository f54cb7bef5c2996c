"""The admin's Connect pages: choose a network, start, come back, pick, saved.

    connect/                       the networks with a Connect button
    connect/<channel>/             name and languages (or ?account=ID to reconnect), then go
    connect/<channel>/callback/    where the network sends the editor back (the redirect URI)
    connect/pick/<key>/            choose the Facebook Page or LinkedIn organization

Users need "add social account" to connect a new one and "change social account" to
reconnect. Secrets typed here never reach an error report (sensitive_post_parameters).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from publishing.channels import get_channel_class
from publishing.models import SocialAccount
from publishing.social.credentials import CredentialsError

from . import connectable_channels, flow_for, pending
from .base import ConnectError, Connection, callback_url
from .save import store


def _may_connect(user, account: SocialAccount | None) -> bool:
    codename = "change_socialaccount" if account else "add_socialaccount"
    return user.has_perm(f"publishing.{codename}")


class ConnectStartForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    locales = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Languages"),
        queryset=Locale.objects.order_by("language_code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Letters published in these languages are posted to this account."),
    )

    def __init__(self, *args, flow, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.flow = flow
        self.account = account
        if account is not None:  # reconnecting keeps the name and languages
            del self.fields["name"]
            del self.fields["locales"]
        self.fields.update(flow.extra_fields())

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if SocialAccount.objects.filter(name=name).exists():
            raise ValidationError(_("An account with this name exists already."))
        return name

    @sensitive_variables()
    def clean(self):
        cleaned = super().clean()
        if self.errors or not hasattr(self.flow, "clean_extra"):
            return cleaned
        try:
            cleaned["extra"] = self.flow.clean_extra(cleaned)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class ConnectMixin(WagtailAdminTemplateMixin):
    header_icon = "link-external"

    def back_url(self) -> str:
        return reverse("social_accounts:index")


class ChooseNetworkView(ConnectMixin, TemplateView):
    template_name = "publishing/admin/connect_choose.html"
    page_title = gettext_lazy("Connect an account")

    def dispatch(self, request, *args, **kwargs):
        if not _may_connect(request.user, None):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["networks"] = [
            (channel, get_channel_class(channel).verbose_name) for channel in connectable_channels()
        ]
        context["back_url"] = self.back_url()
        return context


@method_decorator(sensitive_post_parameters(), name="dispatch")
class StartView(ConnectMixin, TemplateView):
    template_name = "publishing/admin/connect_start.html"

    def dispatch(self, request, channel: str):
        self.flow = flow_for(channel)
        if self.flow is None:
            raise Http404
        self.channel = channel
        self.account = None
        account_id = request.GET.get("account") or request.POST.get("account")
        if account_id:
            self.account = get_object_or_404(SocialAccount, pk=account_id, channel=channel)
        if not _may_connect(request.user, self.account):
            raise PermissionDenied
        return super().dispatch(request, channel)

    def get_page_title(self):
        network = get_channel_class(self.channel).verbose_name
        if self.account:
            return _("Reconnect %(account)s") % {"account": self.account.name}
        return _("Connect %(network)s") % {"network": network}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or ConnectStartForm(flow=self.flow, account=self.account),
            account=self.account,
            channel=self.channel,
            back_url=self.back_url(),
        )
        return context

    @sensitive_variables()
    def post(self, request, channel: str):
        form = ConnectStartForm(request.POST, flow=self.flow, account=self.account)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        extra = form.cleaned_data.get("extra", {})
        target = {
            "channel": channel,
            "account": self.account.pk if self.account else None,
            "name": form.cleaned_data.get("name", ""),
            "locales": [locale.pk for locale in form.cleaned_data.get("locales", [])],
        }
        try:
            if self.flow.kind == "password":
                connection = self.flow.finish(callback_url="", pending=extra, params={})
                return _save(request, target, connection)
            url, kept = self.flow.start(callback_url=callback_url(channel), data=extra)
        except ConnectError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        pending.keep(request.session, kept["state"], {**kept, "target": target})
        return redirect(url)


@sensitive_variables()
def callback(request, channel: str):
    """The network sends the editor back here with a code (or a refusal) and our state."""
    flow = flow_for(channel)
    if flow is None:
        raise Http404
    params = request.GET.dict()
    kept = pending.take(request.session, flow.state_of(params))
    if kept is None or kept["target"]["channel"] != channel:
        messages.error(
            request,
            _(
                "This sign-in was not started here, was used already or is too old. "
                "Nothing was connected: start again."
            ),
        )
        return redirect("social_accounts:index")
    target = kept.pop("target")
    account = _target_account(target)
    if not _may_connect(request.user, account):
        raise PermissionDenied
    try:
        connection = flow.finish(callback_url=callback_url(channel), pending=kept, params=params)
    except ConnectError as error:
        messages.error(request, error.message)
        return redirect("social_accounts:index")
    if connection.choices:
        key = pending.new_state()
        pending.keep(request.session, key, {"target": target, **connection.to_pending()})
        return redirect("publishing_admin:connect_pick", key=key)
    return _save(request, target, connection)


class PickForm(forms.Form):
    choice = forms.ChoiceField(widget=forms.RadioSelect)


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PickView(ConnectMixin, TemplateView):
    """The editor picks the Page or organization the account posts as."""

    template_name = "publishing/admin/connect_pick.html"
    page_title = gettext_lazy("Choose what to post as")

    def dispatch(self, request, key: str):
        self.key = key
        self.kept = pending.peek(request.session, key)
        if self.kept is None:
            messages.error(
                request, _("This choice is too old. Nothing was connected: start again.")
            )
            return redirect("social_accounts:index")
        self.account = _target_account(self.kept["target"])
        if not _may_connect(request.user, self.account):
            raise PermissionDenied
        self.choices = Connection.choices_from_pending(self.kept)
        return super().dispatch(request, key)

    def form(self, data=None) -> PickForm:
        form = PickForm(data)
        form.fields["choice"].choices = [
            (choice.id, choice.label) for choice in self.choices if not choice.problem
        ]
        return form

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or self.form(),
            unusable=[choice for choice in self.choices if choice.problem],
            back_url=self.back_url(),
        )
        return context

    @sensitive_variables()
    def post(self, request, key: str):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if pending.take(request.session, key) is None:  # single use: a second click finds none
            return redirect("social_accounts:index")
        chosen = next(choice for choice in self.choices if choice.id == form.cleaned_data["choice"])
        connection = Connection(
            credentials=chosen.credentials,
            verified_as=chosen.verified_as,
            base_url=self.kept.get("base_url", ""),
            expires_at=chosen.expires_at,
        )
        return _save(request, self.kept["target"], connection)


def _target_account(target: dict) -> SocialAccount | None:
    if not target.get("account"):
        return None
    return get_object_or_404(SocialAccount, pk=target["account"], channel=target["channel"])


@sensitive_variables()
def _save(request, target: dict, connection: Connection):
    account = _target_account(target)
    if account is None and SocialAccount.objects.filter(name=target["name"]).exists():
        messages.error(request, _("An account with this name exists already."))
        return redirect("social_accounts:index")
    try:
        account = store(
            channel=target["channel"],
            credentials=connection.credentials,
            verified_as=connection.verified_as,
            base_url=connection.base_url,
            expires_at=connection.expires_at,
            state=connection.state,
            account=account,
            name=target["name"],
            locale_ids=None if account else target["locales"],
        )
    except CredentialsError as error:
        messages.error(
            request,
            _("The credentials cannot be stored: %(error)s Ask the site's operator.")
            % {"error": error},
        )
        return redirect("social_accounts:index")
    messages.success(
        request,
        _("%(account)s is connected and posts as %(who)s.")
        % {"account": account.name, "who": account.verified_as or _("(unknown)")},
    )
    return redirect("social_accounts:index")
