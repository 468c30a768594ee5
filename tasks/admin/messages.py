"""Hall staff's side of messages: write to one member, broadcast to many,
see every message (deleted ones too, with when), and the channels' push tokens."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from inquiry.models import AccountStatus, Member
from tasks import services
from tasks.models import Broadcast, ChannelToken, Message
from tasks.selectors.messages import MAX_ID
from zzgjj_portal.admin import LargeTableAdminMixin
from zzgjj_portal.masking import mask_id_number

BROADCAST_SENT = "消息“{business}”已开始发送给{count}位缴存职工,发送进度见下表。"
BROADCAST_PROGRESS = "发送中 {done} / {total}"
BROADCAST_DONE = "已完成,共{count}人"
BROADCAST_EMPLOYER_HELP = "发送对象为“指定单位的缴存职工”时选择。"
BROADCAST_STATUS_HELP = "发送对象为“指定账户状态的缴存职工”时选择。"
# Staff pick among existing records here; adding or editing a member or an
# employer from a message form (the related-object icons) is not for this page.
NO_RELATED_LINKS = {"can_add_related": False, "can_change_related": False, "can_delete_related": False}
TOKEN_REVOKED = "已吊销{count}个渠道令牌。"  # noqa: S105 - a notice, not a secret
MEMBER_HELP = "按姓名、身份证号或手机号查找(号码须输入完整)。"
TOKEN_CHANNEL_REQUIRED = "消息推送令牌须选择推送渠道。"  # noqa: S105 - a message, not a secret
TOKEN_CHANNEL_FOR_CORE = "业务系统令牌不属于任何推送渠道,推送渠道请留空。"  # noqa: S105 - a message, not a secret
TOKEN_CHANNEL_HELP = "用途为“消息推送”时必选;“业务系统”令牌(发件箱接口)不选。"  # noqa: S105 - a help text


def member_label(member: Member) -> str:
    """Name and masked ID number: two members can share a name, and the full
    number is not needed to tell them apart on screen."""
    return f"{member.name}({mask_id_number(member.id_number)})"


class MemberAutocompleteView(AutocompleteJsonView):
    """admin's member autocomplete, labelled with member_label. The search
    itself is MemberAdmin's: name contains, ID number and phone exact."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": member_label(obj)}


class MemberAutocompleteSelect(AutocompleteSelect):
    def get_url(self):
        return reverse("admin:tasks_message_member_autocomplete")

    def optgroups(self, name, value, attr=None):
        # Redisplaying a refused form looks the posted ids up; Django's widget
        # would pass "abc" to an integer filter and fail with a 500.
        value = [v for v in value if str(v).isascii() and str(v).isdigit() and int(v) <= MAX_ID]
        return super().optgroups(name, value, attr)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return member_label(obj)


@admin.register(Message)
class MessageAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    """Every message, deleted ones too. A large table (one row per message a
    member ever got): bounded count, newest first, exact indexed search."""

    list_display = ("sent_at", "member_display", "business", "channel", "read_at", "deleted_at")
    list_filter = ("channel", ("read_at", admin.EmptyFieldListFilter), ("deleted_at", admin.EmptyFieldListFilter))
    indexed_search_fields = ("member__id_number", "member__phone")
    list_select_related = ("member",)

    @admin.display(description="缴存职工", ordering="member__name")
    def member_display(self, obj):
        return member_label(obj.member)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            # A non-integer or unknown id is this field's "选择一个有效的选项" error, never a 500.
            return MemberChoiceField(
                queryset=Member.objects.all(),
                label=db_field.verbose_name,
                widget=MemberAutocompleteSelect(db_field, self.admin_site),
                help_text=MEMBER_HELP,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "member" and field is not None:
            for flag, value in NO_RELATED_LINKS.items():
                setattr(field.widget, flag, value)
        return field

    def add_view(self, request, form_url="", extra_context=None):
        # A sent message is never edited, so "保存并继续编辑" would lead nowhere useful.
        extra = {"show_save_and_continue": False, **(extra_context or {})}
        return super().add_view(request, form_url, extra)

    def get_readonly_fields(self, request, obj=None):
        # A message once sent is what the member was told: it is never edited.
        if obj is not None:
            return (
                "member_display",
                "business",
                "content",
                "channel",
                "sent_at",
                "read_at",
                "deleted_at",
                "idempotency_key",
            )
        return ()

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.get_readonly_fields(request, obj)
        return ("member", "business", "content", "channel")

    def has_change_permission(self, request, obj=None):
        # A sent message is shown, never edited (the page has no save button).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # The center keeps every message it sent; members delete softly.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            sent = services.message_send(
                member=form.cleaned_data["member"],
                business=form.cleaned_data["business"],
                content=form.cleaned_data["content"],
                channel=form.cleaned_data["channel"],
            )
            # The admin's add view continues with `obj` (log entry, redirect).
            obj.pk, obj.sent_at = sent.pk, sent.sent_at

    def get_urls(self):
        autocomplete = self.admin_site.admin_view(MemberAutocompleteView.as_view(admin_site=self.admin_site))
        return [
            path("member-autocomplete/", autocomplete, name="tasks_message_member_autocomplete")
        ] + super().get_urls()


