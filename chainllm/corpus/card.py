"""The human-readable dataset card (README.md with Hugging Face front matter), rendered from
the machine-readable ``dataset_card.json``."""

from __future__ import annotations

from typing import Any


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render_readme(card: dict[str, Any]) -> str:
    counts = card["counts"]
    dedup = card["dedup"]
    licenses = sorted(card["licenses"])
    front = [
        "---",
        "language: [code]",
        "pretty_name: chainllm Solidity corpus",
        "tags: [solidity, smart-contracts, code]",
        "license: other",
        f"license_details: per-file SPDX; allowed here: {', '.join(licenses) or 'none'}",
        "configs:",
        "- config_name: default",
        "  data_files:",
        *[f"  - split: {s}\n    path: data/{s}-*.parquet" for s in card["splits"]],
        "---",
    ]
    parts = [
        "\n".join(front),
        f"# Solidity corpus `{card['name']}`",
        f"Built by {card['generator']}. One row per Solidity file (columns: {', '.join(card['schema'])}).",
        f"**Content hash** (`content_sha256`): `{card['content_sha256']}`  \n"
        f"_{card['content_sha256_method']}._",
        "## Counts",
        _table(
            ["files seen", "unreadable", "licence-excluded", "exact duplicates", "kept", "bytes"],
            [
                [
                    counts["files_seen"],
                    sum(counts["unreadable"].values()),
                    counts["license_excluded_total"],
                    counts["exact_duplicates"],
                    counts["kept"],
                    card["bytes"],
                ]
            ],
        ),
        "## Splits (assigned per near-duplicate cluster)",
        _table(
            ["split", "rows", "ratio"],
            [[s, n, card["split"]["ratios"][s]] for s, n in card["splits"].items()],
        ),
        "## Sources",
        _table(
            ["spec", "origin", "files", "kept", "skipped", "note"],
            [
                [
                    f"`{s['spec']}`",
                    f"`{s['origin']}`",
                    s["files"],
                    s["kept"],
                    s["skipped"],
                    (f"{s['match']} match" if "match" in s else s.get("package_license", "")),
                ]
                for s in card["sources"]
            ],
        ),
    ]
    if card["pending_sources"]:
        parts += [
            "Not crawled yet (re-run to resume):",
            "\n".join(f"- `{p['spec']}`: {p['error']}" for p in card["pending_sources"]),
        ]
    parts += [
        "## Licences kept",
        _table(["SPDX", "files"], [[k, v] for k, v in card["licenses"].items()]),
        "Excluded by the licence policy: "
        + (", ".join(f"{k}: {v}" for k, v in counts["license_excluded"].items()) or "none")
        + ".  \nUnreadable or unsafe: "
        + (", ".join(f"{k}: {v}" for k, v in counts["unreadable"].items()) or "none")
        + ".",
        "## Deduplication",
        f"Exact: {dedup['exact']} ({counts['exact_duplicates']} duplicates dropped).  \n"
        f"Near: {dedup['near']}; {dedup['num_perm']} permutations, {dedup['bands']} bands, "
        f"{dedup['shingle_tokens']}-token shingles, Jaccard >= {dedup['threshold']}.  \n"
        f"{dedup['clusters']} clusters; {dedup['multi_file_clusters']} hold more than one file "
        f"({dedup['files_in_multi_file_clusters']} files, largest {dedup['largest_cluster']}).",
        "## Scrubbed from comments",
        ", ".join(f"{k}: {v}" for k, v in card["scrubbed"].items()) or "nothing",
    ]
    if card.get("compile_check"):
        cc = card["compile_check"]
        parts += [
            "## Compile check",
            f"{cc['compiles']} compile, {cc['fails']} fail, {cc['no_compiler']} without a matching compiler.",
        ]
    parts += [
        "## Loading",
        '```python\nimport datasets\nds = datasets.load_dataset("parquet", data_dir="PATH/TO/THIS/FOLDER")\n'
        '# or: from chainllm.corpus import load; ds = load("PATH")\n```',
    ]
    return "\n\n".join(parts) + "\n"
