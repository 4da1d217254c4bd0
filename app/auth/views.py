"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, after_this_request, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import devices, services, throttle
from app.auth.forms import LoginForm
from app.auth.permissions import public, require_role
from app.core.redirects import safe_next
from app.extensions import db

bp = Blueprint("auth", __name__, template_folder="templates")


def checked_login(username: str, password: str):
    """The user when the password is right, None when it is not; LoginThrottled (429) when a
    login limit has run out (app/auth/throttle.py). A successful login marks this browser as a
    known device for the account (app/auth/devices.py)."""
    name = str(username or "").strip().lower()[:80]
    account = services.find_user(name)
    attempt = throttle.Attempt(username=name, address=request.remote_addr or "unknown",
                               device=devices.known_device(name, account, request.cookies))
    throttle.check(attempt)
    user = services.authenticate(name, password)
    if user is None:
        if throttle.failed(attempt, user_id=account.id if account is not None else None):
            db.session.commit()  # the lock-out's audit row outlives the refused login
        return None
    throttle.succeeded(attempt)
    cookie = devices.cookie_after_login(name, request.cookies)

    @after_this_request
    def _remember_device(response):
        devices.set_cookie(response, cookie)
        return response

    return user


def begin_login(user) -> None:
    """Start a server-side session for `user` and put its token in the cookie."""
    services.start_session(user, ip=request.remote_addr,
                           user_agent=request.headers.get("User-Agent"))
    session.clear()
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = checked_login(form.username.data, form.password.data)
        except throttle.LoginThrottled as e:
            flash(_("尝试次数过多，请 %(n)s 分钟后再试", n=max(1, (e.retry_after + 59) // 60)), "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(e.retry_after)}
        if user is None:
            flash(_("用户名或密码错误，或账号已停用"), "error")
            return render_template("auth/login.html", form=form), 401
        lang = session.get("lang")
        begin_login(user)
        if lang:
            session["lang"] = lang
        db.session.commit()
        return redirect(safe_next(form.next.data))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("core.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@require_role("admin", "federation", "manager", "cashier", "donor")
def logout():
    services.end_session(current_user.session_token)
    db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))