class BroadcastForm(forms.ModelForm):
    account_status = forms.ChoiceField(
        label="个人账户状态",
        choices=[("", "---------"), *AccountStatus.choices],
        required=False,
        help_text=BROADCAST_STATUS_HELP,
    )

    class Meta:
        model = Broadcast
        fields = ("audience", "employer", "account_status", "business", "content")

    # Where the service's refusal is shown: on the field the staff member left empty.
    REFUSAL_FIELDS = {"employer_required": "employer", "status_required": "account_status"}

    def clean(self):
        data = super().clean()
        if "audience" not in data:
            return data  # the field's own error is shown
        # The rule is the service's (it refuses whoever calls it); asking it
        # here only puts its message next to the field before anything is sent.
        refusal = services.broadcast_audience_refusal(
            audience=data["audience"], employer=data.get("employer"), account_status=data.get("account_status") or ""
        )
        if refusal is not None:
            self.add_error(self.REFUSAL_FIELDS.get(refusal.code, "audience"), refusal.message)
        return data


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    """群发消息: the add page sends; what was sent is then read-only."""

    form = BroadcastForm
    list_display = ("sent_at", "business", "audience", "audience_detail", "progress", "sent_by")
    list_filter = ("audience",)
    list_select_related = ("sent_by", "employer")
    autocomplete_fields = ("employer",)
    show_full_result_count = False

    @admin.display(description="单位 / 账户状态")
    def audience_detail(self, obj):
        if obj.audience == Broadcast.Audience.EMPLOYER and obj.employer:
            return obj.employer.name
        if obj.audience == Broadcast.Audience.STATUS:
            return AccountStatus(obj.account_status).label if obj.account_status in AccountStatus.values else "-"
        return "-"

    @admin.display(description="发送进度")
    def progress(self, obj):
        # The fan-out runs in a job: staff see it move (N of M), then 已完成.
        if obj.finished_at is not None:
            return BROADCAST_DONE.format(count=obj.delivered_count)
        return BROADCAST_PROGRESS.format(done=obj.delivered_count, total=obj.recipient_count)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ("sent_at", "sent_by", "audience", "audience_detail", "business", "content", "progress")
        return ("audience", "employer", "account_status", "business", "content")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        # Viewing needs view permission only; a sent broadcast is never edited.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "employer" and field is not None:
            for flag, value in NO_RELATED_LINKS.items():
                setattr(field.widget, flag, value)
            field.help_text = BROADCAST_EMPLOYER_HELP
        return field

    def add_view(self, request, form_url="", extra_context=None):
        # One button: a broadcast is sent once, then only looked at.
        extra = {"show_save_and_add_another": False, "show_save_and_continue": False, **(extra_context or {})}
        return super().add_view(request, form_url, extra)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        sent = services.broadcast_send(
            sent_by=request.user,
            business=data["business"],
            content=data["content"],
            audience=data["audience"],
            employer=data.get("employer"),
            account_status=data.get("account_status") or "",
        )
        obj.pk, obj.sent_at, obj.recipient_count = sent.pk, sent.sent_at, sent.recipient_count
        messages.success(request, BROADCAST_SENT.format(count=sent.recipient_count, business=sent.business))

    def response_add(self, request, obj, post_url_continue=None):
        # Back to the list of broadcasts, where the count just sent is shown.
        return HttpResponseRedirect(reverse("admin:tasks_broadcast_changelist"))


class ChannelTokenForm(forms.ModelForm):
    """A token's use (kind) and, for a push token, its channel: a push token
    opens only POST /api/messages/ for that channel, a core token only /api/core/."""

    class Meta:
        model = ChannelToken
        fields = ("kind", "channel", "name")
        help_texts = {"channel": TOKEN_CHANNEL_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:  # not on the change page, where kind and channel are read-only
            # Left out (a script written before the core API), it is a push token, as then.
            self.fields["kind"].required = False

    def clean(self):
        data = super().clean()
        if "kind" not in self.fields:
            return data
        data["kind"] = data.get("kind") or ChannelToken.Kind.PUSH
        kind, channel = data["kind"], data.get("channel")
        if kind == ChannelToken.Kind.PUSH and not channel:
            self.add_error("channel", TOKEN_CHANNEL_REQUIRED)
        elif kind == ChannelToken.Kind.CORE and channel:
            self.add_error("channel", TOKEN_CHANNEL_FOR_CORE)
        return data


class RevokedFilter(admin.SimpleListFilter):
    """吊销: in words (Django's empty-field filter says 空 / 非空 of 吊销时间)."""

    title = "是否吊销"
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", "未吊销"), ("yes", "已吊销")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


@admin.register(ChannelToken)
class ChannelTokenAdmin(admin.ModelAdmin):
    """Staff create a token (a channel's push token or the core system's), shown
    once, and revoke it; only its hash is kept."""

    form = ChannelTokenForm
    list_display = ("name", "kind", "channel", "created_at", "created_by", "revoked_at")
    list_filter = ("kind", "channel", RevokedFilter)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ("kind", "channel", "name", "created_at", "created_by", "revoked_at")
        return ("kind", "channel", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "channel", "created_at", "created_by", "revoked_at") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # Kept (revoked) so that who pushed what stays traceable.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        token, plain = services.channel_token_create(
            kind=form.cleaned_data["kind"],
            channel=form.cleaned_data["channel"],
            name=form.cleaned_data["name"],
            created_by=request.user,
        )
        obj.pk, obj.created_at = token.pk, token.created_at
        # Kept on the request only for response_add: the plain token is
        # rendered once and never stored (not in a session or message cookie).
        request._channel_token_plain = plain

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "admin/tasks/channeltoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "plain": request._channel_token_plain,
                "title": "渠道令牌已创建",
            },
        )

    @admin.action(description="吊销所选渠道令牌", permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(services.channel_token_revoke(token=token) for token in queryset)
        self.message_user(request, TOKEN_REVOKED.format(count=count))
