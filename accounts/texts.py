"""Every message the accounts pages show, written once (Chinese, the manual's words)."""
# ruff: noqa: S105 - message texts about passwords, not passwords

from django.conf import settings

# Lengths quoted by the messages come from the settings the rules use.
_SMS_CODE_LENGTH = settings.ACCOUNTS_SMS_CODE_LENGTH
_PASSWORD_MIN_LENGTH = settings.ACCOUNTS_PASSWORD_MIN_LENGTH

# 注册 / 忘记密码, step 1 (信息校验)
IDENTITY_MISMATCH = "姓名与身份证号不匹配,请核对后重新输入"
CLOSED_NO_REGISTER = "职工状态为销户状态的不允许注册"
CLOSED_NO_RESET = "职工状态为销户状态的不允许找回密码"
# Login: the same rule, in the manual's words for registration (its 注意 under 1.2).
CLOSED_NO_LOGIN = "职工状态为销户状态的不允许登录"
NO_PHONE = "您未在中心登记手机号码,需要到中心所属任一服务大厅登记手机号码"
ALREADY_REGISTERED = "您已注册过个人信息,可直接输入【身份证号/手机号】【用户密码】【验证码】后登录,不需要重复注册"
NOT_REGISTERED = "您尚未注册网上服务大厅,请先点击【注册】完成注册"
IDENTITY_TOO_MANY = "信息校验失败次数过多,请{minutes}分钟后再试"
FLOW_EXPIRED = "操作已超时,请重新进行信息校验"
REGISTERED_ELSEWHERE = "该职工已在其他页面完成注册,请直接登录"

# 短信校验
SMS_SENT = "验证码已发送至 {phone},{minutes}分钟内有效"
SMS_COOLDOWN = "验证码已发送,请{seconds}秒后再重新获取"
SMS_PHONE_HOURLY = "该手机号获取验证码过于频繁,请1小时后再试"
SMS_PHONE_DAILY = "该手机号今日获取验证码次数已达上限,请明天再试"
SMS_IP_LIMIT = "获取验证码过于频繁,请稍后再试"
# The body only: the signature (settings.SMS_SIGN) is added by accounts.sms.SmsMessage.
SMS_TEXT = "您的{purpose}验证码为{code},{minutes}分钟内有效。请勿泄露给他人。"
SMS_NONE = "请先点击【发送验证码】获取短信验证码"
SMS_WRONG = "短信验证码错误,还可输入{left}次"
SMS_DEAD = "短信验证码错误次数过多,已失效,请重新获取"
SMS_EXPIRED = "短信验证码已过期,请重新获取"
SMS_FORMAT = f"请输入{_SMS_CODE_LENGTH}位数字短信验证码"

# 密码
PASSWORD_MISMATCH = "两次输入的密码不一致"
PASSWORD_TOO_SHORT = f"密码长度不能少于{_PASSWORD_MIN_LENGTH}位"
PASSWORD_ONE_CLASS = "密码不能全部是同一类字符(如全是数字或全是字母)"
PASSWORD_LETTERS_DIGITS = "密码必须同时包含字母和数字"
PASSWORD_ID_NUMBER = "密码不能包含身份证号"
PASSWORD_PHONE = "密码不能包含手机号码"
PASSWORD_BIRTH_DATE = "密码不能包含出生日期"
PASSWORD_COMMON = "密码过于常见,容易被猜到,请换一个"
PASSWORD_RULES = (
    f"密码至少{_PASSWORD_MIN_LENGTH}位,须同时包含字母和数字,不能是身份证号、手机号码或出生日期,不能过于常见。"
)
OLD_PASSWORD_WRONG = "原密码错误"
PASSWORD_CHANGED = "密码修改成功"

# 登录保护与会话
INVALID_LOGIN = "身份证号/手机号或用户密码错误"
LOCKED = "账户已被临时锁定,请{minutes}分钟后再试"
IP_LOCKED = "登录失败次数过多,本机已被临时锁定,请{minutes}分钟后再试"
SESSION_IDLE = "您已{minutes}分钟未操作,为了您的账户安全,请重新登录"
SESSION_ABSOLUTE = "登录已超过{hours}小时,为了您的账户安全,请重新登录"

# 管理后台 (hall staff) login
STAFF_INVALID_LOGIN = "用户名、密码或动态口令错误"
STAFF_NO_DEVICE = "此工作人员账号尚未绑定动态口令,请联系系统管理员绑定后再登录"
STAFF_TOKEN_REQUIRED = "请输入6位动态口令"
# A code already used to log in (the same 30-second step): not a guess, never counted.
STAFF_TOKEN_USED = "此动态口令已使用过,请等待验证器显示新的动态口令后再登录"
# django-otp's growing wait after a wrong code or password: nothing is checked or counted.
STAFF_TOKEN_WAIT = "请 {seconds} 秒后再输入动态口令"
# A password that fails the staff rule (AUTH_PASSWORD_VALIDATORS), e.g. set by
# `createsuperuser --noinput`: admin opens only after it is changed.
STAFF_PASSWORD_WEAK = (
    "您的密码不符合工作人员密码规则(至少{min_length}位,不能全是数字,不能是常见密码,不能与用户名相近),"
    "请先修改密码,修改后才能使用管理后台"
)
