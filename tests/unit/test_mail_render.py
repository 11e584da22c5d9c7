"""Rendering and building reminder e-mails: templates, headers, MIME, tokens. No network."""

from __future__ import annotations

import email
from datetime import date, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.recipients import Organisation, ReminderKey, ReminderKind
from calendar_svc.core.schedule import build_digest
from calendar_svc.mail.message import (
    Attachment,
    Envelope,
    HeaderInjectionError,
    build_message,
    domain_of,
    encode_text,
    message_id_for,
)
from calendar_svc.mail.render import digest_context, event_context, prototype, render
from calendar_svc.mail.tokens import make_token, read_token
from helpers import make

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PARTY = make(
    "thanh-lap-dang",
    "1930-02-03",
    category="ngay-le-lon",
    name_vi="Ngày thành lập Đảng Cộng sản Việt Nam",
)
HTP = make(
    "sinh-huynh-tan-phat",
    "1913-02-15",
    category="ngay-sinh-lanh-dao",
    name_vi="Ngày sinh đồng chí Huỳnh Tấn Phát",
)
CHM = make(
    "sinh-chu-huy-man",
    "1913-03-17",
    category="ngay-sinh-lanh-dao",
    name_vi="Ngày sinh đồng chí Chu Huy Mân",
)
QN = Organisation(
    "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
)
KEY = ReminderKey(ReminderKind.DIGEST, "quang-ninh", date(2023, 3, 1), 10, "can-bo@example.org")
URL = "https://lich.example.org/unsubscribe?t=abc.def"
ICS = b"BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


def digest(month: int = 2):  # type: ignore[no-untyped-def]
    occs = occurrences([PARTY, HTP, CHM], date(2023, month, 1), date(2024, month, 28))
    return build_digest(QN, 2023, month, occs, lineage=("province:quang-ninh", "national"))


def shared(lang: str = "vi", month: int = 2) -> dict:  # type: ignore[type-arg]
    return digest_context(
        digest(month),
        days_left=10,
        lang=lang,
        month_url="https://lich.example.org/month/2023-02",
        sender_name="Lịch kỷ niệm",
    )


def envelope(**fields: object) -> Envelope:
    values: dict[str, object] = {
        "from_name": "Lịch kỷ niệm",
        "from_addr": "nhac-lich@example.org",
        "to_name": "Cán bộ",
        "to_addr": "can-bo@example.org",
        "subject": "[Nhắc lịch] Định hướng tuyên truyền tháng 03/2023 — hạn 02/03/2023",
        "date": datetime(2023, 2, 20, 8, 0, tzinfo=HCM),
        "message_id": message_id_for(KEY, "example.org"),
        "unsubscribe_url": URL,
        "unsubscribe_mailto": "mailto:nhac-lich@example.org?subject=unsubscribe%20abc.def",
        **fields,
    }
    return Envelope(**values)  # type: ignore[arg-type]


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def decoded(raw_header: str) -> str:
    return str(make_header(decode_header(raw_header)))


# --- templates ----------------------------------------------------------------------------


def test_vietnamese_digest_subject_and_text() -> None:
    out = render(shared(), name="Cán bộ", unsubscribe_url=URL)
    assert out.subject == "[Nhắc lịch] Định hướng tuyên truyền tháng 02/2023 — hạn 02/02/2023"
    assert out.text.startswith("Kính gửi Cán bộ,\n\nCòn 10 ngày đến hạn ban hành")
    assert (
        "- 03/02/2023 (âm lịch 13/1 Quý Mão): 93 năm Ngày thành lập Đảng Cộng sản Việt Nam "
        "(03/02/1930 - 03/02/2023) [năm khác]\n" in out.text
    )
    assert "[năm tròn]" in out.text  # 110 năm Huỳnh Tấn Phát
    assert (
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023); "
        "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)\n" in out.text
    )
    # Look-ahead: Chu Huy Mân, 110 năm in March 2023.
    assert (
        "- 17/03/2023: 110 năm Ngày sinh đồng chí Chu Huy Mân (17/03/1913 - 17/03/2023) [năm tròn; Kỷ niệm quy mô lớn]"
        in out.text
    )
    assert out.text.rstrip().endswith(f"Ngừng nhận thư nhắc: {URL}")
    nowrap = '<td style="white-space: nowrap;"'
    assert (
        f'{nowrap}>03/02/2023</td>{nowrap}>13/1 Quý Mão</td>{nowrap} align="right">93</td>'
        f"{nowrap}>năm khác</td><td>"
    ) in out.html


def test_english_digest() -> None:
    out = render(shared("en"), name="Officer", unsubscribe_url=URL)
    assert out.subject == "[Reminder] Information directive for 02/2023 — due 02/02/2023"
    assert out.text.startswith("Dear Officer,")
    assert "93rd anniversary of Event thanh-lap-dang (03/02/1930 - 03/02/2023)" in out.text
    assert "(lunar: 13th day of the 1st lunar month" in out.text


