"""axe-core in the browser tests: inject the vendored axe.min.js into a page and run the WCAG 2
A and AA rules on it.

The app's Content-Security-Policy allows only its own script files, so the script is not added
as a <script> element (an inline one would be refused, and reported as a violation): it is
evaluated through the DevTools protocol, which the page's CSP does not govern.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def axe_source() -> str:
    """The vendored axe.min.js, after checking it against the SHA-256 in vendor/VERSIONS."""
    data = AXE.read_bytes()
    listed = next(
        line.split()[-1]
        for line in (VENDOR / "VERSIONS").read_text().splitlines()
        if line.startswith("axe.min.js ")
    )
    actual = hashlib.sha256(data).hexdigest()
    assert actual == listed, f"{AXE} has SHA-256 {actual}, vendor/VERSIONS says {listed}"
    return data.decode()


def violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; its violations of the WCAG 2 A/AA rules."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )
    return list(result)


def describe(found: list[dict[str, Any]]) -> str:
    """Each violation's rule, help and the elements it was found on, for an assertion message."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['summary']}".replace("\n", " "))
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    found = violations(page)
    assert not found, f"axe found violations on {page.url}:\n{describe(found)}"
