"""Package layout that pyproject.toml cannot say alone: ``calendar_svc.data`` is ``data/``.

The dataset has one copy, at the top of the repository; the wheel installs it as the
package ``calendar_svc.data`` and an editable install maps that package to the same
directory.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["calendar_svc", "calendar_svc.*"]), "calendar_svc.data"],
    package_dir={"calendar_svc.data": "data"},
)
