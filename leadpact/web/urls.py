from django.contrib.auth import views as auth_views
from django.urls import path

from leadpact.web.views import actions, admin, advice, agreement, board, inbox, leads, marketing, me, reports

app_name = "web"
urlpatterns = [
    path("", inbox.home, name="home"),
    path("inbox", inbox.inbox, name="inbox"),
    path("leads", leads.lead_list, name="leads"),
    path("leads/<int:lead_id>", leads.lead_page, name="lead"),
    path("leads/<int:lead_id>/accept", actions.accept, name="accept"),
    path("leads/<int:lead_id>/reject", actions.reject, name="reject"),
    path("leads/<int:lead_id>/attempt", actions.attempt, name="attempt"),
    path("leads/<int:lead_id>/recycle", actions.recycle, name="recycle"),
    path("leads/<int:lead_id>/close", actions.close, name="close"),
    path("leads/<int:lead_id>/reassign", actions.reassign, name="reassign"),
    path("board", board.board, name="board"),
    path("marketing", marketing.marketing, name="marketing"),
    path("advice", advice.advice_page, name="advice"),
    path("advice/train", advice.advice_retrain, name="advice-train"),
    path("reports", reports.report_page, name="reports"),
    path("reports/<str:name>.csv", reports.report_csv, name="report-csv"),
    path("reports/<str:name>", reports.report_page, name="report"),
    path("pact", agreement.pact_home, name="pact"),
    path("pact/versions/<int:number>", agreement.version_page, name="pact-version"),
    path("pact/versions/<int:number>/sign", agreement.sign, name="pact-sign"),
    path("pact/versions/<int:number>/backtest", agreement.backtest_page, name="pact-backtest"),
    path("pact/diff", agreement.diff_page, name="pact-diff"),
    path("pact/propose", agreement.propose, name="pact-propose"),
    path("admin", admin.admin_home, name="admin"),
    path("admin/people", admin.person_add, name="admin-people"),
    path("admin/people/<int:user_id>", admin.person_change, name="admin-person"),
    path("admin/away", admin.away_add, name="admin-away"),
    path("admin/channels", admin.channel_add, name="admin-channels"),
    path("admin/channels/<int:endpoint_id>/off", admin.channel_off, name="admin-channel-off"),
    path("admin/outbox/<int:message_id>/retry", admin.message_resend, name="admin-resend"),
    path("me", me.me, name="me"),
    path("login", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
]
