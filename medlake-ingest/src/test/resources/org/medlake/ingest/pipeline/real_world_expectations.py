#!/usr/bin/env python3
"""What lab_results must hold after ingesting the given deliveries, computed from the CSV files alone.

An independent re-implementation, with the Python standard library only, of the rules of
docs/sources.md that decide what a stored row looks like: the row filter (section 2, `filter`),
value maps and null values (2 and 3), the code dictionary (`code-lookup`), result kinds (4), units
and canonical values (5a) and abnormal flags (7). Which rows are rejected is not re-derived: the
generator's report names the defective lines of each file, and every other row of the file is
stored. Nothing of medlake is imported or called.

Usage: real_world_expectations.py JOB.json OUT.json

JOB.json: {"catalog": path of lab-tests.csv,
           "deliveries": [{"path", "hospital_id", "mapping" (the source mapping as JSON),
                           "dictionary" (path or null), "defective_lines": [line numbers]}]}
OUT.json: {"groups":    [{hospital_id, test_key, unit, rows, number, censored, range, titer,
                          ordinal, text, numeric_rows, numeric_mean}],
           "canonical": [{test_key, unit_canonical, rows, mean}],
           "flags":     [{hospital_id, abnormal_flag, delta_flag, rows}],
           "files":     [{path, stored_rows, filtered_rows}]}
test_key is the test code, or "local:" and the local code for a row without one; an absent unit,
flag or delta flag is "".
"""

import csv
import gzip
import json
import math
import re
import sys
from collections import defaultdict

KINDS = ["number", "censored", "range", "titer", "ordinal", "text"]

# section 7: flag codes in any case, and the words hospitals use
FLAG_CODES = {"N", "L", "H", "LL", "HH", "A"}
FLAG_WORDS = {"normal": "N", "abnormal": "A", "high": "H", "low": "L",
              "critical high": "HH", "critical low": "LL"}

# section 5a, step 2: whole spellings
UNIT_ALIASES = {"mmhg": "mm[Hg]", "cmh2o": "cm[H2O]", "ratio": "{ratio}", "index": "{index}",
                "inr": "{INR}", "thou/ul": "10*3/uL", "mil/ul": "10*6/uL", "mill/ul": "10*6/uL",
                "ml/min/1.73m2": "mL/min/{1.73_m2}"}
# step 5: units and prefixes used in laboratories, matched case-insensitively
UNITS = {"g": "g", "gm": "g", "l": "L", "mol": "mol", "eq": "eq", "osm": "osm", "kat": "kat",
         "u": "U", "[iu]": "[IU]", "iu": "[IU]", "m": "m", "m[hg]": "m[Hg]", "s": "s", "sec": "s",
         "secs": "s", "min": "min", "h": "h", "hr": "h", "hrs": "h", "d": "d", "wk": "wk",
         "mo": "mo", "%": "%", "[ph]": "[pH]", "ph": "[pH]", "[hpf]": "[HPF]", "hpf": "[HPF]",
         "[lpf]": "[LPF]", "lpf": "[LPF]", "{cells}": "{cells}", "cells": "{cells}"}
PREFIXES = [("mc", "u"), ("k", "k"), ("d", "d"), ("c", "c"), ("m", "m"), ("u", "u"), ("n", "n"),
            ("p", "p"), ("f", "f")]
PREFIX_SCALES = {"": 1.0, "k": 1e3, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9,
                 "p": 1e-12, "f": 1e-15}
COUNT_LETTERS = {"K": "10*3", "k": "10*3", "M": "10*6", "G": "10*9", "T": "10*12"}


def main(job_path, out_path):
    with open(job_path, encoding="utf-8") as job_file:
        job = json.load(job_file)
    catalog = read_catalog(job["catalog"])
    groups = defaultdict(lambda: {"rows": 0, "numeric": [], **{kind: 0 for kind in KINDS}})
    canonical = defaultdict(list)
    flags = defaultdict(int)
    files = []
    for delivery in job["deliveries"]:
        stored, filtered = 0, 0
        for row in stored_rows(delivery):
            if row is None:
                filtered += 1
                continue
            stored += 1
            group = groups[(delivery["hospital_id"], row["test_key"], row["unit"] or "")]
            group["rows"] += 1
            group[row["kind"]] += 1
            if row["value"] is not None:
                group["numeric"].append(row["value"])
                converted = canonical_value(catalog, row)
                if converted is not None:
                    canonical[(row["test_key"], converted[1])].append(converted[0])
            flags[(delivery["hospital_id"], row["flag"] or "", row["delta"] or "")] += 1
        files.append({"path": delivery["path"], "stored_rows": stored, "filtered_rows": filtered})
    result = {
        "groups": [{"hospital_id": key[0], "test_key": key[1], "unit": key[2], "rows": group["rows"],
                    **{kind: group[kind] for kind in KINDS},
                    "numeric_rows": len(group["numeric"]), "numeric_mean": mean(group["numeric"])}
                   for key, group in sorted(groups.items())],
        "canonical": [{"test_key": key[0], "unit_canonical": key[1], "rows": len(values),
                       "mean": mean(values)} for key, values in sorted(canonical.items())],
        "flags": [{"hospital_id": key[0], "abnormal_flag": key[1], "delta_flag": key[2], "rows": rows}
                  for key, rows in sorted(flags.items())],
        "files": files,
    }
    with open(out_path, "w", encoding="utf-8") as out_file:
        json.dump(result, out_file, indent=1)


