#!/usr/bin/env python3
"""Writes docs/import-format.md from the field tables in crates/domain/src/model.rs and the
Indonesian labels in crates/domain/locales/id.ftl. Run after changing a field."""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
src = (root / "crates/domain/src/model.rs").read_text()
ftl = dict(
    l.split(" = ", 1)
    for l in (root / "crates/domain/locales/id.ftl").read_text().splitlines()
    if l.startswith("field-")
)
consts = {
    m.group(1): re.findall(r'"(\w+)"', m.group(2))
    for m in re.finditer(r"pub const (\w+): &\[&str\] = &\[(.*?)\];", src, re.S)
}


def entries(body):
    """Top-level `req(...)`, `f(...)`, `alias(...)` calls of a field table, as (kind, text)."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(body):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                kind = re.search(r"(\w+)\s*$", body[:start]).group(1)
                out.append((kind, body[start + 1 : i]))
    return out


def fields(name):
    body = src.split(f"pub const {name}: &[Field] = &[")[1].split("\n];")[0]
    out = []
    for kind, text in entries(body):
        key, rest = re.match(r'\s*"(\w+)",\s*(.*)', text, re.S).groups()
        aliases = re.findall(r'"(\w+)"', rest.split("&[")[-1]) if "&[" in rest else []
        if 'Kind::Code(&["L", "P"])' in rest:
            aliases = re.findall(r'"(\w+)"', rest.split("&[")[-1])
            typ = "`L` / `P` (also laki-laki, perempuan)"
        elif "Kind::Code(" in rest:
            c = re.search(r"Kind::Code\((\w+)\)", rest).group(1)
            typ = "one of: " + ", ".join(f"`{x}`" for x in consts[c])
        elif "YES_NO" in rest:
            typ = "`ya` / `tidak`"
        elif "DATE" in rest:
            typ = "date: `dd-mm-yyyy` or `yyyy-mm-dd`"
        elif "Kind::Int" in rest:
            m = re.search(r"min:\s*([\d_]+),\s*max:\s*([\d_]+)", rest)
            typ = f"whole number {m.group(1)}–{m.group(2)}".replace("_", ".")
        elif "Kind::Num" in rest:
            typ = "decimal (comma or dot), 2 places kept"
        else:
            m = re.search(r"max_len:\s*(\d+)", rest)
            typ = f"text, up to {m.group(1) if m else 200} characters"
        out.append((key, kind == "req", typ, aliases))
    return out


doc = (root / "scripts/import-format.head.md").read_text().rstrip("\n").split("\n")
doc += [
    "",
    "| column | level | required | meaning (Indonesian label) | values | aliases |",
    "|---|---|---|---|---|---|",
]
for level, name in (("keluarga", "FAMILY_FIELDS"), ("anggota", "PERSON_FIELDS")):
    for key, req, typ, al in fields(name):
        aliases = ", ".join(f"`{a}`" for a in al)
        doc.append(
            f"| `{key}` | {level} | {'**ya**' if req else ''} | {ftl.get('field-' + key, '')} | {typ} | {aliases} |"
        )
doc += (root / "scripts/import-format.tail.md").read_text().rstrip("\n").split("\n")
(root / "docs/import-format.md").write_text("\n".join(doc) + "\n")
