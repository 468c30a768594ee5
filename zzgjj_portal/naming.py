"""Chinese names in admin for what Django and third-party apps name in English.

Staff read Chinese. Two things reach admin in English whatever the language:
the model names django-otp and django-simple-captcha give without a
translation (「TOTP devices」), and the names Django gives the default
permissions, made once as 'Can add <model>' and never translated (the
user and group pages list them all). The first are renamed when the apps
are ready, the second after every `migrate` (post_migrate), so permissions
of a model added tomorrow get Chinese names too.
"""

from django.db import DEFAULT_DB_ALIAS

# The center's name as its documents carry it: the Excel files' title line
# (inquiry.exports) and the signer of certificate PDFs (zzgjj_portal.signing).
CENTER_NAME = "枣庄市住房公积金管理中心"

# (app label, model name) -> Chinese verbose name (singular and plural alike).
MODEL_NAMES = {
    ("otp_totp", "totpdevice"): "动态口令设备",
    ("captcha", "captchastore"): "图形验证码",
}
ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def model_names_in_chinese(apps) -> None:
    """Give the models of MODEL_NAMES their Chinese names. Only the runtime
    names change, not `original_attrs`, which migrations compare: no
    migration is asked of the third-party apps."""
    for (app_label, model_name), name in MODEL_NAMES.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = name


def permission_name(codename: str, model) -> str | None:
    """The Chinese name of one of `model`'s permissions: its own label for a
    custom permission (Meta.permissions), 「可查看缴存职工」 for a default one."""
    custom = dict(model._meta.permissions)
    if codename in custom:
        return str(custom[codename])
    action, _, model_name = codename.partition("_")
    if action in ACTIONS and model_name == model._meta.model_name:
        return f"可{ACTIONS[action]}{model._meta.verbose_name}"[:255]
    return None


def permissions_name_in_chinese(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: rename the permissions of `sender`'s models (made just
    before by django.contrib.auth's receiver, or long ago) in Chinese."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    models = list(sender.get_models())
    if not models:
        return
    types = ContentType.objects.db_manager(using).get_for_models(*models, for_concrete_models=False)
    by_type = {content_type.pk: model for model, content_type in types.items()}
    changed = []
    for permission in Permission.objects.using(using).filter(content_type__in=by_type):
        name = permission_name(permission.codename, by_type[permission.content_type_id])
        if name and permission.name != name:
            permission.name = name
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
