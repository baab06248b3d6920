"""The in-process model: llama.cpp (llama-cpp-python) with llguidance-constrained decoding.

Why a hand-written decoding loop instead of ``Llama.create_completion``:

* **Grammar.** llguidance computes the allowed-token bitmask for the JSON schema each step
  (about twice as fast here as llama.cpp's own GBNF sampler), and it hands out
  *fast-forward* tokens — text the grammar forces, such as ``{"tool":"`` or ``","field":"``
  — which we evaluate as one batch instead of sampling them one by one; all but the
  last, which the model picks through the mask, so each forced run ends on a token
  boundary of the model's own (on val with the stage-5 adapter: 91.0 % against 89.3 %
  when forcing every token, 89.7 % when forcing none, which is also slower).
* **Stopping.** Generation ends the moment the matcher is complete (or the model picks EOS
  where the grammar allows it); no trailing tokens.
* **Prefix cache.** The system prompt (rules and few-shot examples) is the same for every
  question; the tokens already in the KV cache are kept up to the first one that differs,
  so a question costs only its own tokens. ``warm(prefix)`` evaluates that prefix up front
  and, with a ``prefix_cache_dir``, saves its KV state to disk (about 21 MB for the
  few-shot prompt, restored in ~25 ms), so even a one-shot ``operatorx plan`` skips it.

* **Loops.** A small model can repeat itself ("500.500.500.…") until the token limit;
  ``loop_token`` spots a repeated cycle and the decoder bans its next token, so the
  grammar's other options (close the string, the list) take over.

Decoding is greedy (temperature 0): a plan should not depend on luck. JSON is compact —
``,`` and ``:`` with no whitespace — byte for byte what ``prompting.format_call`` writes
and what the adapter is trained on.

Workaround: llama-cpp-python 0.3.36 checks a failed ``llama_adapter_lora_init`` with
``is None``, but ctypes returns a NULL *pointer object*, so a broken or mismatched adapter
is silently ignored. We load the adapter ourselves and test the pointer's truth value.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from operatorx.backend.base import Generation, Mode, Template, template_of
from operatorx.backend.grammar import fingerprint
from operatorx.errors import PlannerError

# llguidance JSON options: compact separators, no whitespace anywhere (see format_call).
JSON_OPTIONS = {"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"}
GRAMMAR_CACHE_SIZE = 16
FORK_CANDIDATES = 8  # tokens looked at, most probable first, for a way off an avoided answer


class MatcherCache:
    """Compiled grammars for one llguidance tokenizer, by schema fingerprint; the least recently
    used ones go first. Each caller gets a fresh copy to advance."""

    def __init__(self, tokenizer, size: int = GRAMMAR_CACHE_SIZE):
        self.tokenizer = tokenizer
        self.size = size
        self._compiled: OrderedDict[str, object] = OrderedDict()

    def fresh(self, schema: dict):
        import llguidance

        key = fingerprint(schema)
        base = self._compiled.get(key)
        if base is None:
            grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, overrides=JSON_OPTIONS)
            base = llguidance.LLMatcher(self.tokenizer, grammar, log_level=0)
            if base.is_error():
                raise PlannerError(f"The decoding schema does not compile: {base.get_error()}")
            self._compiled[key] = base
            while len(self._compiled) > self.size:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return base.deep_copy()
# ggml_log_level in the llama.cpp that llama-cpp-python 0.3.36 bundles (DEBUG=1, INFO=2, …).
GGML_LOG_WARN, GGML_LOG_ERROR = 3, 4
PREFIX_FILES_KEPT = 4  # on-disk prefix states (one per model/adapter/prompt), newest kept


@contextlib.contextmanager
def _captured_llama_log(lines: list[tuple[int, str]]):
    """Collect llama.cpp's log lines (instead of printing them) while loading files.

    The reason a file fails to load ("tensor … has incorrect shape") only reaches us
    through the log, so we keep it for the error message. The library's own callback is
    put back afterwards.
    """
    import llama_cpp
    from llama_cpp import _logger

    @llama_cpp.llama_log_callback
    def _collect(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        if level in (GGML_LOG_WARN, GGML_LOG_ERROR):
            lines.append((level, text.decode("utf-8", "replace").strip()))

    llama_cpp.llama_log_set(_collect, ctypes.c_void_p(0))
    try:
        yield
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


def _reason(lines: list[tuple[int, str]]) -> str:
    """The most telling line llama.cpp logged: its first error (the cause), else a warning."""
    for wanted in (GGML_LOG_ERROR, GGML_LOG_WARN):
        texts = [t for level, t in lines if level == wanted and t]
        if texts:
            return " (llama.cpp: " + re.sub(r"^\w+: ", "", texts[0]) + ")"
    return ""


def _check_gguf(path: Path, what: str, hint: str) -> None:
    if not path.is_file():
        raise PlannerError(f"The {what} {path} does not exist. {hint}")
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise PlannerError(f"The {what} {path} cannot be read: {e.strerror}.") from None
    if magic != b"GGUF":
        raise PlannerError(f"The {what} {path} is not a GGUF file (corrupt or a different format). {hint}")


def loop_token(tokens: list[int]) -> int | None:
    """The token that would continue a degenerate cycle at the end of ``tokens``, or None.

    Small models fall into loops ("500.500.500.…", the same condition again and again)
    that run to the token limit and cost a retry. A block of k tokens repeated
    ``_LOOP_REPEATS(k)`` times in a row counts as a loop; the decoder then bans the next
    token of the cycle, and the grammar's other options (usually closing the string or the
    list) take over. Thresholds are high enough that real values — 10.0.0.0 is ".0" three
    times — never trip them.
    """
    n = len(tokens)
    for k in range(1, _LOOP_MAX_PERIOD + 1):
        reps = _loop_repeats(k)
        if n < k * reps:
            continue
        tail = tokens[n - k * reps :]
        block = tail[-k:]
        if any(k % d == 0 and block[d:] == block[:-d] for d in range(1, k)):
            continue  # "0000" is period 1, not period 2: judged there, with its own threshold
        if all(tail[i] == tail[i + k] for i in range(k * (reps - 1))):
            return tokens[n - k]
    return None


_LOOP_MAX_PERIOD = 16


def _loop_repeats(period: int) -> int:
    return 16 if period == 1 else 4 if period <= 4 else 3  # digits are single tokens: 1000000000


class LlamaBackend:
    """A GGUF model (plus an optional LoRA adapter) loaded once, answering under a schema."""

    name = "llama"

    def __init__(
        self,
        model_path: str | Path,
        adapter_path: str | Path | None = None,
        *,
        n_threads: int = 2,
        n_ctx: int = 2048,
        prefix_cache_dir: str | Path | None = None,
    ) -> None:
        self.model_path = Path(model_path).expanduser()
        self.prefix_cache_dir = Path(prefix_cache_dir).expanduser() if prefix_cache_dir else None
        self.adapter_path = Path(adapter_path).expanduser() if adapter_path else None
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self.mode: Mode = "adapter" if self.adapter_path else "fewshot"
        self._lock = threading.Lock()
        t0 = time.perf_counter()
        self._llm = self._load()
        self._tokenizer = self._load_tokenizer()
        self._matchers = MatcherCache(self._tokenizer)
        self.template: Template = self._detect_template()
        self.load_seconds = time.perf_counter() - t0
        n_vocab = self._llm.n_vocab()
        self._n_vocab = n_vocab
        self._mask = np.zeros((n_vocab + 31) // 32, dtype=np.int32)
        self._eos = self._llm.token_eos()

    # --- loading -------------------------------------------------------------------------

    def _load(self):
        try:
            import llama_cpp
        except ImportError as e:  # pragma: no cover - the package is a hard dependency
            raise PlannerError(f"llama-cpp-python is not installed ({e}); run `make setup`.") from None
        _check_gguf(
            self.model_path,
            "model file",
            "Set [model] path in the config to a GGUF model, or leave it empty for the packaged SmolLM2.",
        )
        if self.adapter_path:
            _check_gguf(
                self.adapter_path,
                "adapter file",
                "Set [model] adapter to a LoRA GGUF made for this base model, or use --no-adapter.",
            )
        log: list[tuple[int, str]] = []
        with _captured_llama_log(log):
            try:
                llm = llama_cpp.Llama(
                    str(self.model_path),
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_ctx=self.n_ctx,
                    n_batch=512,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as e:
                raise PlannerError(
                    f"Cannot load the model file {self.model_path}: it is corrupt, truncated or "
                    f"not a model llama.cpp supports{_reason(log) or f' ({e})'}."
                ) from None
            if self.adapter_path:
                self._attach_adapter(llama_cpp, llm, log)
        return llm

    def _attach_adapter(self, llama_cpp, llm, log: list[tuple[int, str]]) -> None:
        adapter = llama_cpp.llama_adapter_lora_init(llm.model, str(self.adapter_path).encode())
        if not adapter:  # a NULL pointer object, not None (see the module docstring)
            llm.close()
            raise PlannerError(
                f"The adapter {self.adapter_path} does not fit the base model {self.model_path.name}"
                f"{_reason(log)}. Use the adapter trained for this base model, or --no-adapter."
            )
        llm._stack.callback(llama_cpp.llama_adapter_lora_free, adapter)
        adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter)
        scales = (ctypes.c_float * 1)(1.0)
        if llama_cpp.llama_set_adapters_lora(llm.ctx, adapters, 1, scales):
            llm.close()
            raise PlannerError(f"llama.cpp refused to apply the adapter {self.adapter_path}{_reason(log)}.")

    def _load_tokenizer(self):
        import llama_cpp
        from llguidance.llamacpp import lltokenizer_from_vocab

        vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
        # llguidance's adapter calls llama_token_get_attr, which llama-cpp-python 0.3.36
        # deprecates with one warning per vocabulary entry (49,152 of them).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return lltokenizer_from_vocab(vocab)

    def _detect_template(self) -> Template:
        return template_of(self._llm.metadata)

    # --- the Backend protocol --------------------------------------------------------------

    def describe(self) -> str:
        model = self.model_path.name
        if self.adapter_path:
            model += f" + adapter {self.adapter_path.name}"
        return f"{model} ({self.mode} mode, in process, {self.n_threads} threads)"

    def generate(
        self, prompt: str, schema: dict, *, max_tokens: int = 256, avoid: Sequence[str] = ()
    ) -> Generation:
        """The greedy answer under ``schema``; with ``avoid``, an answer other than those
        texts: where greedy decoding would write one of them, it leaves them at the most
        probable fork (``_away``)."""
        with self._lock:
            t0 = time.perf_counter()
            matcher = self._matcher(schema)
            tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
            if len(tokens) + max_tokens > self.n_ctx:
                raise PlannerError(
                    f"The prompt is {len(tokens)} tokens; with {max_tokens} for the answer it does not "
                    f"fit the context of {self.n_ctx}. Raise [model] n_ctx or shorten the question."
                )
            evaluated = self._eval_prompt(tokens)
            if not avoid:
                out, stop = self._decode(matcher, max_tokens)
            else:
                out, stop = self._away(tokens, schema, matcher, max_tokens, [a.encode("utf-8") for a in avoid])
            text = self._tokenizer.decode_str(out)
            return Generation(
                text=text,
                prompt_tokens=len(tokens),
                completion_tokens=len(out),
                seconds=time.perf_counter() - t0,
                prompt_tokens_evaluated=evaluated,
                stop=stop,
            )

    def warm(self, prefix: str) -> int:
        """Bring a prompt prefix (the fixed system prompt) into the KV cache now.

        Returns how many tokens had to be evaluated: 0 when it was cached already, in
        memory or (with ``prefix_cache_dir``) on disk.
        """
        with self._lock:
            tokens = self._llm.tokenize(prefix.encode("utf-8"), add_bos=False, special=True)
            llm = self._llm
            if llm.n_tokens >= len(tokens) and list(llm.input_ids[: len(tokens)]) == tokens:
                return 0
            if self._restore_prefix(tokens):
                return 0
            n = self._eval_prompt(tokens, keep_last=False)
            self._save_prefix(tokens)
            return n

    def close(self) -> None:
        with self._lock:
            self._llm.close()

    # --- the on-disk prefix cache ----------------------------------------------------------

    def _prefix_file(self, tokens: list[int]) -> Path | None:
        if self.prefix_cache_dir is None:
            return None
        import llama_cpp

        h = hashlib.sha256()
        for p in (self.model_path, self.adapter_path):
            if p is not None:
                st = p.stat()
                h.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}|".encode())
        h.update(f"{self.n_ctx}|{llama_cpp.__version__}|".encode())
        h.update(np.asarray(tokens, dtype=np.int32).tobytes())
        return self.prefix_cache_dir / f"prefix-{h.hexdigest()[:24]}.kv"

    def _restore_prefix(self, tokens: list[int]) -> bool:
        import llama_cpp

        path = self._prefix_file(tokens)
        if path is None or not path.is_file():
            return False
        try:
            data = path.read_bytes()
        except OSError:
            return False
        llm = self._llm
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), True)
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(llm.ctx, buf, len(data), 0) != len(data):
            llm.n_tokens = 0  # a stale or damaged file: evaluate instead
            llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), True)
            return False
        llm.input_ids[: len(tokens)] = tokens
        llm.n_tokens = len(tokens)
        return True

    def _save_prefix(self, tokens: list[int]) -> None:
        import llama_cpp

        path = self._prefix_file(tokens)
        if path is None:
            return
        ctx = self._llm.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        n = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        try:  # a cache that cannot be written is only slower, never an error
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(bytes(buf)[:n])
            os.replace(tmp, path)
            old = sorted(path.parent.glob("prefix-*.kv"), key=lambda p: p.stat().st_mtime)[
                :-PREFIX_FILES_KEPT
            ]
            for stale in old:
                stale.unlink(missing_ok=True)
        except OSError:
            pass

    # --- internals ---------------------------------------------------------------------------

    def _matcher(self, schema: dict):
        """A fresh matcher for ``schema``; compiled grammars are cached by fingerprint."""
        return self._matchers.fresh(schema)

    def _eval_prompt(self, tokens: list[int], *, keep_last: bool = True) -> int:
        """Bring the KV cache to ``tokens``, reusing the longest cached prefix.

        With ``keep_last`` at least the last token is evaluated again, so that its logits
        (the first answer token's distribution) are current.
        """
        llm = self._llm
        cached = llm.input_ids[: llm.n_tokens]
        limit = min(len(cached), len(tokens) - (1 if keep_last else 0))
        n = 0
        while n < limit and cached[n] == tokens[n]:
            n += 1
        llm.n_tokens = n  # eval() drops the KV cache from n on
        try:
            if tokens[n:]:
                llm.eval(tokens[n:])
        except RuntimeError as e:
            llm.n_tokens = 0
            raise PlannerError(f"llama.cpp failed to evaluate the prompt: {e}") from None
        return len(tokens) - n

    def _away(
        self, prompt: list[int], schema: dict, matcher, max_tokens: int, avoid: list[bytes]
    ) -> tuple[list[int], str]:
        """Greedy decoding that does not end in one of the ``avoid`` answers.

        The greedy answer is decoded once, noting at each step on an avoided answer's path
        the most probable token the grammar allows that leaves every avoided answer with
        that beginning (``forks``). When the greedy answer is avoided, decoding starts again
        from the fork whose token has the highest probability, takes it, and goes on
        greedily: the answer then differs from each avoided one in its bytes, not only in how
        they are tokenized. Forks inside the first key (the tool) are not taken: the answer
        keeps the tool it chose. With no fork, the greedy answer is returned.
        """
        forks: list[tuple[float, int, int]] = []
        out, stop = self._decode(matcher, max_tokens, avoid=avoid, forks=forks)
        if self._tokenizer.decode_bytes(out) not in avoid or not forks:
            return out, stop
        _, k, token = max(forks)
        self._eval_prompt(prompt + out[:k])
        matcher = self._matcher(schema)
        if k and not matcher.consume_tokens(out[:k]) or not matcher.consume_token(token):
            raise PlannerError(f"Constrained decoding failed: {matcher.get_error()}")
        head = [*out[:k], token]
        if matcher.is_stopped():
            return head, "end"
        self._eval([token])
        rest, stop = self._decode(matcher, max_tokens - len(head))
        return head + rest, stop

    def _fork(self, logits: np.ndarray, allowed: np.ndarray, rests: list[bytes]) -> tuple[float, int] | None:
        """The most probable allowed token (its log-probability among the allowed, the token)
        whose bytes leave each of ``rests``, the parts of avoided answers still ahead; looked
        for among the ``FORK_CANDIDATES`` most probable."""
        masked = np.where(allowed, logits, -np.inf)
        top = np.argpartition(masked, -FORK_CANDIDATES)[-FORK_CANDIDATES:]
        peak = masked.max()
        norm = peak + np.log(np.exp(masked[allowed] - peak).sum())
        for t in sorted(top, key=lambda t: -masked[t]):
            if not np.isfinite(masked[t]):
                break
            piece = self._tokenizer.decode_bytes([int(t)])
            if t != self._eos and not any(rest.startswith(piece) for rest in rests):
                return float(masked[t] - norm), int(t)
        return None

    def _decode(
        self, matcher, max_tokens: int, *, avoid: Sequence[bytes] = (), forks: list | None = None
    ) -> tuple[list[int], str]:
        import llama_cpp

        llm = self._llm
        out: list[int] = []
        while len(out) < max_tokens:
            # The last forced token is left to the model (through the mask): the grammar
            # tokenizes forced text on its own, so its last token may end where the model's
            # own tokenization, the one it was trained on, runs on ('],"' + 'service' instead
            # of '"]' + ',"tech…'); from a boundary it never saw, the model's next choice is worse.
            forced = matcher.compute_ff_tokens()[:-1][: max_tokens - len(out)]
            if forced:
                matcher.consume_tokens(forced)
                out.extend(forced)
                self._eval(forced)
                if matcher.is_stopped():
                    return out, "end"
                continue
            matcher.unsafe_compute_mask_ptr(self._mask.ctypes.data, self._mask.nbytes)
            allowed = np.unpackbits(self._mask.view(np.uint8), bitorder="little")[: self._n_vocab]
            if not allowed.any():
                return out, "end"
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(self._n_vocab,)
            )
            allowed = allowed.astype(bool)
            looping = loop_token(out)
            if looping is not None and allowed.sum() > 1:
                allowed[looping] = False  # break the cycle: the grammar offers the other ways on
            token = int(np.argmax(np.where(allowed, logits, -np.inf)))
            if forks is not None:
                done = self._tokenizer.decode_bytes(out)
                # forks are taken past the tool key only ('{"tool":"nmap",')
                rests = [a[len(done):] for a in avoid if a.startswith(done) and b"," in done]
                fork = self._fork(logits, allowed, rests) if rests else None
                if fork is not None:
                    forks.append((fork[0], len(out), fork[1]))
            if token == self._eos:
                return out, "end"
            if not matcher.consume_token(token):  # cannot happen with a correct mask
                raise PlannerError(f"Constrained decoding failed: {matcher.get_error()}")
            out.append(token)
            if matcher.is_stopped():
                return out, "end"
            self._eval([token])
        return out, "length"

    def _eval(self, tokens: list[int]) -> None:
        try:
            self._llm.eval(tokens)
        except RuntimeError as e:
            self._llm.n_tokens = 0
            raise PlannerError(f"llama.cpp failed while generating: {e}") from None
