"""Draft the monthly directive ("định hướng công tác thông tin, tuyên truyền tháng MM/YYYY").

Modules:
    profile: the organisation's header, recipients, signer and drafting choices
        (pure; derived from its name, overridden by its record).
    draft: compose the commemoration item, the look-ahead and each round entry's basis
        and scale from computed occurrences (pure).
    render: jinja2 templates (bundled, or an organisation's own) → text, Markdown, and
        the .docx's texts.
    word: the .docx layout (python-docx).

The service that reads the store is :mod:`calendar_svc.services.directive`.
"""