def test_html_is_escaped_and_text_is_not() -> None:
    out = render(shared(), name="<b>A & B</b>", unsubscribe_url=URL)
    assert "Kính gửi &lt;b&gt;A &amp; B&lt;/b&gt;," in out.html
    assert "<b>A & B</b>" not in out.html
    assert out.text.startswith("Kính gửi <b>A & B</b>,")


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    context = shared()
    del context["due"]
    with pytest.raises(jinja2.UndefinedError):
        render(context, name="A", unsubscribe_url=URL)


def test_empty_month() -> None:
    empty = build_digest(QN, 2023, 4, [], lineage=("national",))
    context = digest_context(empty, days_left=3, lang="vi", month_url="u", sender_name="s")
    out = render(context, name="A", unsubscribe_url=URL)
    assert "- Không có ngày kỷ niệm nào.\n" in out.text
    assert "(không có)" in out.text


def test_event_reminder() -> None:
    (occ,) = occurrences([HTP], date(2023, 2, 15), date(2023, 2, 15))
    context = event_context(occ, days_left=30, lang="vi", month_url="u", sender_name="s")
    out = render(context, name="A", unsubscribe_url=URL)
    assert out.subject == (
        "[Nhắc lịch] Còn 30 ngày: 110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)"
    )
    assert "Loại năm: năm tròn — Kỷ niệm quy mô lớn" in out.text
    english = render(
        event_context(occ, days_left=7, lang="en", month_url="u", sender_name="s"),
        name="A",
        unsubscribe_url=URL,
    )
    assert english.subject.startswith("[Reminder] 7 days to go: 110th anniversary of")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        digest_context(digest(), days_left=1, lang="fr", month_url="u", sender_name="s")


# --- the message ------------------------------------------------------------------------


def build(**fields: object) -> bytes:
    out = render(shared(month=3), name="Cán bộ", unsubscribe_url=URL)
    return build_message(
        envelope(**fields), out.text, out.html, Attachment("ky-niem-2023-03.ics", ICS)
    )


def test_mime_structure_and_parts() -> None:
    msg = parse(build())
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    text = msg.get_body(("plain",))
    assert text is not None and "Kính gửi Cán bộ," in text.get_content()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "ky-niem-2023-03.ics"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content().encode() == ICS


def test_headers() -> None:
    data = build()
    msg = parse(data)
    assert (
        decoded(msg["Subject"])
        == "[Nhắc lịch] Định hướng tuyên truyền tháng 03/2023 — hạn 02/03/2023"
    )
    raw = email.message_from_bytes(data, policy=policy.compat32)
    assert decoded(raw["To"]) == "Cán bộ <can-bo@example.org>"
    assert decoded(raw["From"]) == "Lịch kỷ niệm <nhac-lich@example.org>"
    assert msg["Date"] == "Mon, 20 Feb 2023 08:00:00 +0700"
    assert msg["Message-ID"] == message_id_for(KEY, "example.org")
    assert msg["List-Unsubscribe"] == (
        f"<{URL}>, <mailto:nhac-lich@example.org?subject=unsubscribe%20abc.def>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["MIME-Version"] == "1.0"
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    header_block = data.split(b"\r\n\r\n", 1)[0]
    assert all(
        len(line) <= 78 for line in header_block.split(b"\r\n") if not line.startswith(b"List-")
    )
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only


def test_message_is_deterministic() -> None:
    assert build() == build()


def test_message_id_is_stable_per_key_and_hides_the_address() -> None:
    one = message_id_for(KEY, "example.org")
    assert one == message_id_for(KEY, "example.org")
    assert one.startswith("<digest.20230301.10d.") and one.endswith("@example.org>")
    assert "can-bo" not in one
    other = ReminderKey(
        ReminderKind.DIGEST, "quang-ninh", date(2023, 3, 1), 3, "can-bo@example.org"
    )
    assert message_id_for(other, "example.org") != one


@pytest.mark.parametrize(
    "fields",
    [
        {"to_name": "Cán bộ\r\nBcc: victim@example.org"},
        {"from_name": "X\nBcc: victim@example.org"},
        {"subject": "Hello\r\nBcc: victim@example.org"},
        {"to_addr": "can-bo@example.org\r\nBcc: victim@example.org"},
        {"message_id": "<a@b>\r\nBcc: victim@example.org"},
        {"unsubscribe_url": "https://x/\r\nBcc: victim@example.org"},
    ],
)
def test_header_injection_is_refused(fields: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(HeaderInjectionError, match="line break"):
        build(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"to_addr": "Cán bộ <can-bo@example.org>"},
        {"unsubscribe_url": "https://x/ y"},
        {"unsubscribe_mailto": "https://not-mailto"},
        {"message_id": "no-angle-brackets"},
    ],
)
def test_malformed_header_values_are_refused(fields: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        build(**fields)


def test_quoted_ascii_display_name() -> None:
    msg = email.message_from_bytes(build(to_name='Smith, "J"'), policy=policy.compat32)
    assert msg["To"] == '"Smith, \\"J\\"" <can-bo@example.org>'


@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=200)
)
def test_any_subject_round_trips(subject: str) -> None:
    line = encode_text("Subject", subject)
    value = line.split(": ", 1)[1]
    assert all(len(part) <= 78 for part in line.split("\r\n"))
    assert decoded(value) == subject


