"""The decoder's loop breaker (pure: token ids only, no model)."""

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
