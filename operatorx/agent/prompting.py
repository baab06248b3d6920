"""The one place that turns a question into the model's prompt and a plan into its answer text.

Training imports these functions, so what the adapter learns is byte-for-byte what inference
shows it. Two modes:

* ``adapter`` — the LoRA adapter knows the job; the prompt is a one-line system message and
  the question (a few dozen tokens in all).
* ``fewshot`` — the bare base model; the system message carries rules and worked examples
  (``prompts/fewshot.md``). Its prefix is the same for every question, so the backend caches it.

A follow-up carries the previous call, so the model answers with the edited call in full.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Literal

Mode = Literal["adapter", "fewshot"]
Template = Literal["chatml", "gemma"]

ADAPTER_SYSTEM = "You are OperatorX. Turn the analyst's request into one JSON tool call."


def prompt_text(name: str) -> str:
    """A file from the packaged prompts directory."""
    return resources.files("operatorx.prompts").joinpath(name).read_text(encoding="utf-8")


def format_call(compact: dict) -> str:
    """The answer text: compact JSON, keys in schema order, no spaces (fewer tokens)."""
    return json.dumps(compact, separators=(",", ":"), ensure_ascii=False)


def user_message(question: str, previous: dict | None = None) -> str:
    question = " ".join(question.split())
    if previous is None:
        return question
    return f"Previous: {format_call(previous)}\nFollow-up: {question}"


def system_message(mode: Mode) -> str:
    if mode == "adapter":
        return ADAPTER_SYSTEM
    return ADAPTER_SYSTEM + "\n\n" + prompt_text("fewshot.md").strip()


def render_prompt(
    question: str,
    previous: dict | None = None,
    *,
    mode: Mode = "adapter",
    template: Template = "chatml",
    error: str | None = None,
) -> str:
    """The full prompt up to where the model starts its answer.

    ``error`` is set on the single retry after an invalid answer: it tells the model what
    was wrong with its first try.
    """
    user = user_message(question, previous)
    if error:
        user += f"\nYour last answer was invalid: {error}"
    system = system_message(mode)
    if template == "gemma":
        # Gemma has no system role; its convention is to prepend it to the first user turn.
        return f"<start_of_turn>user\n{system}\n\n{user}<end_of_turn>\n<start_of_turn>model\n"
    return (
        f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
    )


def end_of_answer(template: Template = "chatml") -> str:
    """The text that closes the answer in training targets (the model's stop token)."""
    return "<end_of_turn>" if template == "gemma" else "<|im_end|>"