def test_domain_of() -> None:
    assert domain_of("nhac-lich@Example.ORG") == "example.org"
    assert domain_of("calendar-svc@localhost") == "localhost"
    assert domain_of("no-domain") == "calendar-svc.invalid"
    assert domain_of("a@bad domain") == "calendar-svc.invalid"


# --- unsubscribe tokens ------------------------------------------------------------------


def test_token_round_trip_and_forgery() -> None:
    token = make_token("secret", "Can-Bo@Example.org")
    assert read_token("secret", token) == "can-bo@example.org"
    assert read_token("other secret", token) is None
    payload, signature = token.split(".")
    forged = make_token("secret", "boss@example.org").split(".")[0] + "." + signature
    assert read_token("secret", forged) is None
    assert read_token("secret", payload) is None
    assert read_token("secret", "%%%.%%%") is None
    assert read_token("", token) is None
    with pytest.raises(ValueError):
        make_token("", "a@example.org")


def test_token_is_url_safe() -> None:
    token = make_token("s", "a+b@example.org")
    assert all(c.isalnum() or c in "-_." for c in token)


_names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)


@given(_names, st.sampled_from(["vi", "en"]))
def test_prototype_personalises_exactly_as_rendering_does(name: str, lang: str) -> None:
    context = shared(lang)
    url = "https://lich.example.org/unsubscribe?t=a.b&x=<1>"
    assert prototype(context).personalise(name=name, unsubscribe_url=url) == render(
        context, name=name, unsubscribe_url=url
    )


def test_a_template_that_transforms_a_personal_value_cannot_be_a_prototype(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from calendar_svc.mail import render as render_module

    templates = {
        "vi/digest.txt": "{{ recipient_name | upper }} {{ unsubscribe_url }}",
        "vi/digest.html": "{{ recipient_name }} {{ unsubscribe_url }}",
    }
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), undefined=jinja2.StrictUndefined)
    monkeypatch.setattr(render_module, "environment", lambda: env)
    with pytest.raises(ValueError, match="as is"):
        prototype(shared())


def test_days_left_are_stated_as_counted_on_the_day_of_sending() -> None:
    (occ,) = occurrences([HTP], date(2023, 2, 15), date(2023, 2, 15))
    one = render(
        event_context(occ, days_left=1, lang="vi", month_url="u", sender_name="s"),
        name="A",
        unsubscribe_url=URL,
    )
    assert one.subject.startswith("[Nhắc lịch] Còn 1 ngày: 110 năm")
    assert "Còn 1 ngày đến ngày kỷ niệm:" in one.text
    today = render(
        event_context(occ, days_left=0, lang="en", month_url="u", sender_name="s"),
        name="A",
        unsubscribe_url=URL,
    )
    assert today.subject.startswith("[Reminder] Today: 110th anniversary of")
    due_today = render(
        digest_context(digest(), days_left=0, lang="vi", month_url="u", sender_name="s"),
        name="A",
        unsubscribe_url=URL,
    )
    assert "Hôm nay là hạn ban hành văn bản định hướng" in due_today.text


def test_english_digest_gives_the_vietnamese_line_to_paste_and_english_festivals() -> None:
    festival = make("le-hoi-cua-ong", "--02-03", category="le-hoi", calendar="lunar")
    occs = occurrences([PARTY, HTP, festival], date(2023, 2, 1), date(2024, 2, 28))
    feb = build_digest(QN, 2023, 2, occs, lineage=("province:quang-ninh", "national"))
    context = digest_context(feb, days_left=10, lang="en", month_url="u", sender_name="s")
    out = render(context, name="Officer", unsubscribe_url=URL)
    line = out.text.split("DIRECTIVE LINE (Vietnamese directives use the Vietnamese form):\n")[1]
    assert line.startswith(
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023); "
        "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)\n"
    )
    assert "- 22/02/2023 (lunar: 3rd day of the 2nd lunar month, year Quý Mão): " in out.text
    assert "Event le-hoi-cua-ong (3/2 lunar, 22/02/2023)" in out.text
    assert "âm lịch" not in out.text.split("DIRECTIVE LINE")[0]
