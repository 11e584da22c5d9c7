"""Reminder e-mail: rendering, message building, SMTP sending and the outbox dispatcher.

Modules:
    tokens: unforgeable unsubscribe tokens (HMAC-SHA256).
    render: jinja2 templates → subject, text and HTML (pure).
    message: the MIME message as bytes: headers, alternatives, .ics attachment (pure).
    content: the render context of an outbox row (digest or event) from the store's data.
    send: aiosmtplib delivery with per-message timeouts, reused connections, a limit.
    outbox: the dispatcher: claim, send, settle with retries and backoff.
    settler: writes a dispatch pass's outcomes to the outbox as they come.

Importing the package loads none of jinja2, aiosmtplib or SQLAlchemy.
"""
