"""A model behind an OpenAI-compatible HTTP server (llama.cpp ``llama-server``, vLLM, …).

The prompt is already chat-formatted by ``prompting.render_prompt``, so we use the plain
``/completions`` endpoint with the schema in ``response_format`` (llama.cpp's server also
reads a top-level ``json_schema``; we send both). ``chat=True`` switches to
``/chat/completions`` with the prompt as one user message, for servers that only offer
chat. Only the standard library is used (urllib), so this adds no dependency.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from operatorx.backend.base import END_OF_ANSWER, Generation, Mode, Template
from operatorx.errors import PlannerError


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str = "",
        *,
        api_key: str = "",
        timeout_s: float = 60.0,
        mode: Mode = "fewshot",
        template: Template = "chatml",
        chat: bool = False,
    ) -> None:
        if not base_url:
            raise PlannerError("No model server URL is set: put [model] openai_url in the config (…/v1).")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.mode = mode
        self.template = template
        self.chat = chat

    def describe(self) -> str:
        return f"{self.model or 'default model'} at {self.base_url} ({self.mode} mode, OpenAI-compatible)"

    def generate(self, prompt: str, schema: dict, *, max_tokens: int = 256) -> Generation:
        body: dict = {
            "max_tokens": max_tokens,
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "plan", "schema": schema, "strict": True},
            },
            "json_schema": schema,
            "stop": [END_OF_ANSWER[self.template]],
        }
        if self.model:
            body["model"] = self.model
        if self.chat:
            url = f"{self.base_url}/chat/completions"
            body["messages"] = [{"role": "user", "content": prompt}]
        else:
            url = f"{self.base_url}/completions"
            body["prompt"] = prompt
        t0 = time.perf_counter()
        data = self._post(url, body)
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] if self.chat else choice["text"]
        except (KeyError, IndexError, TypeError):
            raise PlannerError(f"The model server at {url} sent an answer without choices.") from None
        usage = data.get("usage") or {}
        return Generation(
            text=(text or "").strip(),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            seconds=time.perf_counter() - t0,
            stop="length" if choice.get("finish_reason") == "length" else "end",
        )

    def _post(self, url: str, body: dict) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read(300).decode("utf-8", "replace").strip()
            raise PlannerError(
                f"The model server at {url} answered HTTP {e.code}: {detail or e.reason}"
            ) from None
        except TimeoutError:
            raise PlannerError(
                f"The model server at {url} did not answer within {self.timeout_s:g} s "
                "(raise [model] timeout_s or check the server)."
            ) from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, TimeoutError):
                raise PlannerError(
                    f"The model server at {url} did not answer within {self.timeout_s:g} s."
                ) from None
            raise PlannerError(f"Cannot reach the model server at {url}: {reason}. Is it running?") from None
        except OSError as e:
            raise PlannerError(f"Cannot reach the model server at {url}: {e}.") from None
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PlannerError(f"The model server at {url} did not answer with JSON.") from None
        if not isinstance(data, dict):
            raise PlannerError(f"The model server at {url} did not answer with a JSON object.")
        return data