def mean(values):
    return math.fsum(values) / len(values) if values else None


def read_catalog(path):
    with open(path, encoding="utf-8", newline="") as catalog_file:
        return {record["test_code"]: record for record in csv.DictReader(catalog_file)}


def physical_lines(path):
    """Lines numbered from 1 (the header), split at \\n, \\r\\n or a lone \\r (section 3)."""
    with open(path, "rb") as raw:
        data = raw.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return re.split(r"\r\n|\n|\r", text.rstrip("\r\n"))


def read_dictionary(path, names):
    """`code-lookup`: local code -> {test_code, unit}, by the default column names or `columns`."""
    if path is None:
        return {}
    local_code = names.get("local-code", "local_code")
    test_code = names.get("test-code", "test_code")
    unit = names.get("unit", "unit")
    dictionary = {}
    with open(path, encoding="utf-8", newline="") as dictionary_file:
        for record in csv.DictReader(dictionary_file):
            code = record[local_code].strip()
            if code:
                dictionary[code] = {"test_code": record[test_code].strip(),
                                    "unit": (record.get(unit) or "").strip()}
    return dictionary


def stored_rows(delivery):
    """Each data line that is not defective: a stored row, or None when the filter drops it."""
    mapping = delivery["mapping"]
    csv_options = mapping.get("csv", {})
    delimiter = csv_options.get("delimiter", ",")
    delimiter = "\t" if delimiter.lower() in ("\\t", "tab") else delimiter
    quote = csv_options.get("quote", '"')
    null_values = set(csv_options.get("null-values", [""]))
    decimal = mapping.get("decimal-separator", ".")
    columns = mapping.get("columns", {})
    constants = mapping.get("constants", {})
    value_maps = mapping.get("value-maps", {})
    row_filter = mapping.get("filter")
    dictionary = read_dictionary(delivery["dictionary"], mapping.get("code-lookup", {}).get("columns", {}))
    defective = set(delivery["defective_lines"])

    lines = physical_lines(delivery["path"])
    header = [name.strip() for name in next(csv.reader([lines[0]], delimiter=delimiter, quotechar=quote))]
    position = {}
    for index, name in enumerate(header):
        position.setdefault(name, index)

    for number, line in enumerate(lines[1:], start=2):
        if number in defective or line == "":
            continue
        cells = [cell.strip(" ") for cell in next(csv.reader([line], delimiter=delimiter, quotechar=quote))]
        if row_filter is not None and cells[position[row_filter["column"]]] not in row_filter["keep"]:
            yield None
            continue

        def field(key):
            if key in columns:
                cell = cells[position[columns[key]]]
            elif key in constants:
                cell = str(constants[key])
            else:
                return None
            mapped = value_maps.get(key, {})
            if cell in mapped:
                cell = mapped[cell]
                if cell is None or cell == "":
                    return None
            if cell in null_values:
                cell = None
            if cell is None and key in columns and key in constants:
                cell = str(constants[key])
            return cell

        local_code = field("local-code")
        entry = dictionary.get(local_code) if local_code is not None else None
        test_code = field("test-code")
        if test_code is None and entry is not None:
            test_code = entry["test_code"] or None
        unit = field("unit")
        if unit is None and entry is not None:
            unit = entry["unit"] or None
        kind, value = result_kind(field("result"), decimal)
        flag, delta = abnormal_flag(field("abnormal-flag"))
        yield {"test_key": test_code if test_code is not None else "local:" + local_code,
               "test_code": test_code, "unit": normalize_unit(unit), "kind": kind, "value": value,
               "flag": flag, "delta": delta}


