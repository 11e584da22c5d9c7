"""Generate ``data/scopes.csv``, the registry of Vietnam's administrative units.

The registry is generated, never edited by hand. Its sources are three PyPI packages,
used here only (they are not dependencies of calendar_svc):

* ``vietnam-provinces`` 2025.x: the 34 provinces and centrally-run cities and the 3,321
  commune-level units (phường, xã, đặc khu) since 1/7/2025, with their official codes
  (Tổng cục Thống kê);
* ``vietnam-provinces`` 0.6.0: the 63 provinces and the district-level units before
  1/7/2025, with their official codes;
* ``vietnamadminunits``: which old units each new unit was made of, the tables of
  Nghị quyết 202/2025/QH15 (provinces) and of the Ủy ban Thường vụ Quốc hội's resolutions
  of 16/06/2025 (communes), from which the successors of the former provinces and
  district-level units follow.

Install each into a directory of its own and run::

    pip install --target /tmp/vp-2025 vietnam-provinces==2025.10.1
    pip install --target /tmp/vp-2024 vietnam-provinces==0.6.0
    pip install --target /tmp/vau --no-deps vietnamadminunits==1.0.4
    python scripts/gen_scopes.py --current /tmp/vp-2025 --legacy /tmp/vp-2024 \\
        --converter /tmp/vau

Each row's ``source`` names the package versions it came from. The slug rule (stable
across versions; :func:`slug`) is the name without its type word, diacritics folded,
``đ`` → ``d``, lowercase ASCII words joined by hyphens; two units of one province with
the same slug get their type word in front (``phuong-…``, ``xa-…``), and if they still
clash their official code after.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from calendar_svc.commands.scopes import CSV_COLUMNS

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "data" / "scopes.csv"
#: What the sources count, per province, for the test of the registry against them.
COUNTS = REPO / "tests" / "data" / "scopes-source-counts.csv"

#: The registry's columns: a user scopes file's, without ``user``.
COLUMNS = tuple(column for column in CSV_COLUMNS if column != "user")
ENDED = "2025-06-30"
NQ_PROVINCES = "Nghị quyết 202/2025/QH15 (Quốc hội, 12/06/2025)"
#: The communes' resolutions read to check the generated successors, by province slug.
NQ_COMMUNES = {
    "quang-ninh": "Nghị quyết 1679/NQ-UBTVQH15 (16/06/2025) "
    "https://thuviennhadat.vn/vbpl/nghi-quyet-1679-nq-ubtvqh15-2025-sap-x%C3%A9p-cac-don-vi-"
    "hanh-chinh-cap-xa-quang-ninh-661115.html",
}
#: Ids that earlier versions used, kept working.
ALIASES = {
    "district:quang-ninh/cam-pha": "city:cam-pha",
    "district:quang-ninh/ha-long": "city:ha-long",
}

#: Type words, longest first, as they open a unit's name; with their English words.
TYPE_WORDS = (
    ("thành phố trung ương", "Thành phố", "city"),
    ("thành phố", "Thành phố", "city"),
    ("tỉnh", "Tỉnh", "province"),
    ("đặc khu", "Đặc khu", "special zone"),
    ("phường", "Phường", "ward"),
    ("thị trấn", "Thị trấn", "township"),
    ("thị xã", "Thị xã", "town"),
    ("huyện", "Huyện", "district"),
    ("quận", "Quận", "urban district"),
    ("xã", "Xã", "commune"),
)


def fold(text: str) -> str:
    """Return ``text`` as lowercase ASCII words joined by hyphens (đ → d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def split_type(name: str) -> tuple[str, str]:
    """Return (type word, bare name): "Phường Cửa Ông" → ("phường", "Cửa Ông")."""
    for _division, word, _en in TYPE_WORDS:
        if name.lower().startswith(word.lower() + " "):
            return word.lower(), name[len(word) + 1 :]
    raise ValueError(f"no type word opens {name!r}")


def english(type_vi: str, bare: str, division: str = "") -> str:
    """Return the English name: "Cửa Ông ward", "Hà Nội city"."""
    for div, word, en in TYPE_WORDS:
        if word.lower() == type_vi and (not division or div in (division, type_vi)):
            return f"{bare} {en}"
    return bare


def tidy(name: str) -> str:
    """Return the name with its type word written as usual ("Thành Phố X" → "Thành phố X")."""
    type_vi, bare = split_type(name)
    return f"{type_vi[0].upper()}{type_vi[1:]} {bare}"


def slug(name: str) -> str:
    """Return the slug of a unit's name, without its type word."""
    return fold(split_type(name)[1])


@dataclass
class Unit:
    """One row of the registry."""

    id: str
    kind: str
    type_vi: str
    code: str
    name_vi: str
    name_en: str
    parent: str
    source: str
    valid_to: str = ""
    successors: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    def row(self) -> dict[str, str]:
        """Return the CSV fields."""
        return {
            "id": self.id,
            "kind": self.kind,
            "type_vi": self.type_vi,
            "code": self.code,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "parent": self.parent,
            "valid_to": self.valid_to,
            "successors": ";".join(self.successors),
            "aliases": ";".join(self.aliases),
            "source": self.source,
        }


def unique_slugs(items: list[tuple[str, str, str]]) -> dict[str, str]:
    """Return code → slug for (code, name, type) items of one province, made unique."""
    by_slug: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for item in items:
        by_slug[slug(item[1])].append(item)
    result: dict[str, str] = {}
    for base, group in by_slug.items():
        if len(group) == 1:
            result[group[0][0]] = base
            continue
        typed: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for item in group:
            typed[f"{fold(item[2])}-{base}"].append(item)
        for name, same in typed.items():
            for code, _name, _type in same:
                result[code] = name if len(same) == 1 else f"{name}-{code}"
    return result


def package_version(site: Path, dist: str) -> str:
    """Return the version of the distribution installed under ``site``."""
    for info in site.glob(f"{dist.replace('-', '_')}-*.dist-info"):
        for line in (info / "METADATA").read_text(encoding="utf-8").splitlines():
            if line.startswith("Version: "):
                return line.removeprefix("Version: ")
    raise SystemExit(f"{dist} is not installed under {site}")


def key(name: str) -> str:
    """Return vietnamadminunits' key of a name: folded, without spaces or hyphens."""
    return fold(name).replace("-", "")


def generate(current_site: Path, legacy_site: Path, converter_site: Path) -> list[Unit]:
    """Return the registry's units, in file order."""
    current_v = package_version(current_site, "vietnam-provinces")
    legacy_v = package_version(legacy_site, "vietnam-provinces")
    conv_v = package_version(converter_site, "vietnamadminunits")
    current = json.loads(
        (current_site / "vietnam_provinces/data/nested-divisions.json").read_text("utf-8")
    )
    legacy = json.loads(
        (legacy_site / "vietnam_provinces/data/nested-divisions.json").read_text("utf-8")
    )
    conv = json.loads(
        (converter_site / "vietnamadminunits/data/converter_2025.json").read_text("utf-8")
    )
    db = sqlite3.connect(converter_site / "vietnamadminunits/data/dataset.db")
    src_current = f"vietnam-provinces {current_v}"
    src_legacy = f"vietnam-provinces {legacy_v}"

    units: list[Unit] = [
        Unit("national", "national", "", "", "Toàn quốc", "Nationwide", "", src_current)
    ]
    province_id_by_code: dict[int, str] = {}
    commune_id_by_key: dict[tuple[int, str], str] = {}
    current_names: set[str] = set()
    for prov in current:
        if prov["division_type"] == "tỉnh" and not prov["name"].startswith("Tỉnh "):
            prov["name"] = f"Tỉnh {prov['name']}"  # the 2025 data writes provinces bare
        type_vi, bare = split_type(prov["name"])
        pid = f"province:{slug(prov['name'])}"
        province_id_by_code[prov["code"]] = pid
        current_names.add(fold(bare))
        units.append(
            Unit(
                pid,
                "province",
                type_vi,
                f"{prov['code']:02d}",
                prov["name"],
                english(type_vi, bare),
                "national",
                src_current,
            )
        )
        items = [(f"{w['code']:05d}", w["name"], split_type(w["name"])[0]) for w in prov["wards"]]
        slugs = unique_slugs(items)
        for ward in sorted(prov["wards"], key=lambda w: w["code"]):
            code = f"{ward['code']:05d}"
            wtype, wbare = split_type(ward["name"])
            cid = f"commune:{pid.removeprefix('province:')}/{slugs[code]}"
            commune_id_by_key[(prov["code"], key(ward["name"]))] = cid
            units.append(
                Unit(
                    cid,
                    "commune",
                    wtype,
                    code,
                    ward["name"],
                    english(wtype, wbare),
                    pid,
                    src_current,
                )
            )

    # New units by vietnamadminunits' keys → ids of the registry. Its commune codes are
    # those of the draft list, so communes are matched by province and name.
    new_ward_id: dict[tuple[str, str], str] = {}
    rows = db.execute("SELECT provinceKey, provinceCode, wardKey, ward FROM admin_units")
    for pkey, pcode, wkey, wname in rows:
        new_ward_id[(pkey, wkey)] = commune_id_by_key[(int(pcode), key(wname))]
    new_province_id: dict[str, str] = {}
    for pkey, pcode in db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units"):
        new_province_id[pkey] = province_id_by_code[int(pcode)]
    old_district_code: dict[tuple[str, str], int] = {}
    for pkey, dkey, dcode in db.execute(
        "SELECT DISTINCT provinceKey, districtKey, districtCode FROM admin_units_legacy"
    ):
        old_district_code[(pkey, dkey)] = int(dcode)

    # Which new communes took in each old district-level unit's communes.
    district_successors: dict[int, set[str]] = defaultdict(set)
    for new_pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, olds in wards.items():
            for old in olds:
                old_pkey, old_dkey, _old_wkey = old.split("_")
                district = old_district_code[(old_pkey, old_dkey)]
                district_successors[district].add(new_ward_id[(new_pkey, new_wkey)])
    for new_pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            old_pkey, old_dkey, _old_wkey = old.split("_")
            district = old_district_code[(old_pkey, old_dkey)]
            for part in parts:
                district_successors[district].add(new_ward_id[(new_pkey, part["newWardKey"])])
    province_successor: dict[str, str] = {}
    for new_pkey, old_pkeys in conv["DICT_PROVINCE"].items():
        for old_pkey in old_pkeys:
            province_successor[old_pkey] = new_province_id[new_pkey]

    legacy_units: list[Unit] = []
    for prov in legacy:
        prov["name"] = tidy(prov["name"])
        for dist in prov["districts"]:
            dist["name"] = tidy(dist["name"])
        type_vi, bare = split_type(prov["name"])
        pslug = slug(prov["name"])
        pid = f"province:{pslug}"
        successor = province_successor[key(prov["name"])]
        if pslug not in current_names:
            if successor == pid:
                raise SystemExit(f"{prov['name']} is gone but its own successor")
            legacy_units.append(
                Unit(
                    pid,
                    "province",
                    type_vi,
                    f"{prov['code']:02d}",
                    prov["name"],
                    english(type_vi, bare),
                    "national",
                    f"{src_legacy}; successor: {NQ_PROVINCES}",
                    valid_to=ENDED,
                    successors=[successor],
                )
            )
        elif successor != pid:
            raise SystemExit(f"{prov['name']} kept its name but merged into {successor}")
        items = [
            (f"{d['code']:03d}", d["name"], split_type(d["name"])[0]) for d in prov["districts"]
        ]
        slugs = unique_slugs(items)
        for dist in sorted(prov["districts"], key=lambda d: d["code"]):
            code = f"{dist['code']:03d}"
            dtype, dbare = split_type(dist["name"])
            did = f"district:{pslug}/{slugs[code]}"
            cited = NQ_COMMUNES.get(pslug, f"vietnamadminunits {conv_v}")
            legacy_units.append(
                Unit(
                    did,
                    "district",
                    dtype,
                    code,
                    dist["name"],
                    english(dtype, dbare, "huyện"),
                    pid,
                    f"{src_legacy}; successors: {cited}",
                    valid_to=ENDED,
                    successors=sorted(district_successors[dist["code"]]),
                    aliases=[ALIASES[did]] if did in ALIASES else [],
                )
            )
    units.extend(legacy_units)
    return units


def source_counts(current_site: Path, legacy_site: Path) -> list[dict[str, str]]:
    """Return, per province, how many units of each type the sources list."""
    rows: list[dict[str, str]] = []
    for label, site, key_name in (
        ("2025", current_site, "wards"),
        ("2024", legacy_site, "districts"),
    ):
        data = json.loads((site / "vietnam_provinces/data/nested-divisions.json").read_text())
        version = package_version(site, "vietnam-provinces")
        for prov in data:
            types: dict[str, int] = defaultdict(int)
            for unit in prov[key_name]:
                types[split_type(unit["name"])[0]] += 1
            rows.append(
                {
                    "structure": label,
                    "source": f"vietnam-provinces {version}",
                    "province_code": f"{prov['code']:02d}",
                    "units": str(len(prov[key_name])),
                    "by_type": ";".join(f"{k}={v}" for k, v in sorted(types.items())),
                }
            )
    return rows


def write(units: Iterable[Unit], path: Path) -> int:
    """Write the registry; return its row count."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        n = 0
        for unit in units:
            writer.writerow(unit.row())
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, generate and write the registry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--current", type=Path, required=True, help="vietnam-provinces 2025")
    parser.add_argument("--legacy", type=Path, required=True, help="vietnam-provinces 0.6.0")
    parser.add_argument("--converter", type=Path, required=True, help="vietnamadminunits")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    units = generate(args.current, args.legacy, args.converter)
    ids = [u.id for u in units]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate ids")
    n = write(units, args.out)
    counts = source_counts(args.current, args.legacy)
    with COUNTS.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(counts[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(counts)
    print(f"{args.out}: {n} units", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
