"""The bundled dataset, installed as the package ``calendar_svc.data`` (see setup.py)."""
