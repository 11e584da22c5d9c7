"""Draft the monthly directive ("định hướng công tác thông tin, tuyên truyền tháng MM/YYYY")
and the annual guide ("Hướng dẫn tuyên truyền kỷ niệm các ngày lễ lớn … năm YYYY").

Modules:
    profile: the organisation's header, recipients, signer and drafting choices
        (pure; derived from its name, overridden by its record).
    draft: compose the commemoration item, the look-ahead and each round entry's basis
        and scale from computed occurrences (pure).
    render: jinja2 templates (bundled, or an organisation's own) → text, Markdown, and
        the .docx's texts.
    word: the .docx layout (python-docx).
    annual: compose the annual guide (five groups, focus, next year's năm tròn; pure).
    annual_word: the annual guide's .docx layout, on word's.

The services that read the store are :mod:`calendar_svc.services.directive` and
:mod:`calendar_svc.services.annual`.
"""
