"""Build the bundled sampling frame (`frame.csv`) and the reference subset.

Run once from the project root: ``python data/frame/make_sample_frame.py SHARED_WILAYAH_CSV``.
Village codes and names are copied from the official Kemendagri 2025 list; listing counts,
targets and centroids are **illustrative** (see README.md): the real ones come from each
village's own migration records before fieldwork.
"""

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
# kecamatan code -> approximate centre (lat, lon) of the kecamatan, for GPS plausibility checks.
KECAMATAN = {
    "32.12.16": (-6.325, 108.305),  # Sindang, Indramayu (Desa Kenanga, 2016 pilot)
    "33.07.10": (-7.305, 109.875),  # Watumalang, Wonosobo (Desa Kuripan, 2016 pilot)
    "52.03.13": (-8.570, 116.585),  # Suralaga, Lombok Timur (Desa Anjani)
    "33.02.17": (-7.400, 109.150),  # Cilongok, Banyumas
    "33.01.14": (-7.300, 108.760),  # Majenang, Cilacap
    "35.02.05": (-7.960, 111.620),  # Sawoo, Ponorogo
    "35.05.04": (-8.150, 112.170),  # Kademangan, Blitar
}
VILLAGES_PER_KECAMATAN = 6
MUST_HAVE = {"32.12.16.2004", "33.07.10.2004", "52.03.13.2001"}
# A small PMI list that is fully enumerated (census stratum: all weights 1, zero variance).
CENSUS_PMI = {"52.03.13.2001": 17}


def main(wilayah_csv: str) -> None:
    with open(wilayah_csv, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_code = {r["kode"]: r for r in rows}
    rng = random.Random(2026)
    used: list[dict] = []
    frame: list[dict] = []
    for kec, (lat, lon) in KECAMATAN.items():
        desa = [r for r in rows
                if r["kode"].startswith(kec + ".2") and r["level"] == "desa_kelurahan"]
        keep = [r for r in desa if r["kode"] in MUST_HAVE]
        others = [r for r in desa if r["kode"] not in MUST_HAVE]
        keep += rng.sample(others, VILLAGES_PER_KECAMATAN - len(keep))
        kab, prov = kec[:5], kec[:2]
        used += [by_code[prov], by_code[kab], by_code[kec]]
        for v in sorted(keep, key=lambda r: r["kode"]):
            used.append(v)
            n_pmi = rng.randint(14, 140)
            n_pmi = CENSUS_PMI.get(v["kode"], n_pmi)
            n_non = rng.randint(120, 520)
            frame.append({
                "kode_kemendagri": v["kode"],
                "desa": v["nama"],
                "kode_kecamatan": kec,
                "kecamatan": by_code[kec]["nama"],
                "kode_kabupaten": kab,
                "kabupaten": by_code[kab]["nama"],
                "kode_provinsi": prov,
                "provinsi": by_code[prov]["nama"],
                "n_listed_pmi": n_pmi,
                "n_listed_non_pmi": n_non,
                "target_pmi": min(n_pmi, 18),
                "target_non_pmi": min(n_non, 12),
                "centroid_lat": round(lat + rng.uniform(-0.03, 0.03), 5),
                "centroid_lon": round(lon + rng.uniform(-0.03, 0.03), 5),
            })
    with open(HERE / "frame.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(frame[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(frame)
    seen: dict[str, dict] = {r["kode"]: r for r in used}
    out = HERE.parent / "reference" / "kemendagri_2025_subset.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["kode", "nama", "level"], lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(seen.values(), key=lambda r: r["kode"]))


if __name__ == "__main__":
    main(sys.argv[1])
