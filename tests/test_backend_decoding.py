"""Pure backend helpers (no model): the decoder's loop breaker, the chat template a GGUF asks for."""

from __future__ import annotations

from operatorx.backend.llama import loop_token


def test_short_cycles_are_caught():
    assert loop_token([9, 1, 2, 1, 2, 1, 2, 1, 2]) == 1  # "500.500.500.500." → ban the next "500"
    assert loop_token([5] * 16) == 5
    block = list(range(10, 22))  # a whole condition repeated three times
    assert loop_token([1, 2] + block * 3) == block[0]


def test_real_values_are_not_cycles():
    assert loop_token([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]) is None  # 1000000000: digits are single tokens
    assert loop_token([7, 3, 8, 3, 8, 3, 8]) is None  # 10.0.0.0: ".0" three times
    assert loop_token([1, 2, 1, 2, 1, 2, 1, 3]) is None  # broken cycle
    assert loop_token([]) is None and loop_token([4]) is None


def test_a_periodic_block_is_judged_by_its_own_period():
    # [0,0] repeated 4 times is eight zeros: period 1, below its threshold of 16
    assert loop_token([0] * 8) is None


def test_the_chat_template_follows_the_gguf_metadata():
    """Training renders prompts with the same template inference detects (training.format)."""
    from operatorx.backend.base import template_of

    smol = {"general.architecture": "llama", "tokenizer.chat_template": "{% for m in messages %}<|im_start|>"}
    assert template_of(smol) == "chatml"
    assert template_of({"general.architecture": "llama", "tokenizer.chat_template": "<start_of_turn>user"}) == "gemma"
    # the packaged Gemma 3 270M GGUF has no chat template at all: its architecture decides
    assert template_of({"general.architecture": "gemma3"}) == "gemma"
    assert template_of({}) == template_of(None) == "chatml"
