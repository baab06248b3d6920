"""Whether a decoding grammar lets an answer through at all.

The evaluation asks this of every expected answer: a record whose answer the planner's
grammar refuses can never be matched, so that miss belongs to the grounding, not to the
model. The check runs on a byte-level tokenizer, so it does not depend on any model's
vocabulary, and reads nothing but the schema and the answer's text.
"""

from __future__ import annotations

from functools import cache

import llguidance

from operatorx.backend.llama import MatcherCache

EOS = 256
_MATCHERS_KEPT = 256


class ByteTokenizer:
    """256 one-byte tokens and an end token: every text has exactly one tokenization."""

    eos_token_id = EOS
    bos_token_id = None
    tokens = [bytes([i]) for i in range(256)] + [b"<eos>"]

    def __call__(self, s: str | bytes) -> list[int]:
        return list(s if isinstance(s, bytes) else s.encode())


@cache
def byte_tokenizer() -> llguidance.LLTokenizer:
    return llguidance.LLTokenizer(llguidance.TokenizerWrapper(ByteTokenizer()))


@cache
def _matchers() -> MatcherCache:
    return MatcherCache(byte_tokenizer(), _MATCHERS_KEPT)


def admits(schema: dict, text: str) -> bool:
    """True when ``schema`` (a decoding schema, as the planner builds it) accepts ``text``
    whole, followed by the end of the answer."""
    m = _matchers().fresh(schema)
    return bool(m.consume_tokens(list(text.encode())) and m.is_accepting() and m.consume_token(EOS))
