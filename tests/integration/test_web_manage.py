"""The organisation pages: changes with the CLI's checks, the audit log, roles, escaping.

Real store (SQLite, and PostgreSQL when available), real aiosmtpd server, the app in
process.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_support import CP, LAN, MAI, OPS, QN, Site, csrf_of, site_on
from smtp_support import SmtpServer
from starlette.testclient import TestClient

from calendar_svc.errors import NotFoundError
from calendar_svc.rowfields import parse_fields
from calendar_svc.web.security import CSRF_FIELD, UPLOAD_MAX_BYTES

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
HOSTILE = '<script>alert("x")</script><b>đậm</b>'
GOOD = {
    "id": "thanh-lap-phuong-x",
    "name_vi": f"Ngày thành lập phường X {HOSTILE}",
    "name_en": "Founding of X",
    "origin": "2025-07-01",
    "calendar": "solar",
    "category": "dia-phuong",
    "scope": "province:quang-ninh",
    "source": "Nghị quyết 1/NQ",
    "note": "",
}
CSV_HEADER = "id,name_vi,origin,category,scope,source\n"


@pytest.fixture(params=STORES)
def site(request: pytest.FixtureRequest, tmp_path: Path, smtp: SmtpServer) -> Iterator[Site]:
    with site_on(request.param, tmp_path, smtp) as found:
        yield found


@pytest.fixture
def lan(site: Site) -> TestClient:
    client = site.client()
    site.sign_in(client, LAN)
    return client


def post(client: TestClient, path: str, data: dict[str, str], **kw: object) -> object:
    action = path.rsplit("/", 1)[-1] in ("remove", "approve", "reject")
    page = client.get(path.rsplit("/", 2)[0] if action else path)
    return client.post(path, data={CSRF_FIELD: csrf_of(page.text), **data}, **kw)  # type: ignore[arg-type]


def errors(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", e).strip()
        for e in re.findall(r'class="field-error"[^>]*>(.*?)</(?:p|ul)>', html, flags=re.S)
    ]


def cli_message(fields: dict[str, str], site: Site, column: str) -> str:
    """Return the message ``calendar-svc add`` gives for ``column`` (the same check)."""
    _, problems = parse_fields(fields, site.store.scopes.tree())
    return next(p.message for p in problems if p.column == column)


def test_a_wrong_date_saves_nothing_and_shows_the_cli_message_beside_the_field(
    site: Site, lan: TestClient
) -> None:
    wrong = {**GOOD, "origin": "2025-02-30"}
    answer = post(lan, "/manage/quang-ninh/anniversaries", wrong)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    expected = cli_message(wrong, site, "origin").replace("'", "&#39;")
    assert re.search(r'id="f-origin"[^>]*aria-invalid="true" aria-describedby="e-origin"', html), (
        html
    )
    assert f'<p class="field-error" id="e-origin">{expected}</p>' in html
    assert 'value="2025-02-30"' in html  # what was typed stays for correcting
    with pytest.raises(NotFoundError):
        site.store.anniversaries.get(GOOD["id"])
    assert site.store.audit.entries() == []


def test_add_edit_remove_a_local_anniversary_with_the_audit_log(
    site: Site, lan: TestClient
) -> None:
    added = post(lan, "/manage/quang-ninh/anniversaries", GOOD, follow_redirects=False)
    assert added.status_code == 303  # type: ignore[attr-defined]
    stored = site.store.anniversaries.get(GOOD["id"])
    assert stored.name_vi == GOOD["name_vi"] and stored.scope == "province:quang-ninh"
    page = lan.get("/manage/quang-ninh/anniversaries?done=added")
    assert "Đã thêm." in page.text and "&lt;script&gt;alert(&#34;x&#34;)" in page.text
    assert "<script>alert" not in page.text and "<b>đậm</b>" not in page.text
    edited = post(
        lan,
        f"/manage/quang-ninh/anniversaries/{GOOD['id']}",
        {**GOOD, "origin": "2025-07-02"},
        follow_redirects=False,
    )
    assert edited.status_code == 303  # type: ignore[attr-defined]
    assert site.store.anniversaries.get(GOOD["id"]).origin.iso() == "2025-07-02"
    removed = post(
        lan, f"/manage/quang-ninh/anniversaries/{GOOD['id']}/remove", {}, follow_redirects=False
    )
    assert removed.status_code == 303  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        site.store.anniversaries.get(GOOD["id"])
    entries = site.store.audit.entries(organisation="quang-ninh")
    assert [(e.action, e.actor, e.target) for e in entries] == [
        ("anniversary.remove", LAN, GOOD["id"]),
        ("anniversary.edit", LAN, GOOD["id"]),
        ("anniversary.add", LAN, GOOD["id"]),
    ]
    assert entries[1].before["origin"] == "2025-07-01"
    assert entries[1].after["origin"] == "2025-07-02"
    assert entries[0].after is None and entries[2].before is None
    audit = lan.get("/manage/quang-ninh/audit").text
    assert audit.count("anniversary.") == 3 and "<script>alert" not in audit
    assert "&lt;script&gt;" in audit


def test_national_anniversaries_and_other_scopes_are_out_of_reach(
    site: Site, lan: TestClient
) -> None:
    national = site.store.anniversaries.anniversaries(scopes=["national"])[0]
    assert lan.get(f"/manage/quang-ninh/anniversaries/{national.id}").status_code == 404
    answer = post(
        lan,
        f"/manage/quang-ninh/anniversaries/{national.id}/remove",
        {},
    )
    assert answer.status_code == 404  # type: ignore[attr-defined]
    assert site.store.anniversaries.get(national.id) == national
    outside = post(lan, "/manage/quang-ninh/anniversaries", {**GOOD, "scope": "city:cam-pha"})
    assert outside.status_code == 400  # type: ignore[attr-defined]
    assert any("is outside organisation &#39;quang-ninh&#39;" in e for e in errors(outside.text))  # type: ignore[attr-defined]
    assert site.store.audit.entries() == []


def test_a_manager_of_one_organisation_cannot_read_or_write_another(
    site: Site, lan: TestClient
) -> None:
    before = site.store.organisations.get_organisation(CP.id)
    subs = site.store.organisations.subscribers(organisation=CP.id)
    for path in (
        "/manage/cam-pha",
        "/manage/cam-pha/anniversaries",
        "/manage/cam-pha/subscribers",
        "/manage/cam-pha/settings",
        "/manage/cam-pha/digest",
        "/manage/cam-pha/audit",
        "/manage/cam-pha/directive/2027-01.docx",
        "/manage/cam-pha/annual/2027.docx",
        "/manage/nowhere",
        "/en/manage/cam-pha",
    ):
        answer = lan.get(path)
        assert answer.status_code == 403, path
        assert "chi@campha" not in answer.text and CP.name not in answer.text
    token = csrf_of(lan.get("/manage/quang-ninh").text)
    writes = {
        "/manage/cam-pha/anniversaries": {**GOOD, "scope": "city:cam-pha"},
        "/manage/cam-pha/subscribers": {"email": "x@campha.example.vn", "name": "X"},
        "/manage/cam-pha/subscribers/remove": {"email": "chi@campha.example.vn"},
        "/manage/cam-pha/settings": {"due_day": "5"},
    }
    for path, data in writes.items():
        assert lan.post(path, data={CSRF_FIELD: token, **data}).status_code == 403, path
    # Through its own pages, the other organisation's subscriber is "not here".
    own = lan.post(
        "/manage/quang-ninh/subscribers/remove",
        data={CSRF_FIELD: token, "email": "chi@campha.example.vn"},
    )
    unknown = lan.post(
        "/manage/quang-ninh/subscribers/remove",
        data={CSRF_FIELD: token, "email": "zzz@campha.example.vn"},
    )
    assert own.status_code == unknown.status_code == 404
    assert own.text == unknown.text
    assert site.store.organisations.get_organisation(CP.id) == before
    assert site.store.organisations.subscribers(organisation=CP.id) == subs
    assert site.store.audit.entries() == []


def test_an_operator_manages_every_organisation(site: Site) -> None:
    client = site.client()
    site.sign_in(client, OPS)
    listing = client.get("/manage")
    assert listing.status_code == 200 and QN.name in listing.text and CP.name in listing.text
    assert client.get("/manage/cam-pha/subscribers").status_code == 200
    assert client.get("/manage/nowhere").status_code == 404
    mai = site.client()
    site.sign_in(mai, MAI)
    assert mai.get("/manage", follow_redirects=False).headers["location"] == "/manage/cam-pha"


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_a_change_without_the_right_csrf_token_is_403_and_changes_nothing(
    site: Site, lan: TestClient, token: str | None
) -> None:
    data = dict(GOOD) if token is None else {**GOOD, CSRF_FIELD: token}
    answer = lan.post("/manage/quang-ninh/anniversaries", data=data)
    assert answer.status_code == 403
    with pytest.raises(NotFoundError):
        site.store.anniversaries.get(GOOD["id"])
    other = site.client()  # another browser's token
    site.sign_in(other, LAN)
    foreign = csrf_of(other.get("/manage/quang-ninh").text)
    assert lan.post("/manage/quang-ninh/settings", data={CSRF_FIELD: foreign}).status_code == 403
    assert site.store.audit.entries() == []


def test_subscribers_add_and_remove_with_the_audit_log(site: Site, lan: TestClient) -> None:
    bad = post(lan, "/manage/quang-ninh/subscribers", {"email": "not-an-address", "name": "A"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert any("is not an e-mail address" in e for e in errors(bad.text))  # type: ignore[attr-defined]
    taken = post(
        lan, "/manage/quang-ninh/subscribers", {"email": "chi@campha.example.vn", "name": "A"}
    )
    assert taken.status_code == 400  # type: ignore[attr-defined]
    assert "Chị Hà" not in taken.text  # type: ignore[attr-defined]
    added = post(
        lan,
        "/manage/quang-ninh/subscribers",
        {"email": "Hoa@QN.example.vn", "name": HOSTILE, "lang": "en"},
        follow_redirects=False,
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    sub = site.store.organisations.get_subscriber("hoa@qn.example.vn")
    assert (sub.organisation, sub.name, sub.lang) == ("quang-ninh", HOSTILE, "en")
    page = lan.get("/manage/quang-ninh/subscribers")
    assert "hoa@qn.example.vn" in page.text and "<script>alert" not in page.text
    assert "chi@campha" not in page.text
    removed = post(
        lan,
        "/manage/quang-ninh/subscribers/remove",
        {"email": "hoa@qn.example.vn"},
        follow_redirects=False,
    )
    assert removed.status_code == 303  # type: ignore[attr-defined]
    assert site.store.organisations.subscribers(organisation="quang-ninh") == []
    actions = [(e.action, e.target) for e in site.store.audit.entries()]
    assert actions == [
        ("subscriber.remove", "hoa@qn.example.vn"),
        ("subscriber.add", "hoa@qn.example.vn"),
    ]


def test_directive_settings_are_checked_as_org_edit_checks_them(
    site: Site, lan: TestClient
) -> None:
    bad = post(lan, "/manage/quang-ninh/settings", {"due_day": "40", "leads": "10,3"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert errors(bad.text) == [  # type: ignore[attr-defined]
        "hạn văn bản / due date: day 40 of the month is out of range (1-31)"
    ]
    assert site.store.organisations.get_organisation(QN.id) == QN
    saved = post(
        lan,
        "/manage/quang-ninh/settings",
        {
            "due_days_before": "5",
            "leads": "7,2",
            "recipients": "Các chi bộ\n\n Ban Thường vụ ",
            "signer_lines": "K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN",
            "signer_name": HOSTILE,
            "attach_docx": "1",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    org = site.store.organisations.get_organisation(QN.id)
    assert (org.due.kind.value, org.due.n, org.leads) == ("before", 5, (7, 2))
    assert org.directive.recipients == ("Các chi bộ", "Ban Thường vụ")
    assert org.directive.signer_name == HOSTILE and org.directive.attach_docx is True
    page = lan.get("/manage/quang-ninh/settings?done=saved")
    assert "Đã lưu." in page.text and "<script>alert" not in page.text
    (entry,) = site.store.audit.entries()
    assert entry.action == "organisation.settings"
    assert entry.before["due"] == {"kind": "day", "n": 2}
    assert entry.after["due"] == {"kind": "before", "n": 5}


def test_csv_import_all_or_nothing_with_the_cli_messages(site: Site, lan: TestClient) -> None:
    page = lan.get("/manage/quang-ninh/anniversaries")
    token = csrf_of(page.text)

    def send(name: str, data: bytes) -> object:
        return lan.post(
            "/manage/quang-ninh/anniversaries/import",
            data={CSRF_FIELD: token},
            files={"file": (name, data, "text/csv")},
            follow_redirects=False,
        )

    bad = (
        CSV_HEADER
        + "ngay-a,Ngày A,2020-01-05,dia-phuong,province:quang-ninh,NQ 1\n"
        + "ngay-b,Ngày B,2020-02-30,dia-phuong,province:quang-ninh,NQ 2\n"
    )
    answer = send("local.csv", bad.encode())
    assert answer.status_code == 400  # type: ignore[attr-defined]
    problems = errors(answer.text)  # type: ignore[attr-defined]
    assert len(problems) == 1 and "local.csv:3: column &#39;origin&#39;" in problems[0]
    outside = CSV_HEADER + "ngay-c,Ngày C,2020-01-05,dia-phuong,city:cam-pha,NQ 3\n"
    answer = send("outside.csv", outside.encode())
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "is outside organisation" in answer.text  # type: ignore[attr-defined]
    for missing in ("ngay-a", "ngay-b", "ngay-c"):
        with pytest.raises(NotFoundError):
            site.store.anniversaries.get(missing)
    quoted = HOSTILE.replace('"', '""')
    good = CSV_HEADER + f'ngay-a,"Ngày A {quoted}",2020-01-05,dia-phuong,province:quang-ninh,NQ\n'

    done = send("good.csv", good.encode())
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"].endswith("done=imported%3A1%3A1%3A0%3A0")  # type: ignore[attr-defined]
    assert "Đã nhập 1 dòng: 1 mới" in lan.get(done.headers["location"]).text  # type: ignore[attr-defined]
    assert site.store.anniversaries.get("ngay-a").name_vi == f"Ngày A {HOSTILE}"
    assert [e.action for e in site.store.audit.entries()] == ["anniversary.add"]
    huge = send("huge.csv", b"x" * (UPLOAD_MAX_BYTES + 1))
    assert huge.status_code == 413  # type: ignore[attr-defined]
    assert "2 MiB" in huge.text  # type: ignore[attr-defined]


def test_digest_preview_and_docx_drafts(site: Site, lan: TestClient) -> None:
    post(lan, "/manage/quang-ninh/anniversaries", {**GOOD, "origin": "2000-12-20"})
    digest = lan.get("/manage/quang-ninh/digest")
    assert digest.status_code == 200
    # Today is 1 December 2026 (the site's clock): the digest of December, due on the 2nd.
    assert "tháng 12/2026" in digest.text and "26 năm Ngày thành lập phường X" in digest.text
    assert "<script>alert" not in digest.text
    for path in (
        "/manage/quang-ninh/directive/2026-12.docx",
        "/manage/quang-ninh/annual/2027.docx",
    ):
        answer = lan.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument"
        )
        with zipfile.ZipFile(io.BytesIO(answer.content)) as docx:
            text = docx.read("word/document.xml").decode("utf-8")
        assert "Quảng Ninh" in text or "QUẢNG NINH" in text
    monthly = lan.get("/manage/quang-ninh/directive/2026-12.docx").content
    with zipfile.ZipFile(io.BytesIO(monthly)) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Ngày thành lập phường X &lt;script&gt;" in body
    assert lan.get("/manage/quang-ninh/directive/2026-13.docx").status_code == 404


def test_waiting_subscribers_are_approved_or_rejected_by_their_own_organisation(
    site: Site, lan: TestClient
) -> None:
    from calendar_svc.core.recipients import Subscriber, SubscriberState

    def waiting(email: str, org: str) -> Subscriber:
        return Subscriber(email, "Chờ", org, state=SubscriberState.AWAITING_APPROVAL, active=False)

    site.store.organisations.add_subscriber(waiting("a@qn.example.vn", QN.id))
    site.store.organisations.add_subscriber(waiting("b@qn.example.vn", QN.id))
    site.store.organisations.add_subscriber(waiting("c@campha.example.vn", CP.id))
    page = lan.get("/manage/quang-ninh/subscribers")
    assert page.text.count("chờ duyệt") == 2 and "c@campha" not in page.text
    other = post(lan, "/manage/quang-ninh/subscribers/approve", {"email": "c@campha.example.vn"})
    assert other.status_code == 404  # type: ignore[attr-defined]
    ok = post(
        lan,
        "/manage/quang-ninh/subscribers/approve",
        {"email": "a@qn.example.vn"},
        follow_redirects=False,
    )
    no = post(
        lan,
        "/manage/quang-ninh/subscribers/reject",
        {"email": "b@qn.example.vn"},
        follow_redirects=False,
    )
    assert ok.status_code == no.status_code == 303  # type: ignore[attr-defined]
    approved = site.store.organisations.get_subscriber("a@qn.example.vn")
    assert approved.active and approved.state is SubscriberState.ACTIVE
    with pytest.raises(NotFoundError):
        site.store.organisations.get_subscriber("b@qn.example.vn")
    assert site.store.subscriptions.pending(CP.id)[0].email == "c@campha.example.vn"
    actions = [(e.action, e.target) for e in site.store.audit.entries()]
    assert actions == [
        ("subscriber.reject", "b@qn.example.vn"),
        ("subscriber.approve", "a@qn.example.vn"),
    ]


def test_markup_in_every_field_is_shown_as_text_on_every_page(site: Site, lan: TestClient) -> None:
    fields = {
        **GOOD,
        "origin": "2000-12-20",
        "name_en": f"EN {HOSTILE}",
        "source": f"Nguồn {HOSTILE}",
        "note": f"Ghi chú {HOSTILE}",
    }
    assert post(lan, "/manage/quang-ninh/anniversaries", fields).status_code == 200  # type: ignore[attr-defined]
    post(lan, "/manage/quang-ninh/subscribers", {"email": "x@qn.example.vn", "name": HOSTILE})
    post(lan, "/manage/quang-ninh/settings", {"signer_name": HOSTILE, "recipients": HOSTILE})
    wrong = post(
        lan, "/manage/quang-ninh/anniversaries", {**fields, "id": "Sai <b>", "origin": HOSTILE}
    )
    pages = [wrong.text]  # type: ignore[attr-defined]
    for path in (
        "/manage/quang-ninh",
        "/manage/quang-ninh/anniversaries",
        f"/manage/quang-ninh/anniversaries/{GOOD['id']}",
        "/manage/quang-ninh/subscribers",
        "/manage/quang-ninh/settings",
        "/manage/quang-ninh/digest",
        "/manage/quang-ninh/audit",
        "/en/manage/quang-ninh/audit",
    ):
        answer = lan.get(path)
        assert answer.status_code == 200, path
        pages.append(answer.text)
    for html in pages:
        assert "<script>alert" not in html and "<b>đậm</b>" not in html and "<b>" not in html
    assert sum(html.count("&lt;script&gt;alert(&#34;x&#34;)") for html in pages) >= 10


def break_the_audit_log(site: Site) -> None:
    """Make every insert into audit_log fail in the database itself (a real failure)."""
    from sqlalchemy import text

    with site.store.engine.begin() as conn:
        if site.store.dialect == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_down()"
            )
        )


def test_a_change_whose_audit_entry_fails_leaves_nothing_changed(
    site: Site, lan: TestClient
) -> None:
    from calendar_svc.core.recipients import Subscriber, SubscriberState

    kept = "kept@qn.example.vn"
    site.store.organisations.add_subscriber(Subscriber(kept, "Giữ", QN.id))
    site.store.organisations.add_subscriber(
        Subscriber("wait@qn.example.vn", "Chờ", QN.id, state=SubscriberState.AWAITING_APPROVAL,
                   active=False)
    )  # fmt: skip
    old = {**GOOD, "id": "da-co"}
    assert post(lan, "/manage/quang-ninh/anniversaries", old).status_code == 200  # type: ignore[attr-defined]
    subscribers = site.store.organisations.subscribers()
    anniversaries = site.store.anniversaries.anniversaries()
    entries = site.store.audit.entries()
    break_the_audit_log(site)
    page = lan.get("/manage/quang-ninh/anniversaries")
    changes = [
        ("/manage/quang-ninh/anniversaries", GOOD),
        ("/manage/quang-ninh/anniversaries/da-co", {**old, "name_vi": "Đổi tên"}),
        ("/manage/quang-ninh/anniversaries/da-co/remove", {}),
        ("/manage/quang-ninh/subscribers", {"email": "new@qn.example.vn", "name": "Mới"}),
        ("/manage/quang-ninh/subscribers/remove", {"email": kept}),
        ("/manage/quang-ninh/subscribers/approve", {"email": "wait@qn.example.vn"}),
        ("/manage/quang-ninh/subscribers/reject", {"email": "wait@qn.example.vn"}),
        ("/manage/quang-ninh/settings", {"due_day": "9", "leads": "7,2"}),
    ]
    for path, data in changes:
        answer = lan.post(path, data={CSRF_FIELD: csrf_of(page.text), **data})
        assert answer.status_code == 503, (path, answer.status_code)
    csv = CSV_HEADER + "moi-tu-csv,Mới từ CSV,2025-07-01,dia-phuong,province:quang-ninh,NQ\n"
    answer = lan.post(
        "/manage/quang-ninh/anniversaries/import",
        data={CSRF_FIELD: csrf_of(page.text)},
        files={"file": ("moi.csv", csv.encode(), "text/csv")},
    )
    assert answer.status_code == 503
    assert site.store.organisations.subscribers() == subscribers
    assert site.store.anniversaries.anniversaries() == anniversaries
    assert site.store.organisations.get_organisation(QN.id) == QN
    assert site.store.audit.entries() == entries


def test_the_pages_show_dates_categories_and_scopes_as_people_read_them(
    site: Site, lan: TestClient
) -> None:
    rows = [
        {**GOOD, "id": "ngay-duong", "origin": "1930-02-23"},
        {**GOOD, "id": "ngay-am", "origin": "--01-07", "calendar": "lunar"},
        {**GOOD, "id": "thang", "origin": "1930-02"},
        {**GOOD, "id": "nam", "origin": "1930"},
    ]
    for row in rows:
        added = post(lan, "/manage/quang-ninh/anniversaries", row, follow_redirects=False)
        assert added.status_code == 303, errors(added.text)  # type: ignore[attr-defined]
    page = lan.get("/manage/quang-ninh/anniversaries").text
    found = re.findall(r'<td class="date">([^<]*)</td>.*?· ([a-z0-9-]+)</span>', page, re.S)
    dates = {key: shown for shown, key in found}
    assert (
        dates.items()
        >= {
            "ngay-duong": "23/02/1930",
            "ngay-am": "7/1 âm lịch",
            "thang": "02/1930",
            "nam": "1930",
        }.items()
    )
    assert "--01-07" not in page and "1930-02-23" not in page
    assert '<option value="dia-phuong">Sự kiện địa phương</option>' in page
    assert "Sự kiện địa phương · Tỉnh Quảng Ninh · ngay-am" in page
    english = lan.get("/en/manage/quang-ninh/anniversaries").text
    assert "7/1 lunar" in english and ">Local event</option>" in english
    overview = lan.get("/manage/quang-ninh").text
    assert 'Tỉnh Quảng Ninh <span class="muted small">province:quang-ninh</span>' in overview
    assert "Quảng Ninh province <span" in lan.get("/en/manage/quang-ninh").text
