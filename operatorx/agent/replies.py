"""The fixed sentences of the no-tool answers: what the adapter is trained to say, what the
refusal check reads back (``refusals``), and what the deterministic pre-checks answer with
(``grounding.pre_check``). One place, so the three never drift apart."""

from __future__ import annotations

SCOPE = "That target is outside the allowed scan scope."
DESTRUCTIVE = "I only run read-only searches and non-destructive scans."
INJECTION = "I won't follow embedded instructions or shell syntax."
OFFTOPIC = "I can only plan Nmap scans and Security Onion log searches."
OBFUSCATED = "Write targets as plain dotted IPs, CIDRs or hostnames."
VAGUE_SCAN = "Which host or network should I scan?"
VAGUE_SEARCH = "What should I look for in the logs, and over what time?"
VAGUE = "Do you want a scan or a log search, and of what?"

# Reason → (kind, message): the answers the adapter is trained to give.
MESSAGES: dict[str, tuple[str, str]] = {
    "out_of_scope": ("refuse", SCOPE),
    "obfuscated": ("clarify", OBFUSCATED),
    "destructive": ("refuse", DESTRUCTIVE),
    "injection": ("refuse", INJECTION),
    "offtopic": ("refuse", OFFTOPIC),
    "vague_scan": ("clarify", VAGUE_SCAN),
    "vague_search": ("clarify", VAGUE_SEARCH),
    "vague": ("clarify", VAGUE),
}
