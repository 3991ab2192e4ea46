"""Build ``src/spbe/evaluation/methodologies/*.json`` from the research files.

    python tools/build_methodologies.py ../shared/research/spbe-methodologies

The research files (one per methodology, read from the regulations and their transcriptions,
with sources and confidence) use their own Indonesian schema; the product reads a smaller one
(methodology.py). This script is the only bridge: rerun it when the research changes, review
the diff, commit the output. English names and the product's own links between indicators
(``related``, ``chosen_from_applications``) are kept from the current output files.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "spbe" / "evaluation" / "methodologies"
STAGES = ["self_assessment", "document", "interview", "field_visit"]
SCALE_CODES = {"proses": "process", "layanan": "service", "kematangan": "maturity", "kepuasan": "satisfaction"}
PREDICATE_EN = {"Memuaskan": "Excellent", "Sangat Baik": "Very good", "Baik": "Good", "Cukup": "Fair", "Kurang": "Poor"}
ASPECT_EN = {  # the IPD aspects; SPBE names are kept from the current files
    "Strategi dan Rencana": "Strategy and planning",
    "Tata Kelola dan Manajemen": "Governance and management",
    "Teknologi Digital": "Digital technology",
    "Audit Teknologi Digital": "Digital technology audit",
    "Keamanan Siber": "Cyber security",
    "Kapabilitas dan Budaya Digital": "Digital capability and culture",
    "Pengelolaan dan Pemanfaatan Data dan Informasi": "Data and information management and use",
    "Keterpaduan Layanan Digital Pemerintah": "Integration of government digital services",
    "Kepuasan Pengguna Layanan Digital Pemerintah": "Satisfaction of government digital service users",
    "Penyelenggara": "Providers",
    "Data": "Data",
    "Keamanan Pemdi": "Digital government security",
    "Teknologi Pemdi": "Digital government technology",
    # PermenPANRB 5/2018 domains and aspects
    "Kebijakan Internal SPBE": "Internal SPBE policy",
    "Tata Kelola SPBE": "SPBE governance",
    "Layanan SPBE": "SPBE services",
    "Kebijakan Internal Tata Kelola SPBE": "Internal governance policies",
    "Kebijakan Internal Layanan SPBE": "Internal service policies",
    "Kelembagaan": "Institutions",
    "Strategi dan Perencanaan": "Strategy and planning",
    "Teknologi Informasi dan Komunikasi": "Information and communication technology",
    "Layanan Administrasi Pemerintahan Berbasis Elektronik": "Electronic government administration services",
    "Layanan Publik Berbasis Elektronik": "Electronic public services",
}


def _current(code: str) -> dict:
    """English names and product links from the file being replaced, by indicator number."""
    path = OUT / f"{code}.json"
    if not path.is_file():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    kept = {}
    for group in doc.get("domains", []) + doc.get("aspects", []):
        for aspect in group.get("aspects", [group]):
            kept[("aspect", aspect["number"])] = aspect.get("name_en")
            for i in aspect.get("indicators", []):
                kept[i["number"]] = {k: i[k] for k in ("name_en", "related", "chosen_from_applications") if k in i}
        kept[("domain", group["number"])] = group.get("name_en")
    return kept


def _predicates(research: dict) -> list[dict]:
    bands = []
    for band in research["predicates"]["bands"]:
        name = band["predikat"]
        entry = {"min": band["min"] or "0", "name": name, "name_en": PREDICATE_EN[name]}
        if band.get("label"):
            entry["label"] = band["label"]
        bands.append(entry)
    return bands


def _level_texts(indicator: dict) -> tuple[dict, dict]:
    criteria, alternative = {}, {}
    for level in indicator.get("levels", []):
        criteria[str(level["level"])] = level["kriteria"]
        if level.get("kriteria_alfiyansys") and not level.get("two_transcriptions_agree", True):
            alternative[str(level["level"])] = level["kriteria_alfiyansys"]
    return criteria, alternative


def _guidance(indicator: dict) -> dict:
    """Explanation, how it is assessed and the evidence per level, from the guideline transcription."""
    penjelasan = indicator.get("penjelasan") or {}
    guide = penjelasan.get("pedoman_teknis_lembanoyoga") or penjelasan
    out = {}
    if guide.get("penjelasan_indikator"):
        out["explanation"] = [line.strip() for line in guide["penjelasan_indikator"] if line.strip()]
    if guide.get("penjelasan_penilaian"):
        out["assessment_note"] = guide["penjelasan_penilaian"]
    if guide.get("penjelasan_bukti_dukung"):
        out["evidence_hints"] = [guide["penjelasan_bukti_dukung"]]
    if guide.get("data_pendukung"):
        out["evidence_hints"] = [guide["data_pendukung"]] if isinstance(guide["data_pendukung"], str) else guide["data_pendukung"]
    by_level, fulfilment = {}, {}
    for level in guide.get("levels", []):
        if level.get("kriteria_bukti_dukung"):
            by_level[str(level["level"])] = level["kriteria_bukti_dukung"]
        if level.get("kriteria_pemenuhan_level"):
            fulfilment[str(level["level"])] = level["kriteria_pemenuhan_level"]
    for level in guide.get("penjelasan_tingkat", []):
        fulfilment[str(level["level"])] = level["text"]
    if by_level:
        out["evidence_by_level"] = by_level
    if fulfilment:
        out["fulfilment"] = fulfilment
    if penjelasan and not penjelasan.get("in_regulation", True):
        out["guidance_source"] = "Pedoman teknis (transkripsi sekunder); lampiran peraturan tidak memuat penjelasan indikator."
    return out


def _indicator(i: dict, kept: dict, *, value_source: str = "levels") -> dict:
    criteria, alternative = _level_texts(i)
    out = {
        "number": i["no"], "code": i.get("code", f"I{i['no']:02d}"), "name": i["name"],
        "name_en": kept.get(i["no"], {}).get("name_en", i["name"]), "weight": i["weight"],
        "scale": SCALE_CODES.get(i.get("scale_type") or "kematangan", "maturity"),
    }
    if i.get("question"):
        out["question"] = i["question"]
    if criteria:
        out["criteria"] = criteria
    if alternative:
        out["criteria_alternative"] = alternative  # where the two transcriptions of 5/2018 disagree
    out.update(_guidance(i))
    if i.get("errata"):
        out["errata"] = " ".join(i["errata"])
    if i.get("source", {}).get("page_questionnaire"):
        out["page"] = i["source"]["page_questionnaire"]
    if i.get("external_index"):
        out["external_index"] = i["external_index"]
    if value_source != "levels":
        out["value_source"] = value_source
    for key in ("related", "chosen_from_applications"):
        if key in kept.get(i["no"], {}):
            out[key] = kept[i["no"]][key]
    return out


def _check_weights(doc: dict) -> None:
    groups = doc.get("domains") or [{"aspects": doc["aspects"], "weight": "100"}]
    total = sum(Decimal(a["weight"]) for d in groups for a in d["aspects"])
    assert total == 100, f"{doc['code']}: weights sum to {total}"


def _spbe(research: dict, code: str, name_en: str, extra: dict) -> dict:
    kept = _current(code)
    scale = research["scale"]
    scales = {}
    for kind, spec in (scale.get("types") or {}).items():
        scales[SCALE_CODES[kind]] = {"name": spec["name"], "levels": {str(lv["level"]): lv["name"] for lv in spec["levels"]}}
    domains = []
    for d in research["structure"]["domains"]:
        aspects = []
        for a in d["aspects"]:
            aspects.append({"number": a["no"], "name": a["name"], "name_en": kept.get(("aspect", a["no"])) or ASPECT_EN.get(a["name"], a["name"]),
                            "weight": a["weight"], "indicators": [_indicator(i, kept) for i in a["indicators"]]})
        domains.append({"number": d["no"], "name": d["name"], "name_en": kept.get(("domain", d["no"])) or ASPECT_EN.get(d["name"], d["name"]),
                        "weight": d["weight"], "aspects": aspects})
    doc = {
        "code": code, "name": research["title"], "name_en": name_en, "version": "2",
        **extra,
        "levels": {"min": scale["min"], "max": scale["max"]},
        "rounding": {"places": 2, "mode": "ROUND_HALF_UP"}, "predicate_basis": "rounded",
        "predicates": _predicates(research), "target_level": 3, "scales": scales, "stages": STAGES,
        "sources": [{k: s[k] for k in ("id", "type", "reliability", "citation", "location") if k in s} for s in research["sources"]],
        "domains": domains,
    }
    _declare_dependencies(doc)
    _check_weights(doc)
    return doc


def _declare_dependencies(doc: dict) -> None:
    """For the gap planner: an indicator that implements a policy (domains 2–4) depends on the
    policy indicator it is related to (domain 1). A product rule, not the regulation's: the
    policy is set first, so the planner never takes the implementation more than one level
    past it."""
    if not doc["domains"]:
        return
    policy = {i["number"] for a in doc["domains"][0]["aspects"] for i in a["indicators"]}
    for domain in doc["domains"][1:]:
        for aspect in domain["aspects"]:
            for indicator in aspect["indicators"]:
                needs = [n for n in indicator.get("related", []) if n in policy]
                if needs:
                    indicator["depends_on"] = needs
    doc["planner"] = {
        "dependency_rule": "An indicator may be planned at most one level above each policy indicator it depends on.",
        "effort_by_scale": {"process": 1, "service": 2},
        "effort_note": "Raising an indicator to level n costs n × the scale's factor (a service needs a system built, "
                       "a process indicator mostly documents and decisions); coordinators may override per indicator.",
    }


def _ipd(research: dict, code: str, name_en: str, extra: dict, survey_aspects: set[int]) -> dict:
    kept = _current(code)
    scale = research["scale"]
    names = {str(lv["level"]): lv["name"] for lv in scale.get("aspects_1_8", {}).get("levels", [])}
    scales = {"maturity": {"name": "Tingkat Kematangan", "levels": names}} if names else {}
    survey = scale.get("aspect_9", {})
    if survey:
        labels = survey["nilai_kepuasan_pengguna"]["answer_scale"]
        scales["satisfaction"] = {"name": "Tingkat Kepuasan", "levels": labels}
    aspects = []
    for a in research["structure"]["aspects"]:
        source = "survey" if a["no"] in survey_aspects else "levels"
        aspects.append({
            "number": a["no"], "name": a["name"], "name_en": ASPECT_EN.get(a["name"], a["name"]), "weight": a["weight"],
            "indicators": [_indicator(i, kept, value_source=source) for i in a["indicators"]],
        })
    doc = {
        "code": code, "name": research["title"], "name_en": name_en, "version": "1", **extra,
        "levels": {"min": scale["min"], "max": scale["max"]},
        "rounding": {"places": 2, "mode": "ROUND_HALF_UP"}, "predicate_basis": "rounded",
        "predicates": _predicates(research), "target_level": 3, "scales": scales, "stages": STAGES,
        "sources": [{k: s[k] for k in ("id", "type", "reliability", "citation", "location") if k in s} for s in research["sources"]],
        "aspects": aspects,
    }
    if survey:
        bands = survey["conversion_to_level"]["bands"]
        doc["survey"] = {
            "rule": "x = nk − nb; level by band of x",
            "explanation": survey["nilai_kepuasan_pengguna"]["nk"] + " (nk) dikurangi " + survey["nilai_kepuasan_pengguna"]["nb"]
                           + " (nb), keduanya rata-rata jawaban skala 1–5; x dari −4 sampai 4.",
            "answer_min": 1, "answer_max": 5,
            "bands": [{"x_min": b["x_min"] or "-4", "level": b["level"]} for b in bands],
            "ambiguity": survey.get("ambiguity", ""),
        }
    _check_weights(doc)
    return doc


def main(research_dir: str) -> None:
    src = Path(research_dir)
    read = lambda name: json.loads((src / f"{name}.json").read_text(encoding="utf-8"))  # noqa: E731
    outputs = {
        "permenpanrb-5-2018": _spbe(read("permenpanrb-5-2018"), "permenpanrb-5-2018",
                                    "Minister of Administrative and Bureaucratic Reform Regulation 5/2018 on SPBE evaluation",
                                    {"effective_from": "2018-01-01", "years": [2018, 2019, 2020], "status": "reconstructed",
                                     "status_note": "Disusun ulang dari dua transkripsi dan dek resmi KemenPANRB; naskah peraturan tidak terbaca. "
                                                    "Bobot 17/28/55 mereproduksi indeks Denpasar 2018 (2,64)."}),
        "permenpanrb-59-2020": _spbe(read("permenpanrb-59-2020"), "permenpanrb-59-2020",
                                     "Minister of Administrative and Bureaucratic Reform Regulation 59/2020 on SPBE monitoring and evaluation",
                                     {"effective_from": "2021-01-01", "years": [2021, 2022, 2023, 2025], "status": "official",
                                      "status_note": "Kriteria tiap tingkat disalin apa adanya dari Lampiran (hlm. 30–77), termasuk cacat naskah yang ditandai."}),
        "ipd-konsep-2025": _ipd(read("ipd-konsep-2025"), "ipd-konsep-2025",
                                "Digital Government Index, 2025 concept (letter B/66/PD.02/2025)",
                                {"effective_from": "2025-04-21", "years": [], "status": "concept",
                                 "status_note": "Konsep yang disosialisasikan, bukan peraturan; kriteria tiap tingkat belum ditemukan."}, {9}),
        "ipd-2026": _ipd(read("ipd-2026"), "ipd-2026",
                         "Digital Government Index (PermenPANRB 8/2026, as reported)",
                         {"effective_from": "2026-06-05", "years": list(range(2026, 2031)), "status": "reported",
                          "status_note": "Dilaporkan oleh beberapa repositori pemerintah daerah, belum diperiksa terhadap naskah resmi; "
                                         "kriteria tiap tingkat dan metode survei kepuasan belum ditemukan."}, set()),
    }
    for code, doc in outputs.items():
        (OUT / f"{code}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # The 2024 instrument: 59/2020 with indicators that a period may switch off (no published list).
    instrument = {
        "code": "evaluasi-2024", "extends": "permenpanrb-59-2020",
        "name": "Instrumen Evaluasi SPBE 2024 (PermenPANRB 59/2020, 45 indikator)",
        "name_en": "SPBE evaluation instrument 2024 (Regulation 59/2020, 45 indicators)",
        "version": "1", "years": [2024], "status": "provisional", "optional_indicators": True,
        "status_note": "Sementara: hasil 2024 ditetapkan KepmenPANRB 663/2024 dengan 45 indikator, tetapi daftar indikator "
                       "yang tidak dinilai belum ditemukan. Matikan indikator pada periode setelah juknis 2024 diperoleh; "
                       "indeks dihitung dari bobot indikator yang aktif.",
    }
    (OUT / "evaluasi-2024.json").write_text(json.dumps(instrument, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[2] / "shared" / "research" / "spbe-methodologies"))
