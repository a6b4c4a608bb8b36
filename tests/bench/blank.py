#!/usr/bin/env python3
"""Copies Markdown posts into a folder with their eight filled fields emptied (fresh drafts), and
can glue post bodies into long synthetic posts. Used by tests/bench/run.sh; the copies live in a
temporary folder and are deleted after the run (corpus text never goes into the repository).

    blank.py copy SRC_DIR DST_DIR
    blank.py long SRC_DIR DST_DIR BYTES COUNT  # COUNT fresh drafts of about BYTES each, made of
                                               # consecutive bodies cut at a paragraph end
"""

import os
import sys

FIELDS = {
    "tags": "[]",
    "summary": "''",
    "category": "''",
    "area": "''",
    "people": "[]",
    "companies_orgs": "[]",
    "products_models": "[]",
    "media_books": "[]",
}


def split(text):
    """Returns (front matter lines, body) of a post with `---` fences, or (None, text)."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return None, text
    return text[4:end].split("\n"), text[end + 5 :]


def blank(lines):
    out, skipping = [], False
    for line in lines:
        key = line.split(":", 1)[0] if line and not line[0].isspace() and line[0] != "-" else None
        if key is not None:
            skipping = key in FIELDS
            out.append(f"{key}: {FIELDS[key]}" if skipping else line)
        elif not skipping:
            out.append(line)
    return out


def fresh(text):
    lines, body = split(text)
    if lines is None:
        return None
    return "---\n" + "\n".join(blank(lines)) + "\n---\n" + body


def posts(src):
    return sorted(
        os.path.join(src, n) for n in os.listdir(src) if n.endswith(".md")
    )


def copy(src, dst):
    os.makedirs(dst, exist_ok=True)
    for path in posts(src):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        out = fresh(text)
        with open(os.path.join(dst, os.path.basename(path)), "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text if out is None else out)


def long(src, dst, size, count):
    os.makedirs(dst, exist_ok=True)
    paths = posts(src)
    at = 0
    for n in range(count):
        with open(paths[at % len(paths)], encoding="utf-8", errors="replace") as f:
            lines, body = split(f.read())
        at += 1
        parts, total = [body], len(body.encode())
        while total < size:
            with open(paths[at % len(paths)], encoding="utf-8", errors="replace") as f:
                _, more = split(f.read())
            at += 1
            parts.append(more)
            total += len(more.encode())
        text = "\n\n".join(parts).encode()
        cut = text.rfind(b"\n\n", 0, size)
        text = text[: cut if cut > size // 2 else size].decode("utf-8", errors="ignore")
        head = "---\n" + "\n".join(blank(lines or [])) + "\n---\n"
        with open(os.path.join(dst, f"long-{size}-{n:03}.md"), "w", encoding="utf-8") as f:
            f.write(head + text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "copy":
        copy(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "long":
        long(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
