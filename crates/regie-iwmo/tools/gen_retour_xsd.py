#!/usr/bin/env python3
"""Derives the iWmo 3.2 retour XSDs (WMO302, 306, 308, 316, 318, 320, 325) from
the structure tables in `docs/Master overview iWmo XSD schema's.md` of the
reference folder. The official retour XSDs are not available to the project;
the tables give every complexType's children with type and cardinality, which
is all an XSD sequence needs. `ref` rows (BerichtCode, BerichtVersie,
BerichtSubversie) become the same fixed-pattern restrictions the heen XSDs use,
with the retour's own BerichtCode (COD002).

Usage: python3 tools/gen_retour_xsd.py REFERENCE_DIR OUT_DIR
"""
import re
import sys
from pathlib import Path

BERICHTCODE = {"WMO302": "415", "WMO306": "419", "WMO308": "421", "WMO316": "445",
               "WMO318": "481", "WMO320": "483", "WMO325": "485"}
FIXED = {"BerichtCode": ("iwmo:LDT_BerichtCode", None), "BerichtVersie": ("iwmo:LDT_BerichtVersie", "3"),
         "BerichtSubversie": ("iwmo:LDT_BerichtSubversie", "2")}

ref = Path(sys.argv[1])
out = Path(sys.argv[2])
doc = (ref / "docs" / "Master overview iWmo XSD schema’s.md").read_text(encoding="utf-8")
parts = re.split(r"^## Samenvatting \*\*(\w+)\.xsd\*\*", doc, flags=re.M)
for i in range(1, len(parts), 2):
    name, body = parts[i], parts[i + 1]
    if name not in BERICHTCODE:
        continue
    prefix = name.lower()
    ns = re.search(r"targetNamespace\*\*: `([^`]*)`", body).group(1)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- Derived by regie-iwmo tools/gen_retour_xsd.py from the {name} table in",
        "     'Master overview iWmo XSD schema’s.md' (iWmo 3.2); not an official Zorginstituut file. -->",
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" '
        f'xmlns:{prefix}="{ns}" targetNamespace="{ns}" elementFormDefault="qualified">',
        '\t<xs:import namespace="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" schemaLocation="basisschema.xsd"/>',
        f'\t<xs:element name="Bericht" type="{prefix}:Root"/>',
    ]
    for m in re.finditer(r"^### (\w+)\n(.*?)(?=^### |\Z)", body, re.S | re.M):
        ctype, table = m.group(1), m.group(2)
        rows = [r for r in re.findall(r"^\| (\w+) \| ([^|]+) \| ([^|]+) \|", table, re.M) if r[0] != "Child"]
        if not rows:
            continue
        lines.append(f'\t<xs:complexType name="{ctype}">')
        lines.append("\t\t<xs:sequence>")
        for el, typ, card in rows:
            typ, card = typ.strip(), card.strip()
            lo, hi = card.split("..")
            occ = ("" if lo == "1" else f' minOccurs="{lo}"') + ("" if hi == "1" else f' maxOccurs="{hi}"')
            if typ == "ref":
                base, val = FIXED[el]
                val = val or BERICHTCODE[name]
                lines.append(f'\t\t\t<xs:element name="{el}"{occ}><xs:simpleType><xs:restriction base="{base}">'
                             f'<xs:pattern value="{val}"/></xs:restriction></xs:simpleType></xs:element>')
            else:
                lines.append(f'\t\t\t<xs:element name="{el}" type="{typ}"{occ}/>')
        lines.append("\t\t</xs:sequence>")
        lines.append("\t</xs:complexType>")
    lines.append("</xs:schema>")
    (out / f"{name}.xsd").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("wrote", name)
