"""Speed and memory of `geomap gazetteer import geonames` on a synthetic dump.

    python benchmarks/import_geonames.py [--lines 1000000] [--gazetteer gazetteer/geomap.sqlite]

Writes a dump of LINES lines in the GeoNames format (a mix of classes as in allCountries: 40 % P,
25 % H, 20 % T, 15 % S; eight alternate names a line, some Cyrillic), imports it with classes P,H,T
into a copy of the gazetteer in a temporary folder, and prints lines per second and the peak memory
of the importing process. Goal: constant memory (the same peak for 200,000 and 1,000,000 lines).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASSES = [("P", "PPL")] * 8 + [("H", "STM")] * 5 + [("T", "MT")] * 4 + [("S", "FRM")] * 3


def write_dump(path: Path, lines: int) -> None:
    rng = random.Random(13)
    syllables = ["ka", "ro", "mi", "lev", "do", "sha", "vin", "tor", "bel", "nu", "zar", "os"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            digits, n = [], i
            while True:  # every name different, as in the real dump (so the name cache does not flatter it)
                n, digit = divmod(n, len(syllables))
                digits.append(syllables[digit])
                if not n:
                    break
            name = (rng.choice(syllables) + "".join(digits)).title()
            alternates = ",".join([f"{name} {s}" for s in ("Dolny", "Gorny", "Stary", "Novy", "Maly")]
                                  + ["Новый", "Старый", f"{name.upper()[:3]}"])
            cls, code = rng.choice(CLASSES)
            out.write("\t".join(map(str, (
                90_000_000 + i, name, name, alternates, round(rng.uniform(-60, 70), 5), round(rng.uniform(-180, 180), 5),
                cls, code, "UA", "", f"{rng.randint(1, 27):02d}", "", "", "", rng.choice((0, 0, 120, 3400)), "", 150,
                "Europe/Kyiv", "2024-01-01"))) + "\n")


def run(lines: int, gazetteer: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dump, target = Path(tmp) / "synthetic.txt", Path(tmp) / "geomap.sqlite"
        write_dump(dump, lines)
        shutil.copyfile(gazetteer, target)
        size = target.stat().st_size
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "geomap", "gazetteer", "import", "geonames", str(dump),
                        "--classes", "P,H,T", "--gazetteer", str(target)], check=True)
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{lines:,} lines ({dump.stat().st_size / 1e6:.0f} MB): {seconds:.1f} s, {lines / seconds:,.0f} lines/s "
              f"(whole command), peak memory of the import {peak:.0f} MB (the most of any child so far), "
              f"gazetteer {size / 1e6:.1f} -> {target.stat().st_size / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--gazetteer", type=Path, default=ROOT / "gazetteer" / "geomap.sqlite")
    args = ap.parse_args()
    for lines in sorted({args.lines // 5, args.lines}):  # smaller first: its peak must not be exceeded much
        run(lines, args.gazetteer)


if __name__ == "__main__":
    main()
