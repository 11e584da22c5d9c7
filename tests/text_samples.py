"""Text that has broken calendar and mail software: shared by the feed and mail tests.

The catalog refuses line breaks and control characters in names (CSV import, ``add``,
``edit``); these samples go into a store directly, to prove that the feed and mail layers
are safe for any text a store may hold.
"""

from __future__ import annotations

PARTY_VI = "Đảng Cộng sản Việt Nam "
#: 1,500 characters of Vietnamese (most letters take two or three octets in UTF-8).
LONG_VI = (PARTY_VI * 66)[:1500]

#: Names the catalog refuses (line breaks, controls) and names it accepts.
HOSTILE = [
    "Tên\r\nBCC: x@example.org",
    "dòng 1\rdòng 2",
    "dòng 1\ndòng 2",
    "a;b,c\\d",
    "C:\\Nguyen\\new",
    "\\N\\n\\\\N\\,\\;",
    "kết thúc bằng gạch chéo\\",
    "NUL\x00VT\x0bESC\x1bDEL\x7f",
    "tab\tgiữa",
    "Ngày 🇻🇳 👨‍👩‍👧‍👦 🎉 kỷ niệm",
    "tổ hợp: Vie\u0323\u0302t Nam, e\u0301\u0301\u0301",
    "BEGIN:VEVENT\r\nUID:injected\r\nEND:VEVENT",
    "ls\u2028ps\u2029nel\x85bom\ufeff",
    LONG_VI,
    "🎉" * 400,
    '<script>alert("x")</script> & <b>đậm</b>',
]