def result_kind(result, decimal):
    """Section 4: the kind of a result and its value_numeric (number and censored only)."""
    digits = r"[0-9]+(?:" + re.escape(decimal) + r"[0-9]+)?|" + re.escape(decimal) + r"[0-9]+"
    number = r"[+-]?(?:" + digits + r")"
    unsigned = r"(?:" + digits + r")"
    if re.fullmatch(number, result):
        return "number", parse_number(result, decimal)
    censored = re.fullmatch(r"(<=|>=|<|>)\s*(" + number + r")", result)
    if censored:
        return "censored", parse_number(censored.group(2), decimal)
    if re.fullmatch(unsigned + r"\s*-\s*" + unsigned, result):
        return "range", None
    if re.fullmatch(r"(<=|>=|<|>)?\s*1\s*:\s*[0-9]+", result):
        return "titer", None
    if re.fullmatch(r"(?i)[1-4]\s*\+|\++|tr|trace|neg|negative", result):
        return "ordinal", None
    return "text", None


def parse_number(text, decimal):
    return float(text.replace(decimal, ".")) if decimal != "." else float(text)


def abnormal_flag(flag):
    """Section 7: (abnormal_flag, delta_flag) of the flag after value maps."""
    if flag is None:
        return None, None
    if flag.upper() in FLAG_CODES:
        return flag.upper(), None
    if flag.lower() in FLAG_WORDS:
        return FLAG_WORDS[flag.lower()], None
    if flag.lower() == "delta":
        return None, "Y"
    raise ValueError("a stored row has the flag " + repr(flag))


def normalize_unit(unit):
    """Section 5a: the unit cell as UCUM when understood, else as written."""
    if unit is None:
        return None
    text = "".join(unit.split()).replace("\u00b5", "u").replace("\u03bc", "u").replace("\u00d7", "x")
    if text.lower() in UNIT_ALIASES:
        return UNIT_ALIASES[text.lower()]
    text = re.sub(r"(?i)x?10(?:\^|e|\*)([0-9]+)", r"10*\1", text)
    count = re.match(r"([KkMGT])/", text)
    if count:
        text = COUNT_LETTERS[count.group(1)] + text[1:]
    parts = re.split(r"([/.])", text)
    normalized = []
    for part in parts:
        if part in ("/", ".", ""):
            normalized.append(part)
            continue
        component = normalize_component(part)
        if component is None:
            return unit.strip()
        normalized.append(component)
    return "".join(normalized)


def normalize_component(component):
    match = re.fullmatch(r"(.*?)(\{[^}]*\})?", component)
    base, annotation = match.group(1), match.group(2) or ""
    if base == "" or re.fullmatch(r"[0-9]+(?:\*[0-9]+)?", base):
        return base + annotation
    exponent = re.fullmatch(r"(.*?[^0-9])([0-9]*)", base)
    body, power = exponent.group(1), exponent.group(2)
    lower = body.lower()
    if lower in UNITS:
        return UNITS[lower] + power + annotation
    for written, prefix in PREFIXES:
        if lower.startswith(written) and lower[len(written):] in UNITS:
            return prefix + UNITS[lower[len(written):]] + power + annotation
    return None


def canonical_value(catalog, row):
    """Section 5a: (value_canonical, unit_canonical), or None when the value does not convert."""
    test = catalog.get(row["test_code"]) if row["test_code"] is not None else None
    if test is None or test["kind"] != "numeric" or test["unit"] == "":
        return None
    canonical_unit = test["unit"]
    if row["unit"] is None or row["unit"] == canonical_unit:
        return row["value"], canonical_unit
    factor = conversion_factor(row["unit"], canonical_unit, test.get("molar_mass") or None)
    return None if factor is None else (row["value"] * factor, canonical_unit)


def conversion_factor(unit, canonical_unit, molar_mass):
    """Mass or substance per volume only: g, mol over L with prefixes; mol to g by the molar mass."""
    written, canonical = per_volume(unit), per_volume(canonical_unit)
    if written is None or canonical is None:
        return None
    (written_kind, written_scale), (canonical_kind, canonical_scale) = written, canonical
    if written_kind == canonical_kind:
        return written_scale / canonical_scale
    if written_kind == "mol" and canonical_kind == "g" and molar_mass is not None:
        return written_scale * float(molar_mass) / canonical_scale
    return None


def per_volume(unit):
    match = re.fullmatch(r"([kdcmunpf]?)(g|mol)/([kdcmunpf]?)L", unit)
    if match is None:
        return None
    return match.group(2), PREFIX_SCALES[match.group(1)] / PREFIX_SCALES[match.group(3)]


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
