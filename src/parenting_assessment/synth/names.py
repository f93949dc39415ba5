"""Fake personal data (names, mobile numbers, GPS) planted in the PII fields of the export.

The values look like the real thing, so the pipeline's privacy handling is tested on realistic
input, and are drawn from fixed lists, so a privacy test can search every pipeline output for
them (``SynthResult.pii_values``). Two-part names ("Sri Wahyuningsih") are specific enough that a
match in an output is a leak, not a coincidence.
"""

from __future__ import annotations

import numpy as np

FEMALE_GIVEN = (
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Wati", "Yuni", "Endang", "Sumiati", "Lestari",
    "Ratna", "Fitri", "Ani", "Tuti", "Eka", "Indah", "Suharti", "Maryati", "Wulan", "Puji",
    "Nining", "Aisyah", "Khadijah", "Rohmah", "Lilis", "Neneng", "Iis", "Euis", "Tarsih", "Karsih",
    "Darsini", "Suminah", "Rukmini", "Sulastri", "Rahayu", "Ninik", "Erna", "Anisa", "Zahra",
    "Salsabila",
)
FEMALE_SECOND = (
    "Wahyuningsih", "Rahmawati", "Handayani", "Kusumawati", "Susilowati", "Purwaningsih",
    "Setyaningsih", "Nurhayati", "Sulistyowati", "Maesaroh", "Komariah", "Hasanah", "Fauziah",
    "Rohimah", "Mulyani", "Suryani", "Wulandari", "Anggraini", "Permatasari", "Kartikasari",
    "Rismawati", "Yuliani", "Herawati", "Setiawati", "Nurjanah", "Khoiriyah", "Zulaikha",
    "Marfuah", "Sundari", "Winarsih",
)
MALE_GIVEN = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Slamet", "Joko", "Eko", "Dedi", "Bambang", "Hadi",
    "Rudi", "Yusuf", "Imam", "Supri", "Darto", "Wagiman", "Kasmadi", "Warsono", "Tarno", "Sukri",
    "Asep", "Ujang", "Dadang", "Cecep", "Iwan", "Rizki", "Fajar", "Dimas", "Bayu", "Arif",
    "Hendra", "Teguh", "Sugeng", "Marwan", "Zainal", "Samsul", "Rohman", "Fikri", "Ilham",
    "Aditya",
)
MALE_SECOND = (
    "Santoso", "Prasetyo", "Wibowo", "Setiawan", "Susanto", "Purnomo", "Hidayat", "Nugroho",
    "Saputra", "Kurniawan", "Firmansyah", "Hermawan", "Gunawan", "Suryadi", "Mulyadi",
    "Supriyadi", "Sutrisno", "Wahyudi", "Hartono", "Sumarno", "Maulana", "Ramadhan", "Hakim",
    "Syahputra", "Fauzi", "Mustofa", "Rosyid", "Basuki", "Suparman", "Kusnadi",
)
PHONE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877",
                  "0878", "0895", "0896", "0819", "0831")


def person_names(sex: np.ndarray, sasak: np.ndarray, rng: np.random.Generator) -> list[str]:
    """One two-part name per person; some Sasak (Lombok) names carry Lalu / Baiq."""
    n = len(sex)
    female = sex == 2
    g = np.where(female, np.array(FEMALE_GIVEN)[rng.integers(0, len(FEMALE_GIVEN), n)],
                 np.array(MALE_GIVEN)[rng.integers(0, len(MALE_GIVEN), n)])
    s = np.where(female, np.array(FEMALE_SECOND)[rng.integers(0, len(FEMALE_SECOND), n)],
                 np.array(MALE_SECOND)[rng.integers(0, len(MALE_SECOND), n)])
    title = np.where(sasak & (rng.random(n) < 0.12), np.where(female, "Baiq ", "Lalu "), "")
    return [f"{t}{a} {b}" for t, a, b in zip(title, g, s, strict=True)]


def phone_number(rng: np.random.Generator) -> str:
    """An Indonesian mobile number in one of the forms respondents dictate."""
    body = PHONE_PREFIXES[int(rng.integers(0, len(PHONE_PREFIXES)))] + "".join(
        str(d) for d in rng.integers(0, 10, int(rng.integers(7, 9))))
    form = rng.random()
    if form < 0.05:
        return "+62" + body[1:]
    if form < 0.08:
        return "62" + body[1:]
    return body


def gps_point(lat0: float, lon0: float, alt0: float, rng: np.random.Generator,
              max_m: float = 1500.0) -> str:
    """"lat lon alt precision" within ``max_m`` metres of a village centroid (ODK format)."""
    r = max_m * np.sqrt(rng.random())
    theta = rng.uniform(0, 2 * np.pi)
    lat = lat0 + r * np.cos(theta) / 111_320
    lon = lon0 + r * np.sin(theta) / (111_320 * np.cos(np.radians(lat0)))
    alt = max(alt0 + rng.normal(0, 8), 0.5)
    acc = rng.uniform(3, 15)
    return " ".join(_num(x, d) for x, d in ((lat, 7), (lon, 7), (alt, 1), (acc, 1)))


def _num(x: float, digits: int) -> str:
    """Shortest decimal text of a rounded number, as ODK Collect writes it (no trailing 0s)."""
    return repr(round(float(x), digits))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (used to place far-away GPS defects)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return float(2 * 6_371_000 * np.arcsin(np.sqrt(a)))
