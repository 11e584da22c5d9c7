"""Benchmark ``calendar-svc check``: precision and recall on the corpus of real texts, recall
on perturbed month lines, and the time of one check as the dataset grows.

Usage: python bench/bench_proofread.py [--lines 300] [--sizes 1000,10000] [--rounds 9]

Part 1 checks every text of tests/data/proofread/corpus.toml for its month and scope and
compares the findings (omissions aside: the texts are excerpts) with the known ones.
Part 2 takes random months and scopes, renders the month's directive line as
``month --format text`` does, checks it (any finding is a false one), then changes one
entry's count, one year or one day and checks again (no slip is a miss).
Part 3 times, in process, the check of one .docx draft's paragraphs (Cẩm Phả, 09/2025,
drafted from the bundled dataset) against the bundled dataset plus synthetic anniversaries
with Vietnamese-like names: the same mentions matched against a growing dataset.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import tomllib
from datetime import date
from pathlib import Path

from calendar_svc.catalog import load_bundled, load_scopes
from calendar_svc.core.model import Anniversary, Origin
from calendar_svc.core.occurrences import month_range, occurrences
from calendar_svc.directive.profile import build_profile
from calendar_svc.directive.word import document_bytes
from calendar_svc.formatting import Display, render_text
from calendar_svc.proofread.check import Kind, check_lines
from calendar_svc.services.directive import draft_directive
from calendar_svc.services.documents import read_bytes
from calendar_svc.services.proofread import proofread
from calendar_svc.store.memory import MemoryReader

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "proofread"
BUNDLED = load_bundled()
SCOPES = load_scopes()
SLIPS = {"arithmetic", "date", "origin"}
VOCABULARY = (
    "ngày thành lập truyền thống chiến thắng khởi nghĩa giải phóng hội nghị đại hội công binh "
    "nông dân thanh niên phụ nữ biên giới hải đảo miền núi đồng bằng sông hồng cửu long tây "
    "nguyên bắc trung nam xã phường huyện tỉnh thành phố mặt trận đảng bộ chi bộ công đoàn"
)
WORDS = VOCABULARY.split()


def part1() -> None:
    texts = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["text"]
    reader = MemoryReader(BUNDLED)
    counts = {"all": [0, 0, 0], "slips": [0, 0, 0]}
    mentions = matched = 0
    for text in texts:
        lines = (CORPUS / text["file"]).read_text(encoding="utf-8").splitlines()
        year, month = (int(p) for p in text["month"].split("-"))
        report = proofread(reader, SCOPES, lines, year=year, month=month, scope=text["scope"])
        mentions += len(report.mentions)
        matched += sum(1 for c in report.mentions if c.match is not None)
        got = {f"{f.kind.value}:{f.line}" for f in report.findings if f.kind is not Kind.OMISSION}
        expected = set(text["expected"])
        for key, keep in (("all", lambda k: True), ("slips", lambda k: k.split(":")[0] in SLIPS)):
            g = {k for k in got if keep(k)}
            e = {k for k in expected if keep(k)}
            counts[key][0] += len(g & e)
            counts[key][1] += len(g - e)
            counts[key][2] += len(e - g)
    clean = sum(1 for t in texts if not t["expected"])
    print(f"corpus: {len(texts)} texts ({clean} clean), {mentions} mentions, {matched} matched")
    print("| findings | known | found | false | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"| {key} | {tp + fn} | {tp} | {fp} | {fn} | {precision:.3f} | {recall:.3f} |")


_ENTRY_RE = re.compile(r"^(?:(?P<count>\d+) năm )?(?P<name>.+) \((?P<dates>[^()]+)\)$")


def _perturb(entry: str, what: str, rng: random.Random) -> str | None:
    m = _ENTRY_RE.match(entry)
    if m is None:
        return None
    if what == "count":
        if m["count"] is None:
            return None
        count = int(m["count"])
        new = rng.choice([n for n in range(1, count + 40) if n != count])
        return f"{new} năm {m['name']} ({m['dates']})"
    dates = m["dates"]
    tokens = list(re.finditer(r"\d+", dates))
    if what == "year":
        tokens = [t for t in tokens if len(t[0]) == 4]
    else:
        tokens = [
            t
            for t in tokens
            if re.match(r"\d{1,2}/\d{1,2}(?!\d)", dates[t.start() :])
            and (t.start() == 0 or dates[t.start() - 1] in " ,-")
        ]
    if not tokens:
        return None
    token = rng.choice(tokens)
    old = int(token[0])
    if what == "year":
        new = rng.choice([y for y in range(old - 30, old + 31) if y != old])
        value = str(new)
    else:
        new = rng.choice([d for d in range(1, 29) if d != old])
        value = f"{new:02d}" if token[0].startswith("0") else str(new)
    dates = dates[: token.start()] + value + dates[token.end() :]
    prefix = f"{m['count']} năm " if m["count"] else ""
    return f"{prefix}{m['name']} ({dates})"


def part2(lines: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    display = Display(lang="vi", show_lunar=False, color=False)
    scopes = [None, *SCOPES.ids()]
    false = checked = 0
    tried = {"count": 0, "year": 0, "day": 0}
    missed = {"count": 0, "year": 0, "day": 0}
    for _ in range(lines):
        year, month, scope = rng.randint(1950, 2045), rng.randint(1, 12), rng.choice(scopes)
        lineage = SCOPES.lineage(scope) if scope else None
        anns = [a for a in BUNDLED if lineage is None or a.scope in lineage]
        occs = occurrences(anns, *month_range(year, month))
        line = render_text(occs, display).rstrip("\n")
        report = check_lines([line], year=year, month=month, anniversaries=anns, expected=occs)
        checked += 1
        false += len(report.findings)
        entries = line.split("; ") if occs else []
        for index, entry in enumerate(entries):
            for what in tried:
                changed = _perturb(entry, what, rng)
                if changed is None:
                    continue
                text = "; ".join([*entries[:index], changed, *entries[index + 1 :]])
                again = check_lines(
                    [text], year=year, month=month, anniversaries=anns, expected=occs
                )
                tried[what] += 1
                if not any(f.kind.is_slip and f.text == changed for f in again.findings):
                    missed[what] += 1
    print(f"month lines: {checked} checked, {false} findings on unchanged lines")
    print("| perturbed | tried | found | recall |")
    print("|---|---:|---:|---:|")
    for what, n in tried.items():
        found = n - missed[what]
        print(f"| {what} | {n} | {found} | {found / n if n else 1:.3f} |")


def synthetic(n: int, seed: int = 5) -> list[Anniversary]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        name = "Ngày " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
        year = rng.randint(1900, 2015)
        month = rng.randint(1, 12)
        out.append(
            Anniversary(
                id=f"synthetic-{i}",
                name_vi=name,
                name_en=name,
                origin=Origin(year, month, rng.randint(1, 28)),
                category="dia-phuong",
                scope=rng.choice(["national", "province:quang-ninh", "city:cam-pha"]),
                source="synthetic",
            )
        )
    return out


def part3(sizes: list[int], rounds: int) -> None:
    profile = build_profile("cam-pha", "Ban Tuyên giáo Thành ủy Cẩm Phả", "city:cam-pha")
    print("| anniversaries | mentions | median ms | p90 ms |")
    print("|---:|---:|---:|---:|")
    draft = draft_directive(MemoryReader(BUNDLED), SCOPES, profile, 2025, 9, date(2025, 9, 2))
    source = read_bytes(document_bytes(draft), "draft.docx")
    for extra in [0, *sizes]:
        reader = MemoryReader([*BUNDLED, *synthetic(extra)])
        times = []
        mentions = 0
        for _ in range(rounds):
            start = time.perf_counter()
            report = proofread(
                reader, SCOPES, source.lines, year=2025, month=9, scope="city:cam-pha"
            )
            times.append((time.perf_counter() - start) * 1000)
            mentions = len(report.mentions)
            assert report.ok, report.slips  # the synthetic rows add omissions only
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        median = statistics.median(times)
        print(f"| {len(BUNDLED) + extra:,} | {mentions} | {median:.0f} | {p90:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    part1()
    part2(args.lines)
    part3([int(s) for s in args.sizes.split(",") if s], args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
