"""A small recorded history the report tests read: five leads over December 2026 and January 2027."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from leadpact.handoff.tests.helpers import FORM, actor, ny

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def history(arrive):
    """won: demo, accepted, contacted at once, won. rejected: refused as not our ICP. returning: answered late, handed
    back, qualified again in January and accepted. lost: a January demo lost on price. download: never an MQL."""
    from leadpact.handoff.services import (
        attempt_log,
        lead_accept,
        lead_close,
        lead_recycle,
        lead_reject,
    )
    from leadpact.leads.engagement import signals_record
    from leadpact.leads.models import Lead
    from leadpact.worker.loop import run_pass

    def rep_of(lead: Lead):
        return actor(lead.owner.email)

    won = arrive(ny(2026, 12, 1, 10), first_name="won")
    lead_accept(won.pk, actor=rep_of(won), now=ny(2026, 12, 1, 10, 30))
    attempt_log(won.pk, "phone", "connected", actor=rep_of(won), now=ny(2026, 12, 1, 11))
    lead_close(won.pk, "convert", actor=rep_of(won), now=ny(2026, 12, 2, 10))
    lead_close(won.pk, "win", actor=rep_of(won), now=ny(2026, 12, 10, 10))

    rejected = arrive(ny(2026, 12, 1, 11), first_name="rejected")
    lead_reject(rejected.pk, "not_our_icp", actor=rep_of(rejected), now=ny(2026, 12, 1, 11, 30))

    returning = arrive(ny(2026, 12, 1, 12), first_name="returning")
    first_owner = rep_of(returning)
    lead_accept(returning.pk, actor=first_owner, now=ny(2026, 12, 1, 12, 15))
    run_pass(ny(2026, 12, 1, 17))  # the 4-hour response deadline (16:00) has passed: a breach
    attempt_log(returning.pk, "phone", "connected", actor=first_owner, now=ny(2026, 12, 2, 9, 30))
    lead_recycle(returning.pk, "not_ready_yet", actor=first_owner, now=ny(2026, 12, 2, 10))
    signals_record([{"email": returning.email, "signal": s, "at": ny(2027, 1, 6, 9).isoformat()}
                    for s in ("webinar_attended", "pricing_page_view", "content_download")],
                   actor=FORM, now=ny(2027, 1, 6, 9))
    run_pass(ny(2027, 1, 6, 9))
    returning = Lead.objects.select_related("owner").get(pk=returning.pk)
    lead_accept(returning.pk, actor=rep_of(returning), now=ny(2027, 1, 6, 10))

    lost = arrive(ny(2027, 1, 5, 10), first_name="lost")
    lead_accept(lost.pk, actor=rep_of(lost), now=ny(2027, 1, 5, 10, 5))
    attempt_log(lost.pk, "email", "email_sent", actor=rep_of(lost), now=ny(2027, 1, 5, 11))
    attempt_log(lost.pk, "phone", "meeting_booked", actor=rep_of(lost), now=ny(2027, 1, 6, 11))
    lead_close(lost.pk, "convert", actor=rep_of(lost), now=ny(2027, 1, 7, 10))
    lead_close(lost.pk, "lose", "price", actor=rep_of(lost), now=ny(2027, 1, 20, 10))

    download = arrive(ny(2026, 12, 2, 9), first_name="download", lead_type="content_download", title="Analyst")
    return SimpleNamespace(**{lead.first_name: Lead.objects.get(pk=lead.pk)
                              for lead in (won, rejected, returning, lost, download)})
