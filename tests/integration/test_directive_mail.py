"""The reminder digest carries the directive's .docx draft when the organisation asks for it."""

from __future__ import annotations

import email
import functools
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from calendar_svc.catalog import load_bundled, load_scopes
from calendar_svc.core.directive_settings import DirectiveSettings
from calendar_svc.core.recipients import Organisation, ReminderKey, ReminderKind, Subscriber
from calendar_svc.mail.content import DOCX_TYPE, Composer, MailSettings, Outgoing
from calendar_svc.mail.message import message_id_for
from calendar_svc.services.directive import draft_directive
from calendar_svc.store.memory import MemoryReader

CAM_PHA = Organisation("cam-pha", "Ban Tuyên giáo Thành ủy Cẩm Phả", "city:cam-pha")
MEMBER = Subscriber("can-bo@example.org", "Cán bộ", organisation="cam-pha")
DIGEST = ReminderKey(ReminderKind.DIGEST, "cam-pha", date(2023, 2, 1), 10, MEMBER.email)
NOW = datetime(2023, 1, 23, 1, 0, tzinfo=UTC)
ITEM_9 = [
    "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
    "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
    "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
]


def composer(org: Organisation) -> Composer:
    mail = MailSettings.from_values(
        smtp_from="Lịch kỷ niệm <nhac-lich@example.org>",
        base_url="https://lich.example.org",
        unsubscribe_mailto="",
        tz=ZoneInfo("Asia/Ho_Chi_Minh"),
        secret="test-secret",
        uid_domain="lich.example.org",
    )
    anniversaries, scopes = load_bundled(), load_scopes()
    return Composer(
        mail,
        anniversaries=anniversaries,
        revision=datetime(2023, 1, 1, tzinfo=UTC),
        scopes=scopes,
        organisations={org.id: org},
        draft=functools.partial(draft_directive, MemoryReader(anniversaries), scopes),
    )


def message(org: Organisation, key: ReminderKey = DIGEST) -> EmailMessage:
    out = composer(org).compose(1, key, message_id_for(key, "example.org"), MEMBER, NOW)
    assert isinstance(out, Outgoing), out
    msg = email.message_from_bytes(out.data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_the_digest_attaches_the_draft_when_asked() -> None:
    org = replace(CAM_PHA, directive=DirectiveSettings(attach_docx=True))
    _, ics, docx = message(org).iter_parts()
    assert ics.get_content_type() == "text/calendar"
    assert docx.get_content_type() == DOCX_TYPE
    assert docx.get_filename() == "directive-2023-02-cam-pha.docx"
    assert docx.get_content_disposition() == "attachment"
    assert docx.get_param("charset") is None
    draft = Document(io.BytesIO(docx.get_content()))
    header = draft.tables[0]
    date_line = next(p.text for p in header.rows[1].cells[1].paragraphs if p.text)
    assert date_line == "Cẩm Phả, ngày 02 tháng 02 năm 2023"  # the due date (day 2)
    item = next(p.text for p in draft.paragraphs if p.text.startswith("7. "))
    positions = [item.index(entry) for entry in ITEM_9]
    assert positions == sorted(positions)


def test_without_the_setting_only_the_calendar_is_attached() -> None:
    assert [p.get_content_type() for p in message(CAM_PHA).iter_parts()] == [
        "multipart/alternative",
        "text/calendar",
    ]


def test_event_reminders_never_carry_the_draft() -> None:
    org = replace(CAM_PHA, directive=DirectiveSettings(attach_docx=True))
    key = ReminderKey(ReminderKind.EVENT, "sinh-huynh-tan-phat", date(2023, 2, 15), 10, "a@b.c")
    assert composer(org).directive_attachments(key) == ()


def test_the_draft_is_built_once_per_organisation_and_month() -> None:
    org = replace(CAM_PHA, directive=DirectiveSettings(attach_docx=True))
    built = composer(org)
    first = built.directive_attachments(DIGEST)
    assert built.directive_attachments(replace(DIGEST, lead=3)) is not None
    assert built.directive_attachments(replace(DIGEST, lead=3))[0] is first[0]


def test_a_broken_organisation_template_fails_the_message_with_its_reason(
    tmp_path: Path,
) -> None:
    (tmp_path / "document.docx.j2").write_text("{% block party %}x{% endblock %}", "utf-8")
    settings = DirectiveSettings(attach_docx=True, templates=str(tmp_path))
    org = replace(CAM_PHA, directive=settings)
    with pytest.raises(ValueError, match=r"directive draft of 'cam-pha': .*missing blocks"):
        composer(org).compose(1, DIGEST, message_id_for(DIGEST, "example.org"), MEMBER, NOW)
